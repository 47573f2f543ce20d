"""Seed the 7 categories / 19 duties, the "553" items and the default assessment scheme."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from wangge.workforce.catalogue import seed_catalogue

    seed_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
