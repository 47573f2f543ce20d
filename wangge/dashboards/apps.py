from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "wangge.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from wangge.dashboards.aggregates import on_event_changed
        from wangge.events.notifications import event_changed

        event_changed.connect(on_event_changed, dispatch_uid="wangge-dashboards-aggregates")
