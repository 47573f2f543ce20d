"""Every operation of the API, as every user of the test world: nothing out of scope leaks.

The operations come from the OpenAPI schema (``/api/v1/openapi.json``), so
endpoints added later are walked automatically, one test per operation.
Parameters are filled by name from ``NAMED_FILLERS`` or, for enums, booleans
and dates, from the schema itself.  A read with a parameter nobody knows how to
fill fails with a message asking for a filler rather than being skipped.
Writes (POST, …) use a body from ``BODY_FILLERS`` when there is one and an
empty JSON object otherwise.

Rules checked:

* anonymous callers get 401 from every operation with security; the only
  public operations are ``POST /auth/token`` and the arrival-report form's (receipts only);
* no answer (success or error) mentions a hierarchy code the user may not see.
  Allowed besides visible codes: ancestors of the user's own nodes (they are
  prefixes of the user's own codes: breadcrumbs, ``parent``) and codes the
  caller sent itself (and their prefixes);
* an operation about one region (``{code}``, a point) answers 404 exactly when
  that region is out of scope, with the same body as for one that does not
  exist;
* a write never creates regions outside the nodes the user works in, and only
  global users create users, roles, assignments or departments.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from wangge.accounts.models import Assignment, Department, Role, User
from wangge.accounts.scope import Scope, scope_for
from wangge.accounts.tokens import issue_token
from wangge.api.root import api as ninja_api
from wangge.arrivals.testing import sample_arrivals
from wangge.campaigns.testing import sample_campaigns
from wangge.care.testing import sample_visits
from wangge.emergency.testing import sample_emergencies, sample_emergency_tasks
from wangge.inspections.testing import sample_inspections
from wangge.ledgers.testing import sample_import_jobs
from wangge.lib import codes
from wangge.notifications.samples import sample_notifications, sample_webhooks
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region
from wangge.reports.testing import sample_reports, sample_schedules
from wangge.suggestions.testing import sample_suggestions
from wangge.testing import (
    GRID_A,
    PASSWORD,
    SAMPLE_PEOPLE,
    SAMPLE_PHONE,
    USERS,
    World,
    box,
    sample_attachments,
    sample_basedata,
    sample_events,
    sample_people,
)
from wangge.workforce.testing import sample_workforce

API_PREFIX = "/api/v1/"
ANONYMOUS = "anonymous"
ALL_CALLERS = [*sorted(USERS), ANONYMOUS]
WRITE_METHODS = ("post", "put", "patch", "delete")

#: Hierarchy codes of the test world as they may appear inside any text.
CODE_IN_TEXT = re.compile(r"(?<![0-9])4407[0-9]{2,14}(?![0-9])")

#: Operations anybody may call without credentials.
PUBLIC_OPERATIONS = {
    ("post", "/api/v1/auth/token"),
    # Arrival reports (离返报备): the public form answers with receipts only.
    ("get", "/api/v1/arrivals/form-token"),
    ("post", "/api/v1/arrivals"),
    ("post", "/api/v1/arrivals/groups"),
    ("post", "/api/v1/arrivals/groups/{group_code}/reports"),
}

#: A point and a code that belong to no region at all.
NOWHERE = {"lat": "22.05", "lng": "113.25"}
NO_SUCH_CODE = "440704009009009"

#: Workbooks (templates, exports, reports) are checked cell by cell like JSON answers.
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Beyond this many combinations of parameter values, vary one parameter at a time.
MAX_COMBINATIONS = 60


# --- fillers -----------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """Values for some parameters; ``subject`` is the region the answer is about, if any."""

    values: dict[str, str]
    subject: str | None = None


OMITTED = Option({})


@dataclass(frozen=True)
class Filler:
    options: Callable[[World], list[Option]]
    #: Values naming nothing that exists, to be answered like a region out of scope.
    missing: dict[str, str] | None = None


def _region_codes(world: World) -> list[str]:
    return sorted(world.regions)


def _points(world: World) -> list[Option]:
    """The centroid of every grid and the point of every unit.

    The subject is the most precise node holding the point (its unit, else its
    grid): a user answers 200 exactly when they may see that node, since seeing
    a grid means seeing its units and a unit's grid is its holder's ancestor.
    """
    from wangge.regions import spatial

    options = []
    for _code, region in sorted(world.regions.items()):
        if region.level == RegionLevel.GRID:
            lng, lat = region.centroid_lng, region.centroid_lat
        elif (
            region.level == RegionLevel.UNIT
            and region.point_lat is not None
            and region.point_lng is not None
        ):
            lng, lat = region.point_lng, region.point_lat
        else:
            continue
        found = spatial.locate(lng, lat)
        subject = found.unit_code or found.grid_code
        options.append(Option({"lat": repr(lat), "lng": repr(lng)}, subject))
    return options


def _departments(world: World) -> list[Option]:
    return [OMITTED, *(Option({"department": str(d.pk)}) for d in world.departments.values())]


def _categories(world: World) -> list[Option]:
    try:
        category = apps.get_model("events", "Category")
    except LookupError:
        return [OMITTED]
    return [
        OMITTED,
        *(Option({"category": c}) for c in category.objects.values_list("code", flat=True)[:20]),
    ]


#: Parameters by name (path and query), grouped where they only make sense together.
NAMED_FILLERS: dict[frozenset[str], Filler] = {
    frozenset({"code"}): Filler(
        lambda w: [Option({"code": c}, c) for c in _region_codes(w)], missing={"code": NO_SUCH_CODE}
    ),
    frozenset({"under"}): Filler(
        lambda w: [OMITTED, *(Option({"under": c}) for c in _region_codes(w))]
    ),
    frozenset({"lat", "lng"}): Filler(_points, missing=NOWHERE),
    frozenset({"limit"}): Filler(lambda w: [Option({"limit": "500"})]),
    frozenset({"offset"}): Filler(lambda w: [Option({"offset": "0"})]),
    frozenset({"department"}): Filler(_departments),
    frozenset({"category"}): Filler(_categories),
    # Who sees an event is not only a matter of region (departments see what is
    # dispatched to them), so event ids carry no region subject.
    frozenset({"event_id"}): Filler(
        lambda w: [Option({"event_id": str(pk)}) for pk in sample_events(w)]
    ),
    # One photo per sample event: every pairing is tried, so a photo is asked for
    # through its own event and through the others.
    frozenset({"attachment_id"}): Filler(
        lambda w: [Option({"attachment_id": str(pk)}) for _event, pk in sample_attachments(w)]
    ),
    # People and places are seen by roles holding people.view_person / places.view_building
    # at their node (not by everyone who sees the map), so their ids carry no region subject.
    frozenset({"person_id"}): Filler(
        lambda w: [Option({"person_id": str(pk)}) for pk in sample_people(w).people.values()]
    ),
    frozenset({"household_id"}): Filler(
        lambda w: [Option({"household_id": str(pk)}) for pk in sample_people(w).households]
    ),
    frozenset({"building_id"}): Filler(
        lambda w: [Option({"building_id": str(pk)}) for pk in sample_people(w).buildings.values()]
    ),
    frozenset({"report_id"}): Filler(
        lambda w: [Option({"report_id": str(pk)}) for pk in sample_arrivals(w)]
    ),
    frozenset({"inspection_id"}): Filler(
        lambda w: [Option({"inspection_id": str(pk)}) for pk in sample_inspections(w).inspections]
    ),
    frozenset({"hazard_id"}): Filler(
        lambda w: [Option({"hazard_id": str(pk)}) for pk in sample_inspections(w).hazards]
    ),
    frozenset({"emergency_id"}): Filler(
        lambda w: [Option({"emergency_id": str(pk)}) for pk in sample_emergencies(w)]
    ),
    frozenset({"emergency_task_id"}): Filler(
        lambda w: [Option({"emergency_task_id": str(pk)}) for pk in sample_emergency_tasks(w)]
    ),
    frozenset({"campaign_id"}): Filler(
        lambda w: [Option({"campaign_id": str(pk)}) for pk in sample_campaigns(w).campaigns]
    ),
    frozenset({"target_id"}): Filler(
        lambda w: [Option({"target_id": str(pk)}) for pk in sample_campaigns(w).targets]
    ),
    frozenset({"photo_id"}): Filler(
        lambda w: [Option({"photo_id": str(pk)}) for pk in sample_campaigns(w).photos]
    ),
    frozenset({"session_id"}): Filler(
        lambda w: [Option({"session_id": str(pk)}) for pk in sample_workforce(w).sessions]
    ),
    frozenset({"scorecard_id"}): Filler(
        lambda w: [Option({"scorecard_id": str(pk)}) for pk in sample_workforce(w).scorecards]
    ),
    frozenset({"notification_id"}): Filler(
        lambda w: [Option({"notification_id": str(pk)}) for pk in sample_notifications(w)]
    ),
    frozenset({"webhook_id"}): Filler(
        lambda w: [Option({"webhook_id": str(pk)}) for pk in sample_webhooks(w)]
    ),
    frozenset({"text"}): Filler(lambda w: [Option({"text": "井盖松动"})]),
    frozenset({"bbox"}): Filler(
        lambda w: [
            OMITTED,
            Option({"bbox": "113.0,22.0,113.2,22.2"}),
            Option({"bbox": "113.3,22.0,113.4,22.1"}),
        ]
    ),
    frozenset({"visit_id"}): Filler(
        lambda w: [Option({"visit_id": str(pk)}) for pk in sample_visits(w)]
    ),
    frozenset({"node"}): Filler(
        lambda w: [OMITTED, *(Option({"node": c}) for c in _region_codes(w))]
    ),
    frozenset({"month"}): Filler(
        lambda w: [OMITTED, Option({"month": timezone.localdate().strftime("%Y-%m")})]
    ),
    frozenset({"room_id"}): Filler(
        lambda w: [Option({"room_id": str(pk)}) for pk in sample_people(w).rooms.values()]
    ),
    # Search text: a name prefix, pinyin initials, and exact identifiers of residents of grid
    # B and grid A (found only by those who see them).
    frozenset({"q"}): Filler(
        lambda w: [
            OMITTED,
            Option({"q": "样例"}),
            Option({"q": "yl"}),
            Option({"q": SAMPLE_PEOPLE["b"][2]}),
            Option({"q": SAMPLE_PEOPLE["a"][3]}),
        ]
    ),
    frozenset({"tag"}): Filler(lambda w: [OMITTED, Option({"tag": "disabled"})]),
    # Things and organisations: departments also see the assets they own, so asset ids carry
    # no region subject; the others follow it for uniformity.
    frozenset({"asset_id"}): Filler(
        lambda w: [Option({"asset_id": str(pk)}) for pk in sample_basedata(w).assets]
    ),
    frozenset({"asset_type"}): Filler(
        lambda w: [OMITTED, Option({"asset_type": "0111"}), Option({"asset_type": "01"})]
    ),
    frozenset({"enterprise_id"}): Filler(
        lambda w: [Option({"enterprise_id": str(pk)}) for pk in sample_basedata(w).enterprises]
    ),
    frozenset({"legal_person_phone"}): Filler(
        lambda w: [OMITTED, Option({"legal_person_phone": SAMPLE_PHONE})]
    ),
    frozenset({"party_org_id"}): Filler(
        lambda w: [Option({"party_org_id": str(pk)}) for pk in sample_basedata(w).party]
    ),
    frozenset({"company_id"}): Filler(
        lambda w: [Option({"company_id": str(pk)}) for pk in sample_basedata(w).companies]
    ),
    frozenset({"social_org_id"}): Filler(
        lambda w: [Option({"social_org_id": str(pk)}) for pk in sample_basedata(w).social]
    ),
    # A grid's checklist is for those working at or above the grid, not for all who see it
    # on the map (departments, residents): no region subject, but a missing grid is a 404.
    # Import jobs are seen by their uploader (and administrators): no region subject.
    frozenset({"job_id"}): Filler(
        lambda w: [Option({"job_id": str(pk)}) for pk in sample_import_jobs(w)]
    ),
    # Clear values in exports are not walked (they are what unmasking is for): no reason given.
    frozenset({"reason"}): Filler(lambda w: [OMITTED]),
    # Reports and schedules belong to a node but are seen only through the dashboards'
    # permission there (not by everyone who sees the map): no region subject.
    frozenset({"periodic_report_id"}): Filler(
        lambda w: [Option({"periodic_report_id": str(pk)}) for pk in sample_reports(w)]
    ),
    frozenset({"schedule_id"}): Filler(
        lambda w: [Option({"schedule_id": str(pk)}) for pk in sample_schedules(w)]
    ),
    # Suggestions are seen by their submitter and by departments they are assigned to, drafts
    # and opinions by their points' staff and authors: no region subject.
    frozenset({"suggestion_id"}): Filler(
        lambda w: [Option({"suggestion_id": str(pk)}) for pk in sample_suggestions(w).suggestions]
    ),
    frozenset({"draft_id"}): Filler(
        lambda w: [Option({"draft_id": str(pk)}) for pk in sample_suggestions(w).drafts]
    ),
    frozenset({"opinion_id"}): Filler(
        lambda w: [Option({"opinion_id": str(pk)}) for pk in sample_suggestions(w).opinions]
    ),
    frozenset({"grid"}): Filler(
        lambda w: [
            Option({"grid": c}) for c in _region_codes(w) if codes.level_of(c) is codes.Level.GRID
        ],
        missing={"grid": NO_SUCH_CODE},
    ),
}


def _schema_filler(
    name: str, schema: dict[str, Any], required: bool, components: dict[str, Any]
) -> Filler | None:
    """Values straight from the schema: every enum member, both booleans, a few dates."""
    variants = [schema]
    if "anyOf" in schema:
        variants = [v for v in schema["anyOf"] if v.get("type") != "null"]
    if len(variants) != 1:
        return None
    resolved = variants[0]
    if "$ref" in resolved:
        resolved = components[resolved["$ref"].rsplit("/", 1)[-1]]
    values: list[str]
    if "enum" in resolved:
        values = [str(v) for v in resolved["enum"]]
    elif resolved.get("type") == "boolean":
        values = ["true", "false"]
    elif resolved.get("type") == "string" and resolved.get("format") == "date":
        values = ["2000-01-01", date.today().isoformat()]  # noqa: DTZ011 - any day will do
    else:
        return None
    options = [Option({name: v}) for v in values]
    return Filler(lambda w: options if required else [OMITTED, *options])


# --- request bodies ------------------------------------------------------------------


def _feature_collection(*features: tuple[str, str, dict[str, Any], list[float] | None]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {
                        "code": code,
                        "name": name,
                        **({"point": point} if point else {}),
                    },
                }
                for code, name, geometry, point in features
            ],
        },
        ensure_ascii=False,
    ).encode()


#: Rows a caller might try to create: beside grid B, under grid B, in the other
#: district, a new district, and (last) under grid A, where worker_a works.
IMPORT_ATTEMPTS: list[bytes] = [
    _feature_collection(("440704002001002", "新网格", box(113.1, 22.0, 113.15, 22.1), None)),
    _feature_collection(
        ("440704002001001003", "新单元", box(113.1, 22.0, 113.15, 22.05), [113.12, 22.02])
    ),
    _feature_collection(("440703002", "新街道", box(113.3, 22.0, 113.35, 22.05), None)),
    _feature_collection(("440705", "新区", box(113.5, 22.0, 113.6, 22.1), None)),
    _feature_collection(
        (GRID_A + "003", "新单元", box(113.0, 22.0, 113.01, 22.01), [113.005, 22.005])
    ),
]


def _import_bodies(world: World) -> Iterator[dict[str, Any]]:
    for i, data in enumerate(IMPORT_ATTEMPTS):
        yield {
            "data": {
                "file": SimpleUploadedFile(f"attempt{i}.geojson", data, "application/geo+json")
            }
        }


def _token_bodies(world: World) -> Iterator[dict[str, Any]]:
    for username, password in (("worker_a", PASSWORD), ("admin", "wrong-password")):
        yield _json_body({"username": username, "password": password})


def _json_body(payload: Any) -> dict[str, Any]:
    return {"data": json.dumps(payload, ensure_ascii=False), "content_type": "application/json"}


#: (method, path) → keyword arguments for the test client, one dict per attempt.
BODY_FILLERS: dict[tuple[str, str], Callable[[World], Iterator[dict[str, Any]]]] = {
    ("post", "/api/v1/regions/import"): _import_bodies,
    ("post", "/api/v1/auth/token"): _token_bodies,
}


def _default_bodies(world: World) -> Iterator[dict[str, Any]]:
    yield _json_body({})


# --- the operations --------------------------------------------------------------


@dataclass
class Operation:
    method: str
    path: str
    spec: dict[str, Any]
    components: dict[str, Any]
    query: list[str] = field(default_factory=list)
    path_params: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))

    def parameter(self, name: str) -> dict[str, Any]:
        return next(p for p in self.spec.get("parameters", []) if p["name"] == name)


def parse_operations(schema: dict[str, Any]) -> list[Operation]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            if method not in ("get", *WRITE_METHODS):
                continue
            op = Operation(method, path, spec, components)
            for param in spec.get("parameters", []):
                if param["in"] == "query":
                    op.query.append(param["name"])
                elif param["in"] == "path":
                    op.path_params.append(param["name"])
            found.append(op)
    return found


OPERATIONS = parse_operations(ninja_api.get_openapi_schema(path_prefix=API_PREFIX))
READS = [op for op in OPERATIONS if op.method == "get"]
WRITES = [op for op in OPERATIONS if op.method in WRITE_METHODS]


def fillers_for(op: Operation, *, strict: bool = True) -> tuple[list[Filler], list[str]]:
    """Fillers covering every parameter of ``op``, and the names nobody can fill."""
    wanted = set(op.query) | set(op.path_params)
    chosen = []
    for group, filler in NAMED_FILLERS.items():
        if group <= wanted:
            chosen.append(filler)
            wanted -= group
    unknown = []
    for name in sorted(wanted):
        param = op.parameter(name)
        generic = _schema_filler(
            name, param.get("schema", {}), bool(param.get("required")), op.components
        )
        if generic is None:
            unknown.append(name)
        else:
            chosen.append(generic)
    if unknown and strict:
        pytest.fail(
            f"{op.label}: no filler for parameter(s) {unknown}. Add one to NAMED_FILLERS in "
            f"{__name__} so the leak test can call this endpoint."
        )
    return chosen, unknown


def calls(op: Operation, world: World) -> list[tuple[str, dict[str, str], str | None]]:
    """(url, query, subject) for every combination of parameter values."""
    fillers, _unknown = fillers_for(op)
    option_lists = [f.options(world) for f in fillers]
    for opts in option_lists:
        assert opts, f"{op.label}: a filler gave no values"
    size = 1
    for opts in option_lists:
        size *= len(opts)
    if size <= MAX_COMBINATIONS:
        combos = list(itertools.product(*option_lists))
    else:
        combos = [
            tuple(opt if j == i else other[0] for j, other in enumerate(option_lists))
            for i, opts in enumerate(option_lists)
            for opt in opts
        ]
    result = []
    for combo in combos:
        values: dict[str, str] = {}
        for option in combo:
            values.update(option.values)
        subjects = [o.subject for o in combo if o.subject]
        result.append((*url_of(op, values), subjects[0] if subjects else None))
    return result


def missing_call(op: Operation, world: World) -> tuple[str, dict[str, str]] | None:
    """A call naming a region that does not exist, or None if the operation is about none."""
    fillers, _unknown = fillers_for(op)
    if not any(f.missing for f in fillers):
        return None
    values: dict[str, str] = {}
    for filler in fillers:
        values.update(filler.missing if filler.missing else filler.options(world)[0].values)
    return url_of(op, values)


def url_of(op: Operation, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    url = op.path
    query = dict(values)
    for name in op.path_params:
        url = url.replace("{" + name + "}", query.pop(name))
    return url, query


def write_urls(op: Operation, world: World) -> list[str]:
    """URLs for a write: every value of known path parameters, a placeholder for others."""
    option_lists = []
    covered: set[str] = set()
    for group, filler in NAMED_FILLERS.items():
        if group <= set(op.path_params):
            option_lists.append([o for o in filler.options(world) if o.values])
            covered |= group
    placeholders = {name: "1" for name in op.path_params if name not in covered}
    urls = []
    for combo in itertools.product(*option_lists):
        values = dict(placeholders)
        for option in combo:
            values.update(option.values)
        urls.append(url_of(op, values)[0])
    return urls


# --- checks ---------------------------------------------------------------------


def codes_in(value: Any) -> Iterator[str]:
    """Every hierarchy code anywhere in a JSON document (keys, strings, integers)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from codes_in(key)
            yield from codes_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from codes_in(item)
    elif isinstance(value, str):
        yield from CODE_IN_TEXT.findall(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield from CODE_IN_TEXT.findall(str(value))


def may_mention(scope: Scope, code: str) -> bool:
    """Visible, or an ancestor of a node the user sees (a prefix of the user's own codes)."""
    return scope.can_see_region(code) or any(root.startswith(code) for root in scope.map_roots)


def may_write(scope: Scope, code: str) -> bool:
    return scope.is_global or any(code.startswith(root) for root in scope.node_roots)


def echoed_codes(*texts: str) -> frozenset[str]:
    """Codes in what the caller sent, with their ancestors (prefixes: nothing new to the caller)."""
    sent = {code for text in texts for code in CODE_IN_TEXT.findall(text)}
    return frozenset(sent | {a for c in sent if codes.is_valid(c) for a in codes.ancestors_of(c)})


def sent_codes(kwargs: dict[str, Any]) -> frozenset[str]:
    """Codes inside a request body (JSON text or uploaded files), with their ancestors."""
    data = kwargs.get("data")
    texts: list[str] = []
    if isinstance(data, str | bytes):
        texts.append(data.decode() if isinstance(data, bytes) else data)
    elif isinstance(data, dict):
        for value in data.values():
            if isinstance(value, SimpleUploadedFile):
                value.seek(0)
                texts.append(value.read().decode("utf-8", "replace"))
                value.seek(0)
            else:
                texts.append(str(value))
    return echoed_codes(*texts)


def check_no_leak(
    scope: Scope | None, body: Any, context: str, echoed: frozenset[str] = frozenset()
) -> None:
    leaked = sorted(
        {
            c
            for c in codes_in(body)
            if c not in echoed and (scope is None or not may_mention(scope, c))
        }
    )
    assert not leaked, f"{context} mentions codes out of scope: {leaked}"


def client_for(world: World, caller: str) -> Client:
    if caller == ANONYMOUS:
        return Client()
    key, _ = issue_token(world[caller])
    return Client(headers={"Authorization": f"Bearer {key}"})


def scope_of(world: World, caller: str) -> Scope | None:
    return None if caller == ANONYMOUS else scope_for(world[caller])


def cells_of(response: Any) -> list[Any]:
    """Every cell value of every sheet of a workbook answer."""
    import io

    from openpyxl import load_workbook

    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def json_of(response: Any, context: str) -> Any:
    assert response["Content-Type"].startswith("application/json"), (
        context,
        response.content[:300],
    )
    return response.json()


def snapshot() -> dict[str, Any]:
    return {
        "regions": set(Region.objects.values_list("code", flat=True)),
        "users": sorted(User.objects.values_list("username", "is_superuser", "is_active")),
        "assignments": sorted(
            Assignment.objects.values_list(
                "user_id", "role_id", "region_id", "department_id", "is_active"
            )
        ),
        "departments": Department.objects.count(),
        "roles": sorted(Role.objects.values_list("slug", "scope")),
        "role_permissions": Role.permissions.through.objects.count(),
    }


# --- the tests ----------------------------------------------------------------------


def test_it_walks_the_operations_the_api_publishes(world):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    published = {(op.method, op.path) for op in parse_operations(response.json())}
    assert published == {(op.method, op.path) for op in OPERATIONS}
    assert ("get", "/api/v1/regions") in published
    assert ("get", "/api/v1/regions/{code}") in published
    assert ("get", "/api/v1/locate") in published


def test_it_has_only_the_expected_public_operations():
    assert {(op.method, op.path) for op in OPERATIONS if not op.secured} == PUBLIC_OPERATIONS


@pytest.mark.parametrize("op", READS, ids=lambda op: op.label)
def test_it_leaks_nothing_out_of_scope_on_reads(world, op):
    plan = calls(op, world)
    missing = missing_call(op, world)
    for caller in ALL_CALLERS:
        client = client_for(world, caller)
        scope = scope_of(world, caller)
        missing_body = None
        if missing is not None and scope is not None:
            response = client.get(*missing)
            assert response.status_code == 404, (caller, op.label, response.content)
            missing_body = response.content
        answered = 0
        for url, query, subject in plan:
            context = f"{caller}: GET {url} {query}"
            response = client.get(url, query)
            if scope is None:
                if op.secured:
                    assert response.status_code == 401, (context, response.content)
                    check_no_leak(None, json_of(response, context), context)
                continue
            assert response.status_code < 500, (context, response.content)
            if response.status_code == 200 and response["Content-Type"].startswith("image/"):
                # A photo: served without metadata (wangge/events/tests/test_attachments.py).
                answered += 1
                continue
            if response.status_code == 200 and response["Content-Type"] == SPREADSHEET:
                check_no_leak(
                    scope, cells_of(response), context, echoed_codes(url, *query.values())
                )
                answered += 1
                continue
            body = json_of(response, context)
            check_no_leak(scope, body, context, echoed_codes(url, *query.values()))
            if subject is not None:
                if scope.can_see_region(subject):
                    assert response.status_code == 200, (context, response.content)
                else:
                    assert response.status_code == 404, (context, response.content)
                    assert response.content == missing_body, context
            answered += response.status_code == 200
        if caller == "admin":
            assert answered, (
                f"{caller} got no successful answer from {op.label}: the walk proves nothing"
            )


@pytest.mark.parametrize("op", WRITES, ids=lambda op: op.label)
def test_it_lets_nobody_write_out_of_scope(world, op):
    make_bodies = BODY_FILLERS.get((op.method, op.path), _default_bodies)
    urls = write_urls(op, world)
    for caller in ALL_CALLERS:
        client = client_for(world, caller)
        scope = scope_of(world, caller)
        for url in urls:
            for attempt, kwargs in enumerate(make_bodies(world)):
                context = f"{caller}: {op.method.upper()} {url} attempt {attempt}"
                before = snapshot()
                with transaction.atomic():
                    response = getattr(client, op.method)(url, **kwargs)
                    after = snapshot()
                    transaction.set_rollback(True)
                assert response.status_code < 500, (context, response.content)
                if scope is None:
                    if op.secured:
                        assert response.status_code == 401, (context, response.content)
                    assert after == before, context
                    continue
                check_no_leak(
                    scope,
                    json_of(response, context),
                    context,
                    sent_codes(kwargs) | echoed_codes(url),
                )
                created = after["regions"] - before["regions"]
                out_of_scope = sorted(c for c in created if not may_write(scope, c))
                assert not out_of_scope, f"{context} created regions out of scope: {out_of_scope}"
                if not scope.is_global:
                    keep = {k: v for k, v in before.items() if k != "regions"}
                    assert {k: v for k, v in after.items() if k != "regions"} == keep, context


def test_it_refuses_imports_from_users_without_the_permission(api, world):
    """The attempts are refused for real, not merely rolled back by the walker."""
    before = set(Region.objects.values_list("code", flat=True))
    for username in sorted(USERS):
        if username == "admin":
            continue
        client = api(username)
        for kwargs in _import_bodies(world):
            response = client.post("/api/v1/regions/import", **kwargs)
            assert response.status_code == 403, (username, response.content)
    assert set(Region.objects.values_list("code", flat=True)) == before


def test_it_keeps_a_grid_worker_allowed_to_import_inside_its_grid(api, world):
    """Even holding the import permission, a grid worker writes only under its own grid."""
    role = Role.objects.get(slug="grid_worker")
    role.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="regions", codename__in=["import_regions", "add_region"]
        )
    )
    client = api("worker_a")
    scope = scope_for(world["worker_a"])
    before = set(Region.objects.values_list("code", flat=True))
    *outside, inside = list(_import_bodies(world))
    for kwargs in outside:
        response = client.post("/api/v1/regions/import", **kwargs)
        assert response.status_code == 403, response.content
        check_no_leak(scope, response.json(), "worker_a import", sent_codes(kwargs))
    assert set(Region.objects.values_list("code", flat=True)) == before
    # Refused alike whether the parent exists or not: no way to probe for nodes.
    existing = client.post("/api/v1/regions/import", **next(_import_bodies(world)))
    ghost = _feature_collection(("440704008001001", "新网格", box(113.1, 22.0, 113.15, 22.1), None))
    missing = client.post(
        "/api/v1/regions/import",
        data={"file": SimpleUploadedFile("g.geojson", ghost, "application/geo+json")},
    )
    assert existing.status_code == missing.status_code == 403
    assert existing.json()["message"] == missing.json()["message"]
    assert [r["field"] for r in existing.json()["rows"]] == [
        r["field"] for r in missing.json()["rows"]
    ]
    response = client.post("/api/v1/regions/import", **inside)
    assert response.status_code == 200, response.content
    assert set(Region.objects.values_list("code", flat=True)) - before == {GRID_A + "003"}


