"""The asset list answers in a fixed number of queries, however many parts there are."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.assets.models import Asset


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_it_lists_assets_in_constant_queries(api, samples):
    client = api("district")
    client.get("/api/v1/me")  # the first use stamps the token
    small, body = count(client, "/api/v1/assets?limit=500")
    assert body["count"] == 3
    template = Asset.objects.get(pk=samples.assets[1])
    copies = []
    for i in range(600):
        template.pk = None
        template.code = f"COPY-{i}"
        copies.append(
            Asset(**{f.attname: getattr(template, f.attname) for f in Asset._meta.concrete_fields})
        )
    Asset.objects.bulk_create(copies)
    large, body = count(client, "/api/v1/assets?limit=500")
    assert len(body["items"]) == 500 and body["count"] == 603
    assert large == small <= 8
