"""The columns of each ledger: Chinese headers, which are required, what they hold.

Templates, imports, error reports and exports all take their headers from here.  The drop-down
lists are the Chinese labels of the choices whatever the user's language (files are exchanged:
``wangge.lib.language``).
A file's columns are matched by header (order does not matter; a trailing ``*``
and spaces are ignored); unknown columns are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wangge.assets.choices import AssetState
from wangge.ledgers.choices import ImportKind
from wangge.lib.language import in_data_language
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


def _labels(choices: type, *, leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The labels of ``choices`` in the installation's language (not those of ``leave_out``)."""
    return tuple(
        in_data_language(label)
        for value, label in choices.choices  # type: ignore[attr-defined]
        if value not in leave_out
    )


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
        Column("address", "楼栋地址", width=24, example="江海区新塘里96号"),
        Column("floors", "层数", width=8, note="1 到 200；不填为 1", example="4"),
        Column(
            "use",
            "用途",
            choices=_labels(BuildingUse),
            width=10,
            note="不填为住宅",
            example="住宅",
        ),
        Column(
            "is_rental",
            "出租屋",
            choices=YES_NO,
            width=8,
            note="是 或 否；不填为否，填写了房东或管理人时为是",
            example="是",
        ),
        Column("landlord_name", "房东姓名", width=10, note="出租屋填写", example="陈国强"),
        Column(
            "landlord_phone",
            "房东电话",
            width=14,
            note="11 位手机号，或带区号的固定电话",
            example="13912345678",
        ),
        Column("manager_name", "管理人", width=10, note="出租屋的管理人（二房东、物业）"),
        Column("room", "房号", width=8, note="不填则只登记楼栋", example="301"),
        Column(
            "floor",
            "所在楼层",
            width=8,
            note="-5 到楼栋层数之间（不含 0）",
            example="3",
        ),
        Column("area", "面积（㎡）", width=10, note="大于 0 的数字", example="75.5"),
        Column(
            "max_occupants",
            "核定人数",
            width=8,
            note="1 到 500；不填按系统默认上限",
            example="4",
        ),
    ),
    (
        "一行一个房间，楼栋信息（地址、层数、用途、出租屋、房东、管理人）填在该楼栋的任意一行，"
        "或每行相同；同一楼栋各行的楼栋信息不能互相矛盾。",
        "只登记楼栋时，房号及其后各列留空。",
        "同一最小单元内的楼栋按名称识别：楼栋已登记时只新增其房间（楼栋信息以系统中为准），"
        "同一楼栋的房号不能重复。",
    ),
)

OCCUPANCY = Sheet(
    ImportKind.OCCUPANCY,
    "入住登记",
    (
        Column(
            "id_number",
            "身份证号",
            True,
            width=22,
            note="已登记在您辖区内的人员（请先导入人员台账）",
            example="110105199003071351",
        ),
        Column("unit_code", "最小单元编码", True, width=22, note=UNIT_NOTE),
        Column(
            "building",
            "楼栋名称",
            True,
            width=16,
            note="已登记的楼栋（请先导入楼栋与房间）",
            example="新塘里96号",
        ),
        Column("room", "房号", True, width=8, note="该楼栋已登记的房号", example="301"),
        Column(
            "move_in", "入住日期", width=12, note="如 2024-05-01；不填为今天", example="2024-05-01"
        ),
        Column(
            "move_out",
            "搬离日期",
            width=12,
            note="已搬离时填写；不能早于入住日期，也不能晚于今天",
        ),
        Column("note", "备注", width=20),
    ),
    (
        "同一人员（身份证号）在文件中只能出现一次。",
        "入住另一房间的人员，其原房间的居住记录在入住当日结束，现住址随之改为该房间。",
    ),
)

ENTERPRISES = Sheet(
    ImportKind.ENTERPRISES,
    "企业与商铺",
    (
        Column("name", "名称", True, width=24, example="江海五金制品有限公司"),
        Column("kind", "类型", True, choices=_labels(EnterpriseKind), width=10, example="企业"),
        Column(
            "uscc",
            "统一社会信用代码",
            width=22,
            note="18 位；企业必填，商铺与个体工商户可不填",
        ),
        Column("industry", "行业门类", choices=_labels(Industry), width=20, example="制造业"),
        Column("legal_person", "法定代表人或经营者", width=12, example="黄志明"),
        Column(
            "legal_person_phone",
            "联系电话",
            width=14,
            note="11 位手机号，或带区号的固定电话（如 0750-1234567）",
        ),
        Column("address", "地址", width=24),
        Column(
            "region_code",
            "网格或最小单元编码",
            True,
            width=22,
            note="15 位网格或 18 位最小单元编码；须在您的管辖范围内",
        ),
        Column("employee_count", "从业人数", width=8, note="0 到 1000000 的整数；不填为 0"),
        Column(
            "uses_gas",
            "燃气使用",
            choices=_labels(GasUse),
            width=14,
            note="不填为不使用燃气",
        ),
        Column("has_gas_alarm", "燃气报警器", choices=YES_NO, width=8, note="不填为否"),
        Column("hazardous_chemicals", "危险化学品", choices=YES_NO, width=8, note="不填为否"),
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
    (
        "统一社会信用代码在全系统唯一，文件中也只能出现一次。",
        "没有统一社会信用代码的商铺，同一网格或最小单元内名称不能重复。",
    ),
)

ASSETS = Sheet(
    ImportKind.ASSETS,
    "城市部件",
    (
        Column(
            "type",
            "部件类型",
            True,
            width=18,
            note="类型编码或名称，如 0111 消防栓（见「部件类型」表）",
            example="0111 消防栓",
        ),
        Column(
            "code",
            "部件编号",
            width=16,
            note="字母、数字和连字符，最长 32 位；不填则自动编号；同一区内唯一",
            example="XFS-0001",
        ),
        Column("name", "名称", width=16),
        Column(
            "lng",
            "经度",
            width=12,
            note="WGS84 坐标；与纬度同时填写。不填则取最小单元的位置（网格取中心）",
            example="113.1234",
        ),
        Column("lat", "纬度", width=12, example="22.5678"),
        Column(
            "region_code",
            "网格或最小单元编码",
            width=22,
            note="不填则按坐标确定；填写时坐标须在该网格内；须在您的管辖范围内",
        ),
        Column("address", "地址", width=24),
        Column(
            "state",
            "状态",
            choices=_labels(AssetState, leave_out=(AssetState.RETIRED,)),
            width=8,
            note="不填为正常",
        ),
        Column(
            "owner_department",
            "权属部门编码",
            width=12,
            note="部门编码或名称（见「部门」表），须是部件所在区的部门",
        ),
        Column("installed_on", "安装日期", width=12, note="如 2024-05-01；不能晚于今天"),
        Column("is_new", "新增部件", choices=YES_NO, width=8, note="不填为否"),
        Column("notes", "备注", width=20),
    ),
    (
        "坐标与网格或最小单元编码至少填写一项。",
        "部件编号在同一区内唯一，文件中也不能重复。",
    ),
)

SHEETS: dict[str, Sheet] = {
    s.kind.value: s for s in (PEOPLE, BUILDINGS, OCCUPANCY, ENTERPRISES, ASSETS)
}


def normalise_header(text: object) -> str:
    return "".join(str(text or "").split()).strip("*＊")
