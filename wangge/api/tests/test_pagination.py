"""Paging: an offset too large for the database is a bad request (422), not a server error."""

from __future__ import annotations

import pytest

from wangge.api.pagination import MAX_OFFSET

LISTS = ("/api/v1/events", "/api/v1/people", "/api/v1/workforce/scorecards")


@pytest.mark.parametrize("url", LISTS)
def test_it_refuses_an_offset_past_the_limit_and_pages_up_to_it(api, url):
    client = api("district")
    huge = client.get(url, {"offset": "24669326854910951424"})
    assert huge.status_code == 422, huge.content
    assert client.get(url, {"offset": MAX_OFFSET + 1}).status_code == 422
    last = client.get(url, {"offset": MAX_OFFSET})
    assert last.status_code == 200, last.content
