"""Choices of the population registry; labels are translated (Chinese by default: the words
users see)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "male", pgettext_lazy("person gender", "Male")
    FEMALE = "female", pgettext_lazy("person gender", "Female")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("residence type", "Registered resident")
    FLOATING = "floating", pgettext_lazy("residence type", "Floating resident")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("person status", "Lives here")
    LEFT = "left", pgettext_lazy("person status", "Moved away")
    DECEASED = "deceased", pgettext_lazy("person status", "Deceased")


class Relation(models.TextChoices):
    """Relation of a household member to the head of the household (与户主关系)."""

    HEAD = "head", pgettext_lazy("relation to the head", "Head of household")
    SPOUSE = "spouse", pgettext_lazy("relation to the head", "Spouse")
    CHILD = "child", pgettext_lazy("relation to the head", "Child")
    PARENT = "parent", pgettext_lazy("relation to the head", "Parent")
    GRANDCHILD = "grandchild", pgettext_lazy("relation to the head", "Grandchild")
    GRANDPARENT = "grandparent", pgettext_lazy("relation to the head", "Grandparent")
    SIBLING = "sibling", pgettext_lazy("relation to the head", "Sibling")
    OTHER = "other", pgettext_lazy("relation to the head", "Other")


class UnmaskField(models.TextChoices):
    """Fields of a person that are shown masked and can be unmasked (audited)."""

    ID_NUMBER = "id_number", pgettext_lazy("unmasked field", "ID number")
    PHONE = "phone", pgettext_lazy("unmasked field", "Phone")


#: The special groups every installation starts with: (code, name, visit every N days, note).
#: They are data (``people.Tag``): administrators add more or change the frequencies.
DEFAULT_TAGS: tuple[tuple[str, str, int | None, str], ...] = (
    ("elderly_alone", "独居老人", 7, "每周走访一次"),
    ("empty_nest", "空巢老人", 30, "每月走访一次"),
    ("disabled", "残疾人", 30, "每月走访一次"),
    ("low_income", "低保户", 30, "每月走访一次"),
    ("left_behind_child", "留守儿童", 30, "每月走访一次"),
    ("community_correction", "社区矫正对象", 7, "每周走访一次，配合司法所"),
    ("mental_disorder", "严重精神障碍患者", 14, "每两周随访一次，配合卫生院"),
    ("key_person", "重点人员", 30, "每月走访一次"),
)
