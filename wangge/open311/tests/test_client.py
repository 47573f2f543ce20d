"""A real Open311 client from PyPI (``georeport``, not our code) against a running server.

It lists the services, reads a service definition and reads requests, in JSON and in
XML (parsed by the client with xmltodict), through HTTP to pytest-django's live server.
"""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from wangge.events import actions as ev
from wangge.events.models import Category
from wangge.open311.actions import do_create_api_key
from wangge.open311.catalogue import seed_service_attributes
from wangge.testing import POINT_A, POINT_OTHER, build_world, extend_world_for_events

pytestmark = pytest.mark.django_db(transaction=True)


def _as_list(value):
    """xmltodict gives one element as a dict, several as a list."""
    return value if isinstance(value, list) else [value]


@pytest.fixture
def server(live_server):
    world = extend_world_for_events(build_world())
    seed_service_attributes()
    key, raw = do_create_api_key(district="440704", name="12345 热线", actor=None)
    mine = ev.do_report_event(
        actor=world["worker_a"],
        category="0601",
        description="井盖松动",
        lng=POINT_A[0],
        lat=POINT_A[1],
        reporter_contact="13900001111",
    ).event
    ev.do_self_handle_event(mine, actor=world["worker_a"], note="已加固")
    theirs = ev.do_report_event(
        actor=None, category="0101", description="垃圾", lng=POINT_OTHER[0], lat=POINT_OTHER[1]
    ).event
    return live_server.url + "/open311/v2", raw, mine, theirs


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_georeport_client_reads_services_and_requests(server, fmt):
    root, raw, mine, theirs = server
    client = GeoReport(root, jurisdiction="440704", output_format=fmt)

    services = _as_list(client.get_service_list())
    codes = {s["service_code"] for s in services}
    assert codes == set(
        Category.objects.filter(parent__isnull=False, is_active=True).values_list("code", flat=True)
    )
    manhole = next(s for s in services if s["service_code"] == "0601")
    assert manhole["service_name"] == "井盖破损/松动"
    assert str(manhole["metadata"]).lower() == "true"

    definition = client.get_service_definition("0601")
    attributes = _as_list(
        definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    )
    assert [a["code"] for a in attributes] == ["danger", "detail"]

    # A request posted by a client of ours (the library only reads) shows up for it.
    posted = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": raw,
            "jurisdiction_id": "440704",
            "service_code": "0602",
            "lat": POINT_A[1],
            "long": POINT_A[0],
            "description": "路灯不亮",
            "attribute[danger]": "some",
            "phone": "13812345678",
        },
        timeout=30,
    )
    assert posted.status_code == 201, posted.text
    number = posted.json()[0]["service_request_id"]

    listed = _as_list(client.get_service_requests())
    assert [r["service_request_id"] for r in listed] == [number, mine.number]
    assert theirs.number not in str(listed)
    assert "13812345678" not in str(listed) and "13900001111" not in str(listed)
    closed = _as_list(client.get_service_requests(status="closed"))
    assert [r["service_request_id"] for r in closed] == [mine.number]
    assert closed[0]["status_notes"] == "已结案：已加固"
    by_code = _as_list(client.get_service_requests(service_code="0602"))
    assert [r["service_request_id"] for r in by_code] == [number]

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
    assert one["service_code"] == "0602"

    # Another district's event does not exist in this jurisdiction.
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request(theirs.number)
    assert refused.value.response.status_code == 404
