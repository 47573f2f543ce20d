from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.basedata.choices import ItemCategory


class ChecklistItem(models.Model):
    """One item of the base-information checklist (基础信息采集清单), kept as data.

    ``measure`` says how the item is counted in a grid: a model label and
    optional filters, ``app_label.Model?field=value&other__in=a,b`` (see
    ``wangge.basedata.measures``).  Empty, or naming a model that is not
    installed, means no registry answers the item yet.
    """

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    category = models.CharField(_("category"), max_length=16, choices=ItemCategory.choices)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    measure = models.CharField(_("measure"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"
