from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TriageModel(models.Model):
    """One trained category classifier; suggestions use the highest version.

    ``data`` is the classifier's ``.npz`` archive of plain arrays (see
    ``wangge.triage.classifier``), never a pickle.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("trained at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.BinaryField(_("model data"))
    digest = models.CharField(_("SHA-256 of the model data"), max_length=64)
    categories = models.PositiveIntegerField(_("categories"), default=0)
    features = models.PositiveIntegerField(_("features"), default=0)
    examples = models.PositiveIntegerField(_("training examples"), default=0)
    events = models.PositiveIntegerField(_("past events used"), default=0)
    last_event_id = models.PositiveBigIntegerField(_("last event used"), default=0)
    held_out = models.PositiveIntegerField(_("held-out examples"), default=0)
    top1_accuracy = models.FloatField(_("top-1 accuracy"), default=0.0)
    top3_accuracy = models.FloatField(_("top-3 accuracy"), default=0.0)
    baseline_top1_accuracy = models.FloatField(_("keyword baseline top-1 accuracy"), default=0.0)

    class Meta:
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.top1_accuracy:.0%})"
