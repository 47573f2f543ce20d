"""Choices of the population registry; labels are the Chinese words users see."""

from __future__ import annotations

from django.db import models


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", "户籍人口"
    FLOATING = "floating", "流动人口"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在住"
    LEFT = "left", "已离开"
    DECEASED = "deceased", "已故"


class Relation(models.TextChoices):
    """Relation of a household member to the head of the household (与户主关系)."""

    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    GRANDPARENT = "grandparent", "祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class UnmaskField(models.TextChoices):
    """Fields of a person that are shown masked and can be unmasked (audited)."""

    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "联系电话"


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
