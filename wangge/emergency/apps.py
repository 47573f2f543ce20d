from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "wangge.emergency"
    label = "emergency"
    verbose_name = _("Emergency mode")

    def ready(self) -> None:
        from wangge.emergency.catalogue import seed_catalogue_after_migrate

        post_migrate.connect(
            seed_catalogue_after_migrate, dispatch_uid="wangge-emergency-catalogue"
        )
