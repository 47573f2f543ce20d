"""The default asset types (城市部件小类), seeded idempotently.

Types follow the major classes of GB/T 30428.2 (管理部件: 公用设施类, 道路交通类,
市容环境类, 园林绿化类, 房屋土地类, 其他设施类); a type code is the class's two
digits and two more.  Grid practice adds a few parts the standard leaves to
local extension (微型消防站, 充电桩…).  ``seed_asset_types`` only creates what
is missing: an administrator's edits stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wangge.assets.choices import CATEGORY_DIGITS, AssetCategory
from wangge.assets.models import AssetType

PU = AssetCategory.PUBLIC_UTILITY
RT = AssetCategory.ROAD_TRAFFIC
EN = AssetCategory.ENVIRONMENT
GR = AssetCategory.GREENING
HL = AssetCategory.HOUSING_LAND
OT = AssetCategory.OTHER


@dataclass(frozen=True)
class TypeSpec:
    code: str
    name: str
    category: str
    prefix: str
    description: str = ""


TYPES: tuple[TypeSpec, ...] = (
    TypeSpec("0101", "上水井盖", PU, "SSJG", "自来水（供水）管道检查井井盖"),
    TypeSpec("0102", "污水井盖", PU, "WSJG", "污水管道检查井井盖"),
    TypeSpec("0103", "雨水井盖", PU, "YSJG", "雨水管道检查井井盖"),
    TypeSpec("0104", "雨水箅子", PU, "YSBZ", "道路雨水口箅子"),
    TypeSpec("0105", "电力井盖", PU, "DLJG", "电力电缆检查井井盖"),
    TypeSpec("0106", "路灯井盖", PU, "LDJG", "路灯电缆检查井井盖"),
    TypeSpec("0107", "通信井盖", PU, "TXJG", "通信管道检查井井盖"),
    TypeSpec("0108", "燃气井盖", PU, "RQJG", "燃气管道阀门井井盖"),
    TypeSpec("0109", "公安井盖", PU, "GAJG", "公安、交警专用管线井盖"),
    TypeSpec("0110", "无主井盖", PU, "WZJG", "权属不明的井盖"),
    TypeSpec("0111", "消防栓", PU, "XFS", "市政消火栓（地上式、地下式）"),
    TypeSpec("0112", "微型消防站", PU, "WXXFZ", "社区、单位微型消防站"),
    TypeSpec("0113", "电力设施", PU, "DLSS", "箱式变压器、配电箱等"),
    TypeSpec("0114", "通信交接箱", PU, "TXJJX", "通信线路交接箱"),
    TypeSpec("0115", "路灯", PU, "LD", "道路照明灯杆"),
    TypeSpec("0116", "监控电子眼", PU, "JKDZY", "公共安全视频监控点"),
    TypeSpec("0201", "交通信号灯", RT, "JTXHD"),
    TypeSpec("0202", "交通标志牌", RT, "JTBZP"),
    TypeSpec("0203", "道路护栏", RT, "DLHL", "道路隔离护栏、人行道护栏"),
    TypeSpec("0204", "公交站亭", RT, "GJZT"),
    TypeSpec("0205", "人行天桥", RT, "RXTQ"),
    TypeSpec("0206", "非机动车停放点", RT, "FJDC"),
    TypeSpec("0301", "公共厕所", EN, "GGCS"),
    TypeSpec("0302", "垃圾箱", EN, "LJX", "果皮箱、分类垃圾桶"),
    TypeSpec("0303", "垃圾收集点", EN, "LJSJD", "垃圾收集点、垃圾转运站"),
    TypeSpec("0304", "户外广告牌", EN, "HWGG"),
    TypeSpec("0401", "古树名木", GR, "GSMM"),
    TypeSpec("0402", "行道树", GR, "XDS"),
    TypeSpec("0403", "城市雕塑", GR, "CSDS"),
    TypeSpec("0404", "街头座椅", GR, "JTZY"),
    TypeSpec("0501", "人防工程", HL, "RFGC", "人民防空工程出入口"),
    TypeSpec("0502", "宣传栏", HL, "XCL"),
    TypeSpec("0601", "健身设施", OT, "JSSS"),
    TypeSpec("0602", "电动车充电桩", OT, "CDZ"),
    TypeSpec("0603", "应急避难场所", OT, "YJBN"),
    TypeSpec("0604", "防汛设施", OT, "FXSS", "水闸、泵站、防汛物资点"),
)

#: Codes the demo data and the base-data checklist refer to.
HYDRANT = "0111"
MICRO_FIRE_STATION = "0112"
STREET_LAMP = "0115"
CAMERA = "0116"
MANHOLE_COVERS: tuple[str, ...] = tuple(f"01{n:02d}" for n in range(1, 11) if n != 4)

for _spec in TYPES:  # the table above must keep the class digits in front
    assert _spec.code[:2] == CATEGORY_DIGITS[_spec.category], _spec  # noqa: S101


def seed_asset_types(using: str = "default") -> int:
    """Create the missing default types; return how many were created."""
    have = set(AssetType.objects.using(using).values_list("code", flat=True))
    rows = [
        AssetType(
            code=spec.code,
            name=spec.name,
            category=spec.category,
            prefix=spec.prefix,
            description=spec.description,
            sort_order=i,
        )
        for i, spec in enumerate(TYPES, start=1)
        if spec.code not in have
    ]
    AssetType.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def seed_asset_types_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "assets":
        return
    seed_asset_types(using=using)
