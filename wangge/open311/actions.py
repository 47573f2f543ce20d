"""Writes for Open311: API keys, and service requests that become events.

A POST is checked here field by field (GeoReport errors: English code, Chinese
description), then reported through ``wangge.events.actions.do_report_event``
with the key's own user as the reporter; the attribute answers, the media URL
and the submitter's contact (encrypted) are kept beside the event.  The same
key + device_id + ``request_id`` (or, without one, the same parameters within
``DUPLICATE_WINDOW``) stores one event and answers with it again.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from wangge.accounts.actions import AccountError, do_assign_role, do_create_user
from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.events.actions import EventError, do_report_event
from wangge.events.models import Category
from wangge.open311 import selectors
from wangge.open311.choices import Datatype
from wangge.open311.formats import Error, Open311Error, bad_request, forbidden
from wangge.open311.models import ApiKey, ServiceAttribute, ServiceRequest
from wangge.open311.params import parse_datetime
from wangge.regions.models import Region

#: The same parameters again within this time store nothing new (without a request_id).
DUPLICATE_WINDOW = timedelta(minutes=10)
#: Events keep descriptions up to this length (the events API's limit).
MAX_DESCRIPTION = 2000
MAX_DETAIL = 500
MAX_STRING = 200
KEY_PREFIX = "o311_"
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}$")
#: Event fields named in ``EventError.fields`` → the Open311 parameter.
EVENT_FIELDS = {
    "category": "service_code",
    "lng": "long",
    "lat": "lat",
    "description": "description",
}


class ApiKeyError(ValueError):
    """A refused key operation; ``fields`` maps field names to Chinese messages."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


# --- API keys --------------------------------------------------------------------------------


def _check_admin(actor: Any) -> None:
    if actor is not None and not scope_for(actor).is_global:
        raise ApiKeyError("只有平台管理员可以管理开放接口密钥")


@transaction.atomic
def do_create_api_key(*, district: Region | str, name: str, actor: Any) -> tuple[ApiKey, str]:
    """A new key for ``district``; the clear key is returned once and never stored.

    The key gets its own user holding the resident role at the district: the events
    it creates are that user's reports (source 群众上报), anywhere in the district.
    """
    _check_admin(actor)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写密钥持有方名称"
    elif len(name) > 100:
        errors["name"] = "名称不能超过 100 字"
    region = (
        district
        if isinstance(district, Region)
        else Region.objects.filter(code=str(district).strip(), level="district").first()
    )
    if region is None or region.level != "district":
        errors["district"] = "未找到该区（请填写 6 位区划代码）"
    if errors or region is None:
        raise ApiKeyError("输入有误，请检查各字段", errors)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        user = do_create_user(
            username=f"open311-{region.code}-{secrets.token_hex(4)}",
            password=None,
            display_name=f"{name}（开放接口）"[:64],
            actor=actor,
        )
        do_assign_role(user=user, role="resident", region=region, actor=actor)
    except AccountError as exc:  # pragma: no cover - the checks above come first
        raise ApiKeyError(str(exc), exc.fields) from exc
    key = ApiKey.objects.create(
        name=name,
        district=region,
        user=user,
        key_hash=selectors.hash_key(raw),
        prefix=raw[: len(KEY_PREFIX) + 6],
    )
    record(
        "open311.create_api_key",
        actor=actor,
        obj=key,
        region_code=region.code,
        after={"name": name, "district": region.code, "prefix": key.prefix},
    )
    return key, raw


@transaction.atomic
def do_deactivate_api_key(key: ApiKey, *, actor: Any) -> ApiKey:
    """Withdraw a key: its requests stay, it can post no more."""
    _check_admin(actor)
    if key.is_active:
        ApiKey.objects.filter(pk=key.pk).update(is_active=False)
        key.is_active = False
        record(
            "open311.deactivate_api_key",
            actor=actor,
            obj=key,
            region_code=key.district.code,
            before={"is_active": True},
            after={"is_active": False},
        )
    return key


