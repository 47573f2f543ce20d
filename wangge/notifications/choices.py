"""Kinds of notification and the states of SMS messages and webhook deliveries."""

from __future__ import annotations

from django.db import models


class NotificationKind(models.TextChoices):
    DISPATCHED = "dispatched", "新派遣事件"
    SENT_BACK = "sent_back", "事件被退单"
    SUMMONED = "summoned", "吹哨报到"
    OVERDUE = "overdue", "事件超期"
    SUPERVISED = "supervised", "事件督办"
    ESCALATED = "escalated", "事件提级"
    VERIFIED = "verified", "核查通过"
    REWORK = "rework", "核查未通过，返工"
    CLOSED = "closed", "事件已结案"
    REJECTED = "rejected", "事件不予立案"
    #: SMS only: a resident's one-time login code (the portal).
    LOGIN_CODE = "login_code", "登录验证码"


class SmsState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待投递"
    DELIVERED = "delivered", "已投递"
    FAILED = "failed", "投递失败"
