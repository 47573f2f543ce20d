from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "wangge.inspections"
    label = "inspections"
    verbose_name = _("Safety inspections")

    def ready(self) -> None:
        from wangge.inspections.catalogue import seed_checklists_after_migrate

        post_migrate.connect(seed_checklists_after_migrate, dispatch_uid="wangge-checklists")
