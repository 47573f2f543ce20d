"""Importing enterprises and shops (企业与商铺), registered through ``do_create_enterprise``.

Each row is checked like a registration: name, kind, 统一社会信用代码 (through
``organisations.actions.clean_uscc``, i.e. ``stdnum.cn.uscc``: length,
alphabet, check digit; required for enterprises), industry section, phone, a
grid or unit where the uploader may register enterprises, the safety
attributes.  A credit code appears once in the file and must not be registered
anywhere (it is unique in the whole system, as the action says); a shop
without one must not share its name with another at the same place, in the
file or in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.text import format_lazy

from wangge.ledgers.columns import ENTERPRISES
from wangge.ledgers.importers.base import Entry, RecordImporter
from wangge.ledgers.reading import Row
from wangge.lib import codes
from wangge.organisations.actions import (
    MAX_NOTE,
    OUTSIDE,
    OrganisationError,
    clean_phone,
    clean_uscc,
    do_create_enterprise,
)
from wangge.organisations.choices import EnterpriseKind, FireRisk, GasUse, Industry
from wangge.organisations.models import Enterprise

#: Sections by label (制造业), letter (C) or both (C 制造业); labels are compared in the
#: installation's language (``services.run_import``).
INDUSTRIES: list[tuple[str, Any]] = [
    *Industry.choices,
    *((value, format_lazy("{} {}", value, label)) for value, label in Industry.choices),
    *((value, format_lazy("{}{}", value, label)) for value, label in Industry.choices),
]
TAKEN_USCC = "该统一社会信用代码已登记"
TAKEN_NAME = "该网格或最小单元已登记同名的企业或商铺（无统一社会信用代码时按名称识别）"


@dataclass
class NewEnterprise:
    name: str
    kind: str
    uscc: str
    industry: str
    legal_person: str
    phone: str
    address: str
    region_code: str
    employee_count: int
    uses_gas: str
    has_gas_alarm: bool
    hazardous_chemicals: bool
    fire_risk_level: str | None
    is_operating: bool
    notes: str


class EnterpriseImporter(RecordImporter):
    sheet: ClassVar = ENTERPRISES
    perm: ClassVar[str] = "organisations.add_enterprise"
    levels: ClassVar = (codes.Level.GRID, codes.Level.UNIT)
    refusals: ClassVar = (OrganisationError,)
    fields: ClassVar = {
        "name": "name",
        "kind": "kind",
        "uscc": "uscc",
        "industry": "industry",
        "legal_person_phone": "legal_person_phone",
        "region_code": "region_code",
        "lng": "region_code",
        "employee_count": "employee_count",
        "uses_gas": "uses_gas",
        "fire_risk_level": "fire_risk_level",
    }

    def parse(self, line: int, row: Row, errors: list[str]) -> NewEnterprise | None:
        name = self.length(row, "name", 200, errors)
        if not name:
            errors.append("请填写名称")
        kind = self.pick(row, "kind", EnterpriseKind.choices, None, errors)
        if kind is None and not self.text(row, "kind"):
            errors.append("请填写类型（企业、商铺或个体工商户）")
        uscc, bad_uscc = clean_uscc(
            self.text(row, "uscc"), required=kind == EnterpriseKind.ENTERPRISE
        )
        if bad_uscc:
            errors.append(bad_uscc)
        industry = self.pick(row, "industry", INDUSTRIES, "", errors, hint=Industry.labels)
        legal_person = self.length(row, "legal_person", 64, errors)
        phone, bad_phone = clean_phone(self.text(row, "legal_person_phone"))
        if bad_phone:
            errors.append(f"{self.header('legal_person_phone')}：{bad_phone}")
        address = self.length(row, "address", 200, errors)
        place = self.place(row)
        if place is None:
            errors.append(
                f"{self.header('region_code')}："
                + (OUTSIDE if self.text(row, "region_code") else "请填写")
            )
        employees = self.number(row, "employee_count", 0, 1_000_000, errors)
        uses_gas = self.pick(row, "uses_gas", GasUse.choices, GasUse.NONE, errors)
        alarm = self.flag(row, "has_gas_alarm", False, errors)
        chemicals = self.flag(row, "hazardous_chemicals", False, errors)
        risk = self.pick(row, "fire_risk_level", FireRisk.choices, None, errors)
        operating = self.flag(row, "is_operating", True, errors)
        notes = self.length(row, "notes", MAX_NOTE, errors)
        if uscc and not bad_uscc:
            first = self.repeated(("uscc", uscc), line)
            if first is not None:
                errors.append(f"统一社会信用代码与第 {first} 行重复")
        elif not uscc and name and place is not None:
            first = self.repeated(("name", place, name), line)
            if first is not None:
                errors.append(f"与第 {first} 行重复（同一网格或最小单元内的同名商铺）")
        if errors or kind is None or place is None or uses_gas is None or industry is None:
            return None
        return NewEnterprise(
            name=name,
            kind=kind,
            uscc=uscc,
            industry=industry,
            legal_person=legal_person,
            phone=phone,
            address=address,
            region_code=place,
            employee_count=employees or 0,
            uses_gas=uses_gas,
            has_gas_alarm=alarm,
            hazardous_chemicals=chemicals,
            fire_risk_level=risk,
            is_operating=operating,
            notes=notes,
        )

    def look_up(self, batch: list[Entry]) -> None:
        wanted = [e.item.uscc for e in batch if e.item.uscc]
        taken = set(
            Enterprise.objects.filter(uscc__in=wanted).values_list("uscc", flat=True).order_by()
        )
        unnamed = [e.item for e in batch if not e.item.uscc]
        named = set(
            Enterprise.objects.filter(
                region_code__in={i.region_code for i in unnamed},
                name__in={i.name for i in unnamed},
            )
            .values_list("region_code", "name")
            .order_by()
            if unnamed
            else []
        )
        for entry in batch:
            item: NewEnterprise = entry.item
            if item.uscc in taken:
                self.refuse(entry.line, entry.values, TAKEN_USCC)
            elif not item.uscc and (item.region_code, item.name) in named:
                self.refuse(entry.line, entry.values, TAKEN_NAME)

    def create(self, entry: Entry) -> None:
        item: NewEnterprise = entry.item
        do_create_enterprise(
            actor=self.actor,
            name=item.name,
            kind=item.kind,
            region_code=item.region_code,
            uscc=item.uscc,
            industry=item.industry,
            legal_person=item.legal_person,
            legal_person_phone=item.phone,
            address=item.address,
            employee_count=item.employee_count,
            uses_gas=item.uses_gas,
            has_gas_alarm=item.has_gas_alarm,
            hazardous_chemicals=item.hazardous_chemicals,
            fire_risk_level=item.fire_risk_level,
            is_operating=item.is_operating,
            notes=item.notes,
        )
        self.count("enterprises")