def test_it_fails_loudly_for_a_read_parameter_without_filler():
    op = Operation(
        "get",
        "/api/v1/things",
        {
            "parameters": [
                {"in": "query", "name": "mystery", "schema": {"type": "string"}, "required": False}
            ]
        },
        {},
        query=["mystery"],
    )
    with pytest.raises(
        pytest.fail.Exception,
        match=r"GET /api/v1/things: no filler for parameter\(s\) \['mystery'\]",
    ):
        fillers_for(op)


def test_it_fills_enums_booleans_and_dates_from_the_schema(world):
    components = {"Colour": {"enum": ["red", "blue"], "type": "string"}}
    spec = {
        "parameters": [
            {
                "in": "query",
                "name": "colour",
                "schema": {"anyOf": [{"$ref": "#/components/schemas/Colour"}, {"type": "null"}]},
            },
            {"in": "query", "name": "flag", "schema": {"type": "boolean"}, "required": True},
            {
                "in": "query",
                "name": "since",
                "schema": {"type": "string", "format": "date"},
                "required": True,
            },
        ]
    }
    op = Operation("get", "/api/v1/things", spec, components, query=["colour", "flag", "since"])
    queries = [q for _url, q, _subject in calls(op, world)]
    assert {q.get("colour") for q in queries} == {None, "red", "blue"}
    assert {q["flag"] for q in queries} == {"true", "false"}
    assert all("since" in q for q in queries)
