"""The grid worker's phone: the "today" list, and what makes the pages work offline.

* ``/fieldwork/`` — today: the open work of every field-work app (overdue first) and
  the outbox (what the phone still has to send);
* ``/sw.js`` — the service worker (scope: the whole site), built by esbuild from
  ``wangge/web/frontend/sw.js`` with its settings put in front;
* ``/fieldwork/manifest.webmanifest`` — the web app manifest (网格通);
* ``/fieldwork/offline/`` — what a page never opened online shows offline.

See docs/fieldwork.md.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from wangge.events.selectors import can_report
from wangge.fieldwork import selectors
from wangge.fieldwork.worklist import WorkItem

APP_NAME = "网格通"
THEME_COLOR = "#1456a8"
BACKGROUND_COLOR = "#f3f5f9"
#: Milliseconds a page may take before the service worker shows the copy it kept.
PAGE_TIMEOUT_MS = 6000
#: The built files the app shell is made of (``npm run build``).
SHELL_FILES = ("app.js", "app.css")
#: What each kind of work item is called on the list.
KINDS: dict[str, Promise] = {
    "campaign": _("Canvassing"),
    "arrival": _("Arrival"),
    "care": _("Care visit"),
    "emergency": _("Emergency task"),
    "inspection": _("Inspection"),
    "workforce": _("553 checklist"),
}
ICONS = (
    ("fieldwork/icons/icon-192.png", "192x192", "any"),
    ("fieldwork/icons/icon-512.png", "512x512", "any"),
    ("fieldwork/icons/icon-maskable-512.png", "512x512", "maskable"),
)


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """今日: what is due, overdue first; the outbox; links to report and to the lists."""
    user = request.user
    if not selectors.can_use_today(user):
        raise PermissionDenied
    now = timezone.now()
    items = selectors.today_items(user, now=now)
    overdue: list[WorkItem] = [i for i in items if i.overdue]
    rest = [i for i in items if not i.overdue]
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=0)
    due_today = [i for i in rest if i.due_at is not None and i.due_at <= end_of_day]
    later = [i for i in rest if i not in due_today]
    groups = [
        ("overdue", overdue),
        ("today", due_today),
        ("later", later),
    ]
    return render(
        request,
        "fieldwork/today.html",
        {
            "groups": [
                (key, [(i, KINDS.get(i.kind, _("Other"))) for i in rows])
                for key, rows in groups
                if rows
            ],
            "count": len(items),
            "overdue_count": len(overdue),
            "now": now,
            "can_report": can_report(user),
            "offline_pages": selectors.offline_pages(user, items),
        },
    )


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown offline for a page the phone never kept; the same for everybody (no user data)."""
    response = render(request, "fieldwork/offline.html", {"app_name": APP_NAME})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installs the site on the phone's home screen as 网格通."""
    data = {
        "name": APP_NAME,
        "short_name": APP_NAME,
        "description": "网格员的今日待办、事件上报与摸排记录；离线时也能记录，联网后自动提交",
        "lang": "zh-CN",
        "dir": "ltr",
        "id": reverse("fieldwork:today"),
        "start_url": reverse("fieldwork:today"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


def _built(name: str) -> Path:
    found = finders.find(name)
    if not found:
        raise Http404(f"{name} is not built: run `npm run build`")
    return Path(str(found))


@lru_cache(maxsize=8)
def _digest(paths: tuple[tuple[str, float, int], ...], extra: str) -> str:
    """A short hash of the files' contents (cached while their mtime and size stay)."""
    digest = hashlib.sha256(extra.encode())
    for path, _mtime, _size in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def shell_urls() -> list[str]:
    """What the service worker stores when it installs: public files only."""
    return [
        *(static(name) for name in SHELL_FILES),
        *(static(path) for path, _sizes, _purpose in ICONS),
        reverse("fieldwork:manifest"),
        reverse("fieldwork:offline"),
    ]


def service_worker_config() -> dict[str, Any]:
    sources = [_built("sw.js"), *(_built(name) for name in SHELL_FILES)]
    config: dict[str, Any] = {
        "precache": shell_urls(),
        "pages": list(selectors.OFFLINE_PAGES),
        "offline": reverse("fieldwork:offline"),
        "static": settings.STATIC_URL,
        "timeout": PAGE_TIMEOUT_MS,
    }
    stats = tuple((str(p), p.stat().st_mtime, p.stat().st_size) for p in sources)
    config["version"] = _digest(stats, json.dumps(config, sort_keys=True))
    return config


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: the built service worker with its settings; always checked for a new version."""
    config = service_worker_config()
    body = f"self.WANGGE_SW = {json.dumps(config, ensure_ascii=False)};\n" + _built(
        "sw.js"
    ).read_text(encoding="utf-8")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
