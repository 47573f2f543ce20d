"""Exports of filtered lists to .xlsx, through the same selectors as the lists themselves.

ID numbers and phones are masked unless the user asks for them in clear, gives
a reason and holds ``people.unmask_person`` wherever an exported record lies.
Every export writes an audit row: who, which list and filter, how many rows,
masked or not (the filter's identifiers masked too).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.scope import prefix_q, scope_for
from wangge.audit.actions import record
from wangge.ledgers import workbooks
from wangge.ledgers.actions import INVALID, LedgerError, LedgerForbidden
from wangge.ledgers.choices import ExportKind
from wangge.lib.crypto import mask_id_number, mask_phone
from wangge.lib.language import data_language

UNMASK = "people.unmask_person"
CHUNK = 2000


def max_rows() -> int:
    return int(getattr(settings, "LEDGERS_EXPORT_MAX_ROWS", 100_000))


@dataclass
class Export:
    path: Path
    filename: str
    rows: int
    masked: bool
    _tmp: tempfile.TemporaryDirectory[str]

    def cleanup(self) -> None:
        self._tmp.cleanup()


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _names(codes: set[str]) -> dict[str, str]:
    from wangge.people.selectors import region_names

    return region_names(codes)


# --- people ---------------------------------------------------------------------------

PEOPLE_HEADERS = (
    "姓名",
    "身份证号",
    "手机号",
    "性别",
    "出生日期",
    "最小单元编码",
    "所在网格或单元",
    "户籍地址",
    "实际居住地址",
    "人员类型",
    "状态",
    "特殊人群",
    "登记时间",
)


def _people(user: Any, filters: dict[str, Any]) -> QuerySet[Any]:
    from wangge.people.selectors import search_people

    return search_people(user, **filters)


def _people_rows(qs: QuerySet[Any], masked: bool) -> Iterator[list[Any]]:
    from wangge.people.models import PersonTag

    show_id = mask_id_number if masked else (lambda v: v or "")
    show_phone = mask_phone if masked else (lambda v: v or "")
    for chunk in _chunks(qs):
        names = _names({p.region_code for p in chunk})
        tags: dict[int, list[str]] = {}
        for person_id, tag in (
            PersonTag.objects.filter(person_id__in=[p.pk for p in chunk])
            .order_by("tag__sort_order", "tag__code")
            .values_list("person_id", "tag__name")
        ):
            tags.setdefault(person_id, []).append(tag)
        for p in chunk:
            yield [
                p.name,
                show_id(p.id_number),
                show_phone(p.phone),
                p.get_gender_display(),
                p.birth_date.isoformat() if p.birth_date else "",
                p.region_code,
                names.get(p.region_code, ""),
                p.registered_address,
                p.residence_address,
                p.get_residence_type_display(),
                p.get_status_display(),
                "、".join(tags.get(p.pk, [])),
                _when(p.created_at),
            ]


# --- buildings ------------------------------------------------------------------------

BUILDING_HEADERS = (
    "楼栋名称",
    "楼栋地址",
    "最小单元编码",
    "所在单元",
    "层数",
    "用途",
    "出租屋",
    "房东姓名",
    "房东电话",
    "管理人",
    "房间数",
    "现住人数",
    "最近核实",
)


def _buildings(user: Any, filters: dict[str, Any]) -> QuerySet[Any]:
    from wangge.places.selectors import buildings_filtered

    return buildings_filtered(user, **filters).select_related("rental")


def _building_rows(qs: QuerySet[Any], masked: bool) -> Iterator[list[Any]]:
    for chunk in _chunks(qs):
        names = _names({b.region_code for b in chunk})
        for b in chunk:
            rental = getattr(b, "rental", None)
            phone = rental.landlord_phone if rental else ""
            yield [
                b.name,
                b.address,
                b.region_code,
                names.get(b.region_code, ""),
                b.floors,
                b.get_use_display(),
                _yes(b.is_rental),
                rental.landlord_name if rental else "",
                mask_phone(phone) if masked else phone,
                rental.manager_name if rental else "",
                b.room_count,
                b.occupant_count,
                _when(b.verified_at),
            ]


# --- enterprises -----------------------------------------------------------------------

ENTERPRISE_HEADERS = (
    "名称",
    "类型",
    "统一社会信用代码",
    "行业门类",
    "法定代表人或经营者",
    "联系电话",
    "地址",
    "网格或最小单元编码",
    "从业人数",
    "燃气使用",
    "燃气报警器",
    "危险化学品",
    "消防风险等级",
    "在营",
    "最近核实",
)


def _enterprises(user: Any, filters: dict[str, Any]) -> QuerySet[Any]:
    from wangge.organisations.selectors import enterprises_filtered

    return enterprises_filtered(user, **filters)


def _enterprise_rows(qs: QuerySet[Any], masked: bool) -> Iterator[list[Any]]:
    for chunk in _chunks(qs):
        for e in chunk:
            phone = e.legal_person_phone or ""
            yield [
                e.name,
                e.get_kind_display(),
                e.uscc,
                e.get_industry_display() if e.industry else "",
                e.legal_person,
                mask_phone(phone) if masked else phone,
                e.address,
                e.region_code,
                e.employee_count,
                e.get_uses_gas_display(),
                _yes(e.has_gas_alarm),
                _yes(e.hazardous_chemicals),
                e.get_fire_risk_level_display(),
                _yes(e.is_operating),
                _when(e.verified_at),
            ]


# --- assets ----------------------------------------------------------------------------

ASSET_HEADERS = (
    "部件类型",
    "部件编号",
    "名称",
    "经度",
    "纬度",
    "网格或最小单元编码",
    "地址",
    "状态",
    "权属部门编码",
    "安装日期",
    "新增部件",
    "备注",
    "最近巡查",
)


def _assets(user: Any, filters: dict[str, Any]) -> QuerySet[Any]:
    from wangge.assets.selectors import assets_filtered

    return assets_filtered(user, **filters).select_related("type", "owner_department")


def _asset_rows(qs: QuerySet[Any], masked: bool) -> Iterator[list[Any]]:
    for chunk in _chunks(qs):
        for a in chunk:
            yield [
                f"{a.type.code} {a.type.name}",
                a.code,
                a.name,
                a.lng,
                a.lat,
                a.region_code,
                a.address,
                a.get_state_display(),
                a.owner_department.code if a.owner_department else "",
                a.installed_on.isoformat() if a.installed_on else "",
                _yes(a.is_new),
                a.notes,
                _when(a.last_inspected_at),
            ]


# --- the export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    title: str
    headers: tuple[str, ...]
    queryset: Callable[[Any, dict[str, Any]], QuerySet[Any]]
    rows: Callable[[QuerySet[Any], bool], Iterator[list[Any]]]
    #: Whether the list holds ID numbers or phones (masked by default).
    personal: bool


SPECS: dict[str, Spec] = {
    ExportKind.PEOPLE: Spec("人员", PEOPLE_HEADERS, _people, _people_rows, True),
    ExportKind.BUILDINGS: Spec("楼栋", BUILDING_HEADERS, _buildings, _building_rows, True),
    ExportKind.ENTERPRISES: Spec(
        "企业与商铺", ENTERPRISE_HEADERS, _enterprises, _enterprise_rows, True
    ),
    ExportKind.ASSETS: Spec("城市部件", ASSET_HEADERS, _assets, _asset_rows, False),
}


def _chunks(qs: QuerySet[Any]) -> Iterator[list[Any]]:
    """The rows in pk-keyed chunks (constant memory, one query per chunk)."""
    chunk: list[Any] = []
    for obj in qs.iterator(chunk_size=CHUNK):
        chunk.append(obj)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def audit_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filter as the audit log keeps it: identifiers in it masked."""
    from wangge.people.selectors import parse_query

    kept: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None or value == "":
            continue
        if key == "q":
            query = parse_query(str(value))
            if query is not None and query.kind == "id_number":
                value = mask_id_number(query.value)
            elif query is not None and query.kind == "phone":
                value = mask_phone(query.value)
        elif key == "phone_hash":
            key, value = "legal_person_phone", "（按号码精确查找）"
        kept[key] = value
    return kept


