from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

# The dashboards' test world with events walked through the real actions (and the aggregates).
from wangge.dashboards.tests.conftest import ew, steps, story  # noqa: F401
from wangge.reports.actions import generate_report
from wangge.reports.choices import ReportState
from wangge.reports.models import Report


@pytest.fixture
def immediate(settings: Any) -> None:
    """Tasks run as they are enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_queued() -> Callable[[], int]:
    """Generate every queued report (what the task worker does); how many were."""

    def run() -> int:
        ids = list(Report.objects.filter(state=ReportState.QUEUED).values_list("pk", flat=True))
        for pk in ids:
            generate_report(pk)
        return len(ids)

    return run


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    content: bytes = response.content
    return content


def workbook(response: Any) -> Workbook:
    return load_workbook(io.BytesIO(body(response)))


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()
