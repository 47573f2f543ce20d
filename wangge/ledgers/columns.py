"""The columns of each ledger: Chinese headers, which are required, what they hold.

Templates, imports, error reports and exports all take their headers from here.
A file's columns are matched by header (order does not matter; a trailing ``*``
and spaces are ignored); unknown columns are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wangge.assets.choices import AssetState
from wangge.ledgers.choices import ImportKind
from wangge.organisations.choices import EnterpriseKind, FireRisk, GasUse, Industry
from wangge.people.choices import ResidenceType
from wangge.places.choices import BuildingUse

YES_NO = ("是", "否")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    #: A fixed list for the template's drop-down (dynamic lists come from ``templates``).
    choices: tuple[str, ...] = ()
    width: int = 16
    note: str = ""
    example: str = ""


@dataclass(frozen=True)
class Sheet:
    kind: ImportKind
    title: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _labels(choices: type) -> tuple[str, ...]:
    return tuple(str(label) for label in choices.labels)  # type: ignore[attr-defined]


UNIT_NOTE = "18 位最小单元编码（见「最小单元」表）；须在您的管辖范围内"

PEOPLE = Sheet(
    ImportKind.PEOPLE,
    "人员",
    (
        Column("name", "姓名", True, width=10, example="张伟"),
        Column(
            "id_number",
            "身份证号",
            True,
            width=22,
            note="18 位居民身份证号码（末位可为 X），请以文本格式填写；性别、出生日期由号码得出",
            example="110105199003071351",
        ),
        Column(
            "phone",
            "手机号",
            width=14,
            note="11 位手机号，或带区号的固定电话（如 0750-1234567）",
            example="13812341234",
        ),
        Column(
            "region_code",
            "最小单元编码",
            True,
            width=22,
            note=UNIT_NOTE + "；不知道最小单元时可填 15 位网格编码",
            example="110105001001001001",
        ),
        Column("registered_address", "户籍地址", width=28, example="广东省江门市江海区新塘里96号"),
        Column("residence_address", "实际居住地址", width=28, example="新塘里96号301室"),
        Column(
            "residence_type",
            "人员类型",
            choices=_labels(ResidenceType),
            width=10,
            note="户籍人口 或 流动人口；不填为户籍人口",
            example="户籍人口",
        ),
        Column(
            "tags",
            "特殊人群",
            width=16,
            note="如 独居老人、残疾人；多个用顿号或逗号分隔（见「特殊人群」表）",
        ),
        Column("notes", "备注", width=20),
    ),
    ("同一身份证号在文件中只能出现一次，且不能是您辖区内已登记的人员。",),
)

BUILDINGS = Sheet(
    ImportKind.BUILDINGS,
    "楼栋与房间",
    (
        Column("unit_code", "最小单元编码", True, width=22, note=UNIT_NOTE),
        Column("building", "楼栋名称", True, width=16, example="新塘里96号"),
        Column("address", "楼栋地址", width=24),
        Column("floors", "层数", width=8, note="1 到 200；不填为 1", example="6"),
        Column("use", "用途", choices=_labels(BuildingUse), width=10, example="住宅"),
        Column("is_rental", "出租屋", choices=YES_NO, width=8, note="是 或 否；不填为否"),
        Column("landlord_name", "房东姓名", width=10),
        Column("landlord_phone", "房东电话", width=14),
        Column("manager_name", "管理人", width=10),
        Column("room", "房号", width=8, note="不填则只登记楼栋", example="301"),
        Column("floor", "所在楼层", width=8, example="3"),
        Column("area", "面积（㎡）", width=10, example="75.5"),
        Column("max_occupants", "核定人数", width=8),
    ),
    (
        "一行一个房间；同一楼栋的多行，楼栋信息填在任意一行或每行相同即可。",
        "楼栋已登记时，只新增其房间；同一楼栋的房号不能重复。",
    ),
)

OCCUPANCY = Sheet(
    ImportKind.OCCUPANCY,
    "入住登记",
    (
        Column("id_number", "身份证号", True, width=22, note="已登记在您辖区内的人员"),
        Column("unit_code", "最小单元编码", True, width=22, note=UNIT_NOTE),
        Column("building", "楼栋名称", True, width=16),
        Column("room", "房号", True, width=8),
        Column(
            "move_in", "入住日期", width=12, note="如 2024-05-01；不填为今天", example="2024-05-01"
        ),
        Column("note", "备注", width=20),
    ),
    ("入住另一房间的人员，其原房间的居住记录在入住当日结束。",),
)

ENTERPRISES = Sheet(
    ImportKind.ENTERPRISES,
    "企业与商铺",
    (
        Column("name", "名称", True, width=24),
        Column("kind", "类型", True, choices=_labels(EnterpriseKind), width=10),
        Column(
            "uscc",
            "统一社会信用代码",
            width=22,
            note="18 位；企业必填，商铺与个体工商户可不填",
        ),
        Column("industry", "行业门类", choices=_labels(Industry), width=20),
        Column("legal_person", "法定代表人或经营者", width=12),
        Column("legal_person_phone", "联系电话", width=14),
        Column("address", "地址", width=24),
        Column(
            "region_code",
            "网格或最小单元编码",
            True,
            width=22,
            note="15 位网格或 18 位最小单元编码；须在您的管辖范围内",
        ),
        Column("employee_count", "从业人数", width=8),
        Column("uses_gas", "燃气使用", choices=_labels(GasUse), width=14),
        Column("has_gas_alarm", "燃气报警器", choices=YES_NO, width=8),
        Column("hazardous_chemicals", "危险化学品", choices=YES_NO, width=8),
        Column(
            "fire_risk_level",
            "消防风险等级",
            choices=_labels(FireRisk),
            width=10,
            note="不填则按燃气、危化品和人数判定",
        ),
        Column("is_operating", "在营", choices=YES_NO, width=6, note="不填为是"),
        Column("notes", "备注", width=20),
    ),
    ("统一社会信用代码在全系统唯一。",),
)

ASSETS = Sheet(
    ImportKind.ASSETS,
    "城市部件",
    (
        Column("type", "部件类型", True, width=18, note="类型编码或名称，如 0111 消防栓"),
        Column("code", "部件编号", width=16, note="不填则自动编号；同一区内唯一"),
        Column("name", "名称", width=16),
        Column("lng", "经度", True, width=12, example="113.1234"),
        Column("lat", "纬度", True, width=12, example="22.5678"),
        Column(
            "region_code",
            "网格或最小单元编码",
            width=22,
            note="不填则按坐标确定；须在您的管辖范围内",
        ),
        Column("address", "地址", width=24),
        Column(
            "state",
            "状态",
            choices=tuple(label for v, label in AssetState.choices if v != AssetState.RETIRED),
            width=8,
        ),
        Column("owner_department", "权属部门编码", width=12),
        Column("installed_on", "安装日期", width=12),
        Column("is_new", "新增部件", choices=YES_NO, width=8),
        Column("notes", "备注", width=20),
    ),
)

SHEETS: dict[str, Sheet] = {
    s.kind.value: s for s in (PEOPLE, BUILDINGS, OCCUPANCY, ENTERPRISES, ASSETS)
}


def normalise_header(text: object) -> str:
    return "".join(str(text or "").split()).strip("*＊")
