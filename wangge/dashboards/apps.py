from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "wangge.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from wangge.dashboards.receivers import event_deleted
        from wangge.events.models import Event

        post_delete.connect(event_deleted, sender=Event, dispatch_uid="dashboards-event-deleted")