def do_export(
    *,
    actor: Any,
    kind: str,
    filters: dict[str, Any],
    unmasked: bool = False,
    reason: str = "",
    audit_extra: dict[str, Any] | None = None,
) -> Export:
    """The filtered list as an .xlsx in a temporary directory (``cleanup()`` when sent)."""
    spec = SPECS[ExportKind(kind)]
    qs = spec.queryset(actor, filters)
    reason = (reason or "").strip()
    clear = unmasked and spec.personal
    if clear:
        if len(reason) < 2:
            raise LedgerError(
                INVALID,
                {
                    "reason": _(
                        "Exporting ID numbers and phones in clear needs a reason (at least 2 "
                        "characters)."
                    )
                },
            )
        scope = scope_for(actor)
        if not scope.is_global:
            roots = scope.roots_with(UNMASK)
            if not roots or qs.exclude(prefix_q("region_code", roots)).exists():
                raise LedgerForbidden(
                    _(
                        "You may not export the ID numbers or phones of some of these records in clear."
                    )
                )
    count = qs.count()
    limit = max_rows()
    if count > limit:
        raise LedgerError(
            _("%(count)s rows, more than the %(limit)s one export may hold: please narrow it down.")
            % {"count": f"{count:,}", "limit": f"{limit:,}"},
            {"under": _("Choose a smaller area or add filters.")},
        )
    tmp = tempfile.TemporaryDirectory()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    path = Path(tmp.name) / "export.xlsx"
    try:
        # In the columns and words of the import templates, whatever the user's language: an
        # export is sent on or imported again.
        with data_language():
            workbooks.table(spec.title, spec.headers, spec.rows(qs, not clear), path)
    except BaseException:
        tmp.cleanup()
        raise
    record(
        "ledgers.export",
        actor=actor,
        object_type="ledgers.export",
        object_id=str(kind),
        object_repr=f"{spec.title}台账导出",
        region_code=str(filters.get("under") or ""),
        after={
            "kind": str(kind),
            "filters": {**audit_filters(filters), **(audit_extra or {})},
            "rows": count,
            "masked": not clear,
        },
        reason=reason if clear else "",
    )
    return Export(path, f"{spec.title}台账-{stamp}.xlsx", count, not clear, tmp)
