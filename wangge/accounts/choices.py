from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleScope(models.TextChoices):
    """What an assignment of the role is attached to, and so what its holder sees."""

    NODE = "node", _("A node of the hierarchy and everything under it")
    DEPARTMENT = "department", _("A department (what is dispatched to it)")
    SELF = "self", _("Only the holder's own records")
    GLOBAL = "global", _("The whole installation")
