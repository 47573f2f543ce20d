from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "wangge.campaigns"
    label = "campaigns"
    verbose_name = _("Canvassing campaigns")

    def ready(self) -> None:
        from wangge.campaigns.outcomes import seed_outcomes_after_migrate

        post_migrate.connect(seed_outcomes_after_migrate, dispatch_uid="wangge-campaign-outcomes")
