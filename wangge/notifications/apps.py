from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wangge.notifications"
    label = "notifications"
    verbose_name = _("Notifications and webhooks")

    def ready(self) -> None:
        from wangge.events.notifications import event_changed
        from wangge.notifications.receivers import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="wangge-notifications")
