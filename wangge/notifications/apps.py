from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wangge.notifications"
    label = "notifications"
    verbose_name = _("Notifications and webhooks")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wangge.events.notifications import event_changed
        from wangge.notifications.actions import forget_webhook_check
        from wangge.notifications.models import Webhook
        from wangge.notifications.receivers import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="wangge-notifications")
        for signal in (post_save, post_delete):
            signal.connect(
                forget_webhook_check, sender=Webhook, dispatch_uid="wangge-webhook-check"
            )
