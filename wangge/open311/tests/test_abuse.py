"""Abuse of the public endpoints: rate limits, text limits, NUL characters and HTML in text."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from wangge.arrivals.models import RateBucket
from wangge.events.models import Event
from wangge.open311.models import ServiceRequest

from .conftest import BASE, J, codes, data, submit, xml


def test_it_limits_posts_per_key(keys, settings):
    settings.OPEN311_KEY_RATE = "3/h"
    for i in range(3):
        data(submit(keys.raw, request_id=f"r{i}"), 201)
    response = submit(keys.raw, request_id="r3")
    assert codes(response, 429) == {"rate_limited"}
    assert 1150 <= int(response["Retry-After"]) <= 1200
    assert ServiceRequest.objects.count() == 3
    # The key of another district has its own bucket; XML answers the same refusal.
    assert data(submit(keys.other_raw, jurisdiction_id="440703", lat="22.05", long="113.35"), 201)
    assert xml(submit(keys.raw, "xml", request_id="r4")).findtext("error/code") == "rate_limited"


def test_it_limits_posts_per_address_even_with_bad_keys(keys, settings):
    settings.OPEN311_IP_RATE = "2/h"
    for _ in range(2):
        assert codes(submit("o311_guessed"), 403) == {"api_key_invalid"}
    assert codes(submit(keys.raw), 429) == {"rate_limited"}
    # Another address is not affected; buckets keep no clear address or key.
    body = {"api_key": keys.raw, "service_code": "0601", "lat": "22.05", "long": "113.02"}
    response = Client().post(
        f"{BASE}/requests.json", {**body, "attribute[danger]": "high"}, REMOTE_ADDR="10.1.2.3"
    )
    data(response, 201)
    stored = " ".join(RateBucket.objects.values_list("key", flat=True))
    assert "127.0.0.1" not in stored and keys.raw not in stored


def test_it_limits_reads_per_address(keys, settings):
    settings.OPEN311_READ_RATE = "3/h"
    jurisdiction = {"jurisdiction_id": J}
    for path in ("discovery", "services", "requests"):
        assert Client().get(f"{BASE}/{path}.json", jurisdiction).status_code == 200
    response = Client().get(f"{BASE}/services.json", jurisdiction)
    assert codes(response, 429) == {"rate_limited"}
    assert int(response["Retry-After"]) > 0
    refused = Client().get(f"{BASE}/services.xml", jurisdiction)
    assert xml(refused).findtext("error/code") == "rate_limited"
    # Another address reads on.
    other = Client().get(f"{BASE}/services.json", jurisdiction, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_it_refuses_text_over_the_limits_and_stores_nothing(keys):
    response = submit(keys.raw, description="井" * 2001)
    assert codes(response, 400) == {"description_too_long"}
    response = submit(keys.raw, address_string="路" * 201, first_name="名" * 51)
    assert codes(response, 400) == {"address_string_too_long", "first_name_too_long"}
    assert not ServiceRequest.objects.exists()


def test_it_refuses_nul_characters_anywhere(keys):
    assert codes(submit(keys.raw, description="井盖\x00松动"), 400) == {"parameter_invalid"}
    for path, params in (
        ("requests", {"service_code": "06\x0001"}),
        ("requests", {"jurisdiction_id": "440704\x00"}),
        ("services/06%0001", {}),
        ("tokens/ab%00cd", {}),
        ("requests/44%0007", {}),
    ):
        response = Client().get(f"{BASE}/{path}.json", params)
        assert codes(response, 400) == {"parameter_invalid"}, path
    assert not ServiceRequest.objects.exists()


def test_it_answers_html_in_text_escaped(keys, login):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    (created,) = data(submit(keys.raw, description=script, address_string=script), 201)
    number = created["service_request_id"]
    # XML escapes it; JSON carries it as text for the client to escape.
    answer = submit_get(number, "xml")
    assert b"<script>" not in answer.content
    assert "&lt;script&gt;" in answer.content.decode()
    (item,) = data(submit_get(number, "json"))
    assert item["description"].startswith(script)
    # The command centre's page shows it as text.
    event = Event.objects.get(number=number)
    page = login("district").get(reverse("events:detail", args=[event.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def submit_get(number: str, fmt: str):  # type: ignore[no-untyped-def]
    return Client().get(f"{BASE}/requests/{number}.{fmt}", {"jurisdiction_id": J})
