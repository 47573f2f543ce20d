from django.contrib import admin

from wangge.notifications.models import Notification, SmsMessage, Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    """Subscriptions; the secret is generated (and rotated) through the API."""

    list_display = ["name", "url", "district_code", "is_active", "created_at"]
    list_filter = ["is_active", "district_code"]
    search_fields = ["name", "url"]
    exclude = ["secret", "client_request_id", "created_by"]

    def save_model(self, request: object, obj: Webhook, form: object, change: bool) -> None:
        if not obj.secret:
            import secrets

            obj.secret = secrets.token_hex(32)
        super().save_model(request, obj, form, change)  # type: ignore[arg-type]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["uuid", "webhook", "action", "state", "attempts", "last_status", "created_at"]
    list_filter = ["state", "action"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin[SmsMessage]):
    list_display = ["pk", "kind", "state", "gateway", "created_at", "sent_at"]
    list_filter = ["state", "kind"]
    exclude = ["phone"]
    readonly_fields = [
        "body",
        "kind",
        "key",
        "event",
        "step",
        "state",
        "gateway",
        "provider_id",
        "error",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False