# --- service requests ----------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitInput:
    """The parameters of POST requests, as sent (strings), attributes by code."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    request_id: str = ""

    def body_hash(self) -> str:
        """A digest of every parameter except the request id (the key is fixed by the caller)."""
        parts: list[str] = []
        for name in (
            "service_code lat long address_string address_id email device_id account_id "
            "first_name last_name phone description media_url"
        ).split():
            parts.append(f"{name}={str(getattr(self, name)).strip()}")
        for code in sorted(self.attributes):
            parts.append(f"attribute[{code}]={'|'.join(self.attributes[code])}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def request_key(self) -> str:
        request_id = self.request_id.strip()
        if not request_id:
            return ""
        return hashlib.sha256(f"{self.device_id.strip()}\n{request_id}".encode()).hexdigest()


@dataclass
class SubmitResult:
    request: ServiceRequest
    created: bool


def _coordinate(value: str, name: str, low: float, high: float, errors: list[Error]) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        errors.append(
            Error(f"{name}_invalid", f"参数 {name} 无效：须为 {low:g} 到 {high:g} 之间的数")
        )
    return number


def _limit(value: str, name: str, label: str, limit: int, errors: list[Error]) -> str:
    text = value.strip()
    if len(text) > limit:
        errors.append(Error(f"{name}_too_long", f"参数 {name}（{label}）不能超过 {limit} 字"))
    return text


def _answer(
    attr: ServiceAttribute, values: Sequence[str], errors: list[Error]
) -> str | list[str] | None:
    """The checked answer to one attribute, or None (an error appended) when invalid."""
    name = f"attribute[{attr.code}]"
    values = [v.strip() for v in values if v.strip()]
    if not values:
        if attr.required:
            errors.append(Error("attribute_required", f"缺少必填属性 {name}：{attr.description}"))
        return None
    keys = attr.value_keys()
    if attr.datatype == Datatype.MULTIVALUELIST:
        unknown = [v for v in values if v not in keys]
        if unknown:
            errors.append(
                Error("attribute_invalid", f"属性 {name} 的取值无效：{'、'.join(unknown)[:60]}")
            )
            return None
        return list(dict.fromkeys(values))
    if len(values) > 1:
        errors.append(Error("attribute_invalid", f"属性 {name} 只能有一个取值"))
        return None
    value = values[0]
    problem = ""
    if attr.datatype == Datatype.SINGLEVALUELIST and value not in keys:
        problem = f"须为以下之一：{'、'.join(keys)}"
    elif attr.datatype == Datatype.NUMBER:
        try:
            if not math.isfinite(float(value)):
                problem = "须为数字"
        except ValueError:
            problem = "须为数字"
    elif attr.datatype == Datatype.DATETIME:
        try:
            parse_datetime(value)
        except ValueError:
            problem = "须为 W3C 日期时间，如 2026-07-01T20:00:00+08:00"
    elif attr.datatype == Datatype.STRING and ("\n" in value or len(value) > MAX_STRING):
        problem = f"须为不超过 {MAX_STRING} 字的单行文字"
    elif attr.datatype == Datatype.TEXT and len(value) > MAX_DETAIL:
        problem = f"不能超过 {MAX_DETAIL} 字"
    if problem:
        errors.append(Error("attribute_invalid", f"属性 {name} 的取值无效：{problem}"))
        return None
    return value


def _answers(
    attrs: list[ServiceAttribute], sent: Mapping[str, Sequence[str]], errors: list[Error]
) -> dict[str, str | list[str]]:
    by_code = {a.code: a for a in attrs if a.variable}
    for code in sent:
        if code not in by_code:
            errors.append(Error("attribute_unknown", f"该服务类型没有属性 attribute[{code[:30]}]"))
    answers: dict[str, str | list[str]] = {}
    for attr in by_code.values():
        answer = _answer(attr, sent.get(attr.code, ()), errors)
        if answer is not None:
            answers[attr.code] = answer
    return answers


def _summary(attrs: list[ServiceAttribute], answers: Mapping[str, str | list[str]]) -> str:
    """``问题：回答；…`` for the event's description, in the definition's order."""
    parts: list[str] = []
    for attr in attrs:
        answer = answers.get(attr.code)
        if answer is None:
            continue
        if attr.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
            chosen = answer if isinstance(answer, list) else [answer]
            text = "、".join(attr.value_name(v) for v in chosen)
        else:
            text = str(answer)
        parts.append(f"{attr.description.rstrip('？?：:')}：{text}")
    return "；".join(parts)


def _check(
    category: Category, data: SubmitInput
) -> tuple[dict[str, Any], dict[str, str | list[str]], list[Error]]:
    """The checked values for the report and the attribute answers, and the errors."""
    errors: list[Error] = []
    has_point = bool(data.lat.strip() or data.long.strip())
    lat = lng = math.nan
    if not has_point:
        if data.address_string.strip() or data.address_id.strip():
            errors.append(
                Error(
                    "lat_long_required",
                    "请提供经纬度 lat 和 long：本服务暂不支持仅凭地址 address_string/address_id 定位",
                )
            )
        else:
            errors.append(Error("location_missing", "缺少位置：请提供经纬度 lat 和 long"))
    elif not (data.lat.strip() and data.long.strip()):
        errors.append(Error("lat_long_required", "lat 和 long 须同时提供"))
    else:
        lat = _coordinate(data.lat.strip(), "lat", -90, 90, errors)
        lng = _coordinate(data.long.strip(), "long", -180, 180, errors)
    address = _limit(data.address_string, "address_string", "地址", 200, errors)
    description = data.description.strip()
    email = _limit(data.email, "email", "电子邮箱", 254, errors)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(Error("email_invalid", "参数 email（电子邮箱）格式无效"))
    phone = data.phone.strip()
    if phone and not PHONE.match(phone):
        errors.append(Error("phone_invalid", "参数 phone（电话）格式无效"))
    media_url = _limit(data.media_url, "media_url", "媒体链接", 500, errors)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(Error("media_url_invalid", "参数 media_url 须为 http 或 https 链接"))
    values = {
        "first_name": _limit(data.first_name, "first_name", "名", 50, errors),
        "last_name": _limit(data.last_name, "last_name", "姓", 50, errors),
        "account_id": _limit(data.account_id, "account_id", "账户编号", 100, errors),
        "device_id": _limit(data.device_id, "device_id", "设备编号", 200, errors),
    }
    _limit(data.request_id, "request_id", "请求编号", 64, errors)
    attrs = selectors.attributes_of(category)
    answers = _answers(attrs, data.attributes, errors)
    lines = [description or f"群众通过开放接口上报：{category.name}"]
    summary = _summary(attrs, answers)
    if summary:
        lines.append(f"【补充信息】{summary}")
    if media_url:
        lines.append(f"【图片链接】{media_url}")
    text = "\n".join(lines)
    if len(text) > MAX_DESCRIPTION:
        errors.append(
            Error(
                "description_too_long",
                f"问题描述过长：连同补充信息不能超过 {MAX_DESCRIPTION} 字",
            )
        )
    report = {
        "category": category.code,
        "description": text,
        "lng": lng,
        "lat": lat,
        "address": address,
        "reporter_contact": (phone or email)[:64],
    }
    contact = {"email": email, "phone": phone, "media_url": media_url, **values}
    return {"report": report, "contact": contact}, answers, errors


def _existing(
    key: ApiKey, data: SubmitInput, body_hash: str, now: datetime
) -> ServiceRequest | None:
    qs = ServiceRequest.objects.select_related("event").filter(api_key=key)
    request_key = data.request_key()
    if request_key:
        return qs.filter(request_key=request_key).first()
    return (
        qs.filter(request_key="", body_hash=body_hash, created_at__gte=now - DUPLICATE_WINDOW)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def do_submit_request(
    key: ApiKey, data: SubmitInput, *, district: Region | None = None, now: datetime | None = None
) -> SubmitResult:
    """POST requests: check, then report the event (or answer with the one sent before).

    ``district`` is the jurisdiction the client named (its key's district when it named
    none); a key posts only to its own district (403).
    """
    now = now or timezone.now()
    if not key.is_active or not key.user.is_active:
        raise forbidden("api_key_invalid", "接口密钥无效或已停用")
    if district is not None and district.pk != key.district_id:
        raise forbidden("api_key_not_for_jurisdiction", "该接口密钥不能向此管辖区提交服务请求")
    code = data.service_code.strip()
    if not code:
        raise bad_request("service_code_missing", "缺少参数 service_code（服务类型）")
    category = selectors.get_service(code)
    checked, answers, errors = _check(category, data)
    if errors:
        raise Open311Error(400, errors)
    # Requests of one key queue here (a row lock; the write lock under SQLite), so two
    # identical requests racing in store once: the second finds the first below.
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    body_hash = data.body_hash()
    existing = _existing(key, data, body_hash, now)
    if existing is not None:
        return SubmitResult(existing, False)
    request_key = data.request_key()
    try:
        result = do_report_event(
            actor=key.user,
            request_id=f"open311-{request_key[:48]}" if request_key else None,
            now=now,
            **checked["report"],
        )
    except EventError as exc:
        raise Open311Error(
            400,
            [
                Error(
                    f"{EVENT_FIELDS.get(name, name)}_invalid",
                    f"参数 {EVENT_FIELDS.get(name, name)}：{message}",
                )
                for name, message in sorted(exc.fields.items())
                if not (name == "lat" and "lng" in exc.fields)  # one error for the point
            ]
            or [Error("request_invalid", exc.message)],
        ) from exc
    if not result.created:  # pragma: no cover - the key's lock lets no twin get this far
        twin = ServiceRequest.objects.filter(event=result.event).first()
        if twin is not None:
            return SubmitResult(twin, False)
    contact = checked["contact"]
    submission = ServiceRequest.objects.create(
        event=result.event,
        api_key=key,
        token=secrets.token_hex(16),
        request_key=request_key,
        body_hash=body_hash,
        attributes=answers,
        created_at=now,
        **contact,
    )
    record(
        "open311.submit_request",
        actor=key.user,
        obj=submission,
        region_code=result.event.region_code,
        after={
            "event": result.event.number,
            "api_key": key.prefix,
            "service_code": category.code,
            "attributes": sorted(answers),
        },
    )
    return SubmitResult(submission, True)
