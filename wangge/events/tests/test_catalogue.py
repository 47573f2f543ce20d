from wangge.accounts.models import Department
from wangge.events.catalogue import CATALOGUE, DEPARTMENTS, seed_catalogue
from wangge.events.models import Category, WorkCalendarDay

from .conftest import ok

TOP_LEVEL = [
    "市容环境",
    "宣传广告",
    "施工管理",
    "突发事件",
    "街面秩序",
    "部件问题",
    "矛盾纠纷",
    "治安隐患",
    "安全生产/消防隐患",
    "特殊人群服务",
    "违法建设",
    "生态环境",
    "食品药品",
    "民生服务",
    "基础信息变更",
    "其他",
]


def test_it_has_the_standard_top_level_types_with_two_to_five_subs_each():
    assert [top.name for top in CATALOGUE] == TOP_LEVEL
    for top in CATALOGUE:
        assert 2 <= len(top.subs) <= 5, top.name
        for sub in top.subs:
            assert sub.dept == "" or sub.dept in DEPARTMENTS, sub.name


def test_it_seeds_idempotently_and_keeps_edits(world):
    first = seed_catalogue(world.regions["440704"])
    assert first.categories == Category.objects.count() > 16 * 3
    assert first.departments == len(DEPARTMENTS) - 2  # cg and sz exist in the test world
    assert first.calendar_days == WorkCalendarDay.objects.count() > 20
    manhole = Category.objects.get(name="井盖破损/松动")
    assert manhole.code == "0601" and manhole.parent.name == "部件问题"
    assert manhole.default_department_code == "sz"
    Category.objects.filter(code="0601").update(handle_limit=9)
    again = seed_catalogue("440704")
    assert (again.categories, again.departments, again.calendar_days) == (0, 0, 0)
    assert Category.objects.get(code="0601").handle_limit == 9
    assert set(DEPARTMENTS) <= set(
        Department.objects.filter(district__code="440704").values_list("code", flat=True)
    )


def test_it_lists_the_catalogue(ew, client_for):
    rows = ok(client_for("worker_a").get("/api/v1/events/categories"))
    by_code = {row["code"]: row for row in rows}
    assert by_code["04"]["parent_code"] is None
    fire = next(row for row in rows if row["name"] == "电线起火")
    assert fire["parent_code"] == "04" and fire["default_department_code"] == "xf"
    assert fire["accept_unit"] == "natural_hours"
    assert by_code["1602"]["admitted"] is False
