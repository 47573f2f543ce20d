"""The opinions of a draft as an .xlsx workbook (masked names), for the draft's managers.

The workbook is a Chinese document sent on to the drafting body: the states are in the
installation's language whatever the manager's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from wangge.audit.actions import record
from wangge.lib.language import in_data_language
from wangge.suggestions import selectors
from wangge.suggestions.actions import SuggestionForbidden
from wangge.suggestions.choices import OpinionState
from wangge.suggestions.models import Draft

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "序号",
    "联系点",
    "意见人",
    "录入方式",
    "条款",
    "意见内容",
    "提交时间",
    "状态",
    "答复",
    "答复时间",
]
#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def mask_name(name: str) -> str:
    """``陈静`` → ``陈*``, ``欧阳娜娜`` → ``欧***``: the family name and the length."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def _cell(value: Any) -> Any:
    """Text as text: a leading ``=`` (and friends) is not a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass
class OpinionExport:
    content: bytes
    filename: str
    rows: int


def do_export_opinions(draft: Draft, *, actor: Any) -> OpinionExport:
    """Every opinion of ``draft`` (names masked); managers of the draft only; audited."""
    if actor is not None and not selectors.can_manage(actor, draft.node):
        raise SuggestionForbidden(_("You may not export the opinions on this draft"))
    opinions = list(
        draft.opinions.select_related("point").order_by("point__node", "submitted_at", "id")
    )
    states = {value: in_data_language(label) for value, label in OpinionState.choices}
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "意见汇总"
    sheet.append([_cell(f"《{draft.title}》征求意见汇总（{draft.issuing_body}）")])
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for n, o in enumerate(opinions, start=1):
        sheet.append(
            [
                n,
                _cell(o.point.name),
                _cell(mask_name(o.author_name)),
                "联系点代录" if o.author_id is None else "网上提交",
                _cell(o.article),
                _cell(o.content),
                _when(o.submitted_at),
                states.get(o.state, o.state),
                _cell(o.answer),
                _when(o.answered_at),
            ]
        )
    for column, width in zip("ABCDEFGHIJ", (6, 20, 10, 10, 12, 60, 17, 8, 40, 17), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    record(
        "suggestions.export_opinions",
        actor=actor,
        obj=draft,
        region_code=draft.node,
        after={"rows": len(opinions), "masked": True},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return OpinionExport(buffer.getvalue(), f"草案意见-{draft.pk}-{stamp}.xlsx", len(opinions))


def xlsx_response(export: OpinionExport) -> HttpResponse:
    response = HttpResponse(export.content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
    return response
