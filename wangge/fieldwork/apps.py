from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "wangge.fieldwork"
    label = "fieldwork"
    verbose_name = _("Field work (the worker's phone)")
