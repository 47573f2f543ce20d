"""Reads of import jobs: a job is seen by its uploader, and by global users (administrators)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from wangge.accounts.scope import scope_for
from wangge.ledgers.choices import ImportKind
from wangge.ledgers.importers import IMPORTERS
from wangge.ledgers.models import ImportJob


def jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    scope = scope_for(user)
    if scope.is_global:
        return ImportJob.objects.all()
    if scope.user_id is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(uploaded_by_id=scope.user_id)


def get_job_for_user(user: Any, pk: int) -> ImportJob:
    try:
        return jobs_visible_to(user).select_related("uploaded_by").get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("no such import job") from None


def recent_jobs(user: Any, limit: int = 20) -> list[ImportJob]:
    return list(jobs_visible_to(user).filter(uploaded_by_id=scope_for(user).user_id)[:limit])


def may_import(user: Any, kind: str) -> bool:
    """Whether the user holds the permission a ``kind`` import needs somewhere."""
    importer = IMPORTERS.get(ImportKind(kind)) if kind in ImportKind.values else None
    return importer is not None and scope_for(user).can(importer.perm)


def importable_kinds(user: Any) -> list[ImportKind]:
    return [kind for kind in IMPORTERS if may_import(user, kind)]
