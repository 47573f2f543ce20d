from typing import Any

from django.db import migrations

#: A copy of wangge.people.choices.DEFAULT_TAGS as of this migration.
TAGS = (
    ("elderly_alone", "独居老人", 7, "每周走访一次"),
    ("empty_nest", "空巢老人", 30, "每月走访一次"),
    ("disabled", "残疾人", 30, "每月走访一次"),
    ("low_income", "低保户", 30, "每月走访一次"),
    ("left_behind_child", "留守儿童", 30, "每月走访一次"),
    ("community_correction", "社区矫正对象", 7, "每周走访一次，配合司法所"),
    ("mental_disorder", "严重精神障碍患者", 14, "每两周随访一次，配合卫生院"),
    ("key_person", "重点人员", 30, "每月走访一次"),
)


def create_tags(apps: Any, schema_editor: Any) -> None:
    Tag = apps.get_model("people", "Tag")
    for order, (code, name, days, description) in enumerate(TAGS, start=1):
        Tag.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "visit_frequency_days": days,
                "description": description,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create_tags, migrations.RunPython.noop)]
