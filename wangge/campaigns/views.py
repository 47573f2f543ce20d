"""The campaign pages: the list, defining a campaign, its progress, the worker's targets.

Views are thin: they parse a form, find the campaign or target through
``wangge.campaigns.selectors`` (out of scope answers 404 like a missing one),
call one action and render.  The worker's outcome forms are marked for the
phone's offline outbox (JSON to ``POST /api/v1/campaigns/attempts``); without
JavaScript they post here, to ``target_attempt``, which calls the same action,
idempotent on the same ``request_id``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.campaigns import actions, forms, importing, selectors
from wangge.campaigns.choices import (
    CampaignState,
    ProgressBy,
    QuestionKind,
    TargetFilter,
    TargetKind,
    TargetStatus,
)
from wangge.campaigns.models import Campaign, Outcome, Question, Target
from wangge.lib.crypto import mask_phone
from wangge.people.views import add_errors, is_htmx

PAGE_SIZE = 20
OUTBOX_URL = "/api/v1/campaigns/attempts"


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return selectors.get_campaign_for_user(request.user, pk)


def _target(request: HttpRequest, pk: int, target_pk: int) -> Target:
    target = selectors.get_target_for_user(request.user, target_pk)
    if target.campaign_id != pk:
        raise Http404("no such target")
    return target


# --- the list ---------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_view_campaigns(user):
        raise PermissionDenied
    state = request.GET.get("state", "")
    qs = selectors.campaigns_visible_to(user).select_related("tag")
    if state in CampaignState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    campaigns: list[Campaign] = list(page.object_list)
    now = timezone.now()
    totals = selectors.totals_for(user, [c.pk for c in campaigns], now=now)
    names = selectors.place_names(c.area_code for c in campaigns)
    context = {
        "page": page,
        "state": state,
        "states": CampaignState.choices,
        "rows": [(c, totals[c.pk], names.get(c.area_code, c.area_code)) for c in campaigns],
        "can_create": selectors.can_create(user),
        "can_record": selectors.can_record_anywhere(user),
        "today": timezone.localdate(now),
    }
    return render(request, "campaigns/list.html", context)


# --- defining a campaign -------------------------------------------------------------------------


def _question_errors(fields: dict[str, str], rows: list[Any], form: Any) -> dict[str, str]:
    """Put ``questions.<i>.<field>`` errors on the question rows; return the others."""
    rest: dict[str, str] = {}
    names = {"show_if_key": "show_if", "key": "label"}
    for name, text in fields.items():
        parts = name.split(".")
        if parts[0] == "questions" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(rows):
                field = names.get(parts[2], parts[2])
                rows[index].add_error(field if field in rows[index].fields else None, text)
                continue
        rest[name] = text
    if any(not row.is_valid() for row in rows):
        form.add_error(None, _("Please check the questions marked below."))
    return rest


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_create(user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = forms.CampaignForm(request.POST, request.FILES, user=user)
        formset = forms.QuestionFormSet(request.POST, prefix="q")
        status = 422
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            specs, rows = forms.question_specs(formset)
            launch = request.POST.get("launch") == "1"
            list_rows: list[importing.ListRow] | None = None
            upload = data.get("file")
            if upload:
                try:
                    list_rows = importing.read_list(upload, upload.name or "")
                except importing.FileProblem as exc:
                    form.add_error("file", str(exc))
            elif data["target_kind"] == TargetKind.IMPORTED and launch:
                form.add_error("file", _("Upload the list to launch the campaign."))
            if not form.errors:
                try:
                    campaign = actions.do_create_campaign(
                        actor=user,
                        name=data["name"],
                        description=data["description"],
                        area_code=data["area_code"],
                        target_kind=data["target_kind"],
                        tag=data["tag"] or None,
                        deadline=data["deadline"],
                        assign_part_time=data["assign_part_time"],
                        questions=specs,
                        rows=list_rows,
                        launch=launch,
                    )
                except actions.CampaignForbidden:
                    raise PermissionDenied from None
                except actions.CampaignError as exc:
                    rest = _question_errors(exc.fields, rows, form)
                    add_errors(form, rest, exc.message)
                    status = exc.status
                else:
                    if launch:
                        messages.success(request, _("Campaign launched."))
                    else:
                        messages.success(request, _("Campaign saved as a draft."))
                    return redirect("campaigns:detail", pk=campaign.pk)
    else:
        deadline = timezone.localdate() + timedelta(days=7)
        form = forms.CampaignForm(user=user, initial={"deadline": deadline})
        formset = forms.QuestionFormSet(prefix="q")
    return render(request, "campaigns/new.html", {"form": form, "formset": formset}, status=status)


# --- one campaign -----------------------------------------------------------------------------


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = _campaign(request, pk)
    by = request.GET.get("by", ProgressBy.GRID)
    if by not in ProgressBy.values:
        by = ProgressBy.GRID
    now = timezone.now()
    table = selectors.progress(user, campaign, by=by, now=now)
    manage = selectors.can_manage(user, campaign)
    context = {
        "campaign": campaign,
        "area": selectors.place_names([campaign.area_code]).get(campaign.area_code, ""),
        "table": table,
        "by": by,
        "bys": ProgressBy.choices,
        "questions": _with_conditions(selectors.questions_of(campaign)),
        "can_manage": manage,
        "can_import": manage
        and campaign.state == CampaignState.DRAFT
        and campaign.target_kind == TargetKind.IMPORTED,
        "can_launch": manage and campaign.state == CampaignState.DRAFT,
        "can_close": manage and campaign.state == CampaignState.RUNNING,
        "can_record": selectors.can_record_anywhere(user) and campaign.state != CampaignState.DRAFT,
        "overdue_deadline": campaign.state == CampaignState.RUNNING
        and campaign.deadline < timezone.localdate(now),
    }
    if is_htmx(request):
        return render(request, "campaigns/detail.html#progress", context)
    return render(request, "campaigns/detail.html", context)


def _with_conditions(questions: list[Question]) -> list[tuple[Question, str]]:
    """Each question with the label of the question it depends on ("" for none)."""
    labels = {q.key: q.label for q in questions}
    return [
        (q, labels.get(q.show_if_key, q.show_if_key) if q.show_if_key else "") for q in questions
    ]


def _manage(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        run(campaign)
    except actions.CampaignForbidden:
        raise PermissionDenied from None
    except actions.CampaignError as exc:
        text = "；".join([exc.message, *exc.fields.values()]) if exc.fields else exc.message
        messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("campaigns:detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        lambda c: actions.do_launch_campaign(c, actor=request.user),
        _("Campaign launched."),
    )


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        lambda c: actions.do_close_campaign(c, actor=request.user),
        _("Campaign closed."),
    )


@login_required
@require_POST
def campaign_import(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("file")

    def run(campaign: Campaign) -> None:
        if upload is None:
            raise actions.CampaignError(actions.INVALID, {"file": _("Choose a file.")})
        try:
            rows = importing.read_list(upload, upload.name or "")
        except importing.FileProblem as exc:
            raise actions.CampaignError(actions.INVALID, {"file": str(exc)}) from None
        actions.do_import_targets(campaign, actor=request.user, rows=rows)

    return _manage(request, pk, run, _("List imported."))


# --- the worker's targets ---------------------------------------------------------------------


def _outcome_help(outcomes: list[Outcome]) -> str:
    return "；".join(f"{o.label}：{_('done') if o.is_final else _('follow up')}" for o in outcomes)


def _row(
    user: Any,
    target: Target,
    *,
    place: str,
    now: datetime,
    questions: list[Question],
    outcomes: list[Outcome],
    form: forms.AttemptForm | None = None,
) -> dict[str, Any]:
    running = target.campaign.state == CampaignState.RUNNING
    if form is None and running and selectors.can_record(user, target):
        form = forms.AttemptForm(target=target, questions=questions, outcomes=outcomes)
    status = selectors.status_of(target, now)
    return {
        "target": target,
        "place": place,
        "status": status,
        "status_label": str(TargetStatus(status).label),
        "phone": mask_phone(target.phone),
        "form": form,
    }


@login_required
@require_GET
def campaign_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """The targets assigned to the worker (``?all=1``: all they see), each with its form."""
    user = request.user
    campaign = _campaign(request, pk)
    if not selectors.can_record_anywhere(user):
        raise PermissionDenied
    status = request.GET.get("status", TargetFilter.OPEN)
    if status not in TargetFilter.values:
        status = TargetFilter.OPEN
    everyone = request.GET.get("all") == "1"
    now = timezone.now()
    qs = selectors.worker_targets(user, campaign, now=now, status=status, everyone=everyone)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    targets: list[Target] = list(page.object_list)
    for target in targets:
        target.campaign = campaign
    questions = selectors.questions_of(campaign)
    outcomes = selectors.active_outcomes()
    places = selectors.place_names(t.region_code for t in targets)
    mine = selectors.mine_totals(user, campaign, now=now, everyone=everyone)
    context = {
        "campaign": campaign,
        "rows": [
            _row(
                user,
                t,
                place=places.get(t.region_code, ""),
                now=now,
                questions=questions,
                outcomes=outcomes,
            )
            for t in targets
        ],
        "page": page,
        "status": status,
        "statuses": TargetFilter.choices,
        "everyone": everyone,
        "totals": mine,
        "outbox_url": OUTBOX_URL,
        "next": request.get_full_path(),
        "outcome_help": _outcome_help(outcomes),
    }
    return render(request, "campaigns/mine.html", context)


def _target_page(
    request: HttpRequest,
    target: Target,
    *,
    form: forms.AttemptForm | None = None,
    next_url: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    questions = selectors.questions_of(target.campaign)
    outcomes = selectors.active_outcomes()
    place = selectors.place_names([target.region_code]).get(target.region_code, "")
    labels = {q.key: q for q in questions}
    attempts = [
        (
            a,
            [
                (labels[k].label if k in labels else k, v, labels[k].kind if k in labels else "")
                for k, v in (a.answers or {}).items()
            ],
        )
        for a in selectors.attempts_of(target)
    ]
    context = {
        "campaign": target.campaign,
        "row": _row(
            user, target, place=place, now=now, questions=questions, outcomes=outcomes, form=form
        ),
        "attempts": attempts,
        "outbox_url": OUTBOX_URL,
        "next": next_url or reverse("campaigns:mine", args=[target.campaign_id]),
        "photo_kind": QuestionKind.PHOTO,
        "outcome_help": _outcome_help(outcomes),
    }
    return render(request, "campaigns/target.html", context, status=status)


@login_required
@require_GET
def target_detail(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    return _target_page(request, _target(request, pk, target_pk))


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


def _when(text: str) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    return datetime.fromisoformat(text)


@login_required
@require_POST
def target_attempt(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """The outcome form posted without JavaScript: the same action as the API."""
    user = request.user
    target = _target(request, pk, target_pk)
    questions = selectors.questions_of(target.campaign)
    outcomes = selectors.active_outcomes()
    form = forms.AttemptForm(
        request.POST, request.FILES, target=target, questions=questions, outcomes=outcomes
    )
    form.is_valid()  # every field is optional text: the action checks the values
    data = form.cleaned_data
    fallback = reverse("campaigns:mine", args=[pk]) + f"#target-{target.pk}"
    next_url = _safe_next(request, fallback)
    errors: dict[str, str] = {}
    try:
        follow_up = _when(request.POST.get("follow_up_at", ""))
    except ValueError:
        errors["follow_up_at"] = _("The time is not in the right form.")
        follow_up = None
    answers: dict[str, Any] = {}
    for q in questions:
        name = forms.answer_name(q.key)
        if q.kind == QuestionKind.PHOTO:
            upload = request.FILES.get(name)
            if upload is None:
                continue
            try:
                photo, _created = actions.do_upload_photo(upload, actor=user, size=upload.size)
            except actions.CampaignError as exc:
                errors[name] = exc.fields.get("file", exc.message)
                continue
            answers[q.key] = photo.pk
        else:
            answers[q.key] = request.POST.get(name, "")
    message = str(actions.INVALID)
    status = 422
    if not errors:
        try:
            result = actions.do_record_attempt(
                actor=user,
                request_id=data.get("request_id", ""),
                target_id=target.pk,
                channel=data.get("channel", ""),
                outcome=data.get("outcome", ""),
                note=data.get("note", ""),
                follow_up_at=follow_up,
                answers=answers,
            )
        except actions.CampaignNotFound:
            raise Http404("no such target") from None
        except actions.CampaignForbidden:
            raise PermissionDenied from None
        except actions.CampaignError as exc:
            errors, message, status = dict(exc.fields), exc.message, exc.status
        else:
            attempt = result.attempt
            if result.created:
                text = _("Recorded: %(name)s — %(outcome)s.")
            else:
                text = _("Already recorded: %(name)s — %(outcome)s.")
            messages.success(
                request, text % {"name": target.name, "outcome": attempt.outcome.label}
            )
            return redirect(next_url)
    add_errors(form, errors, message)
    return _target_page(request, target, form=form, next_url=next_url, status=status)


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.get_photo_for_user(request.user, pk)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
