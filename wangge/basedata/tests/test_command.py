"""``wangge seed_basedata``: the checklist, asset types and a district's demo data."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from wangge.assets.models import Asset
from wangge.organisations.models import Enterprise


def test_it_seeds_a_districts_things_and_organisations_once(world):
    out = StringIO()
    call_command("seed_basedata", "440704", "--enterprises", "40", stdout=out)
    text = out.getvalue()
    assert "消防栓 783 个，其中新建 419 个" in text
    assert "企业、商铺 40 家" in text
    assert Enterprise.objects.count() == 40
    before = Asset.objects.count()
    out = StringIO()
    call_command("seed_basedata", "440704", stdout=out)
    assert "已有城市部件，跳过" in out.getvalue()
    assert Asset.objects.count() == before
    with pytest.raises(CommandError, match="没有编码为 440799 的区"):
        call_command("seed_basedata", "440799", stdout=StringIO())
