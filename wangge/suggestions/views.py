"""The pages of suggestions (金点子) and drafts (立法联系点): lists, forms, detail pages with
the timeline and the per-point figures, and htmx actions.

Views are thin: they parse a form, read through ``wangge.suggestions.selectors`` (out
of scope answers 404 like a missing record), call one action and render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.people.views import add_errors, is_htmx, place_names
from wangge.suggestions import actions, export, forms, selectors, serialise
from wangge.suggestions.actions import SuggestionConflict, SuggestionError, SuggestionForbidden
from wangge.suggestions.choices import DraftState, SuggestionAction
from wangge.suggestions.models import Draft, Opinion, Suggestion

PAGE_SIZE = 30
STALE = gettext_lazy("Somebody else changed it meanwhile: here it is as it is now.")


# --- suggestions ---------------------------------------------------------------------------


@login_required
@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = forms.StateFilterForm(request.GET)
    qs = selectors.suggestion_list(user, **filters.selection())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items: list[Suggestion] = list(page.object_list)
    context = {
        "filters": filters,
        "page": page,
        "rows": list(zip(items, serialise.suggestion_dicts(user, items), strict=True)),
        "can_submit": selectors.can_submit(user),
        "is_staff": selectors.is_staff(user),
    }
    if is_htmx(request):
        return render(request, "suggestions/list.html#suggestion-list", context)
    return render(request, "suggestions/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_submit(user):
        raise PermissionDenied
    nodes = selectors.submit_choices(user)
    default = selectors.default_node(user)
    if request.method == "GET":
        form = forms.SuggestionForm(nodes=nodes, default=default)
        return render(request, "suggestions/new.html", {"form": form})
    form = forms.SuggestionForm(request.POST, nodes=nodes, default=default)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = actions.do_submit_suggestion(
                actor=user,
                title=data["title"],
                content=data["content"],
                topic=data["topic"],
                node=data["node"] or None,
                contact=data["contact"],
                anonymous=data["anonymous"],
                request_id=data["request_id"] or None,
            )
        except SuggestionError as exc:
            add_errors(form, exc.fields, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Thank you: your suggestion was submitted."))
            return redirect("suggestions:detail", pk=result.suggestion.pk)
    return render(request, "suggestions/new.html", {"form": form}, status=status)


@dataclass
class ActionSpec:
    slug: str
    action: str
    form: type[Any]
    tone: str
    run: Callable[[Suggestion, Any, Any], Any]


def _run_triage(s: Suggestion, user: Any, form: Any) -> Any:
    data = form.cleaned_data
    return actions.do_triage_suggestion(
        s,
        actor=user,
        department=data["department"] or None,
        node=data["node"] or None,
        note=data["note"],
        version=data["version"],
    )


def _run_reject(s: Suggestion, user: Any, form: Any) -> Any:
    data = form.cleaned_data
    return actions.do_reject_suggestion(
        s, actor=user, reason=data["reason"], version=data["version"]
    )


def _run_answer(s: Suggestion, user: Any, form: Any) -> Any:
    data = form.cleaned_data
    return actions.do_answer_suggestion(
        s,
        actor=user,
        adopted=form.adopted_value(),
        answer=data["answer"],
        version=data["version"],
    )


def _run_start(s: Suggestion, user: Any, form: Any) -> Any:
    data = form.cleaned_data
    return actions.do_start_suggestion(s, actor=user, note=data["note"], version=data["version"])


def _run_complete(s: Suggestion, user: Any, form: Any) -> Any:
    data = form.cleaned_data
    return actions.do_complete_suggestion(s, actor=user, note=data["note"], version=data["version"])


SPECS = (
    ActionSpec("triage", SuggestionAction.TRIAGE, forms.TriageForm, "primary", _run_triage),
    ActionSpec("answer", SuggestionAction.ANSWER, forms.AnswerForm, "primary", _run_answer),
    ActionSpec("start", SuggestionAction.START, forms.NoteForm, "primary", _run_start),
    ActionSpec("complete", SuggestionAction.COMPLETE, forms.NoteForm, "primary", _run_complete),
    ActionSpec("reject", SuggestionAction.REJECT, forms.RejectForm, "danger", _run_reject),
)
SPECS_BY_SLUG = {s.slug: s for s in SPECS}


def _form_for(spec: ActionSpec, user: Any, s: Suggestion, data: Any = None) -> Any:
    kwargs: dict[str, Any] = {"initial": {"version": s.version}, "prefix": spec.slug}
    if spec.form is forms.TriageForm:
        choices = selectors.assign_choices(user, s)
        kwargs.update(departments=choices["departments"], nodes=choices["nodes"])
    return spec.form(data, **kwargs)


@dataclass
class Panel:
    slug: str
    label: str
    tone: str
    form: Any
    open: bool


def _detail_context(
    request: HttpRequest,
    s: Suggestion,
    *,
    bound: tuple[str, Any] | None = None,
    alert: str | None = None,
) -> dict[str, Any]:
    user = request.user
    allowed = set(selectors.available_actions(user, s))
    panels = []
    for spec in SPECS:
        if spec.action not in allowed:
            continue
        is_bound = bound is not None and bound[0] == spec.slug
        form = bound[1] if bound is not None and is_bound else _form_for(spec, user, s)
        panels.append(
            Panel(spec.slug, str(SuggestionAction(spec.action).label), spec.tone, form, is_bound)
        )
    return {
        "s": s,
        "shown": serialise.suggestion_detail(user, s),
        "panels": panels,
        "alert": alert,
    }


@login_required
@require_GET
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.get_suggestion_for_user(request.user, pk)
    return render(request, "suggestions/detail.html", _detail_context(request, s))


@login_required
@require_POST
def suggestion_act(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    spec = SPECS_BY_SLUG.get(slug)
    if spec is None:
        raise Http404("no such action")
    user = request.user
    s = selectors.get_suggestion_for_user(user, pk)
    form = _form_for(spec, user, s, request.POST)
    status = 422
    alert: str | None = None
    bound: tuple[str, Any] | None = (spec.slug, form)
    if form.is_valid():
        try:
            spec.run(s, user, form)
        except SuggestionError as exc:
            status = exc.status
            fresh = selectors.get_suggestion_for_user(user, pk)
            seen = form.cleaned_data.get("version")
            if isinstance(exc, SuggestionConflict) and seen is not None and seen != fresh.version:
                alert, bound = str(STALE), None
            elif isinstance(exc, SuggestionConflict | SuggestionForbidden):
                alert, bound = exc.message, None
            else:
                add_errors(form, exc.fields, exc.message)
                alert = exc.message
            s = fresh
        else:
            text = _("“%(action)s” done.") % {"action": SuggestionAction(spec.action).label}
            if is_htmx(request):
                fresh = selectors.get_suggestion_for_user(user, pk)
                context = _detail_context(request, fresh)
                context["flash"] = text
                return render(request, "suggestions/detail.html#suggestion-body", context)
            messages.success(request, text)
            return redirect("suggestions:detail", pk=pk)
    context = _detail_context(request, s, bound=bound, alert=alert)
    if is_htmx(request):
        return render(request, "suggestions/detail.html#suggestion-body", context)
    return render(request, "suggestions/detail.html", context, status=status)


# --- drafts --------------------------------------------------------------------------------


@login_required
@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    drafts = list(selectors.drafts_visible_to(user).order_by("-created_at", "-id")[:200])
    return render(
        request,
        "suggestions/drafts.html",
        {"drafts": drafts, "can_manage": selectors.can_manage(user)},
    )


def _draft_form(request: HttpRequest, data: Any = None) -> forms.DraftForm:
    user = request.user
    nodes = selectors.manageable_nodes(user)
    found = list(selectors.managed_points(user).filter(is_active=True).order_by("node", "name"))
    point_names = place_names(p.node for p in found)
    points = [(str(p.pk), f"{p.name}（{point_names.get(p.node, p.node)}）") for p in found]
    return forms.DraftForm(data, nodes=nodes, points=points)


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_manage(user):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "suggestions/draft_new.html", {"form": _draft_form(request)})
    form = _draft_form(request, request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            draft = actions.do_create_draft(
                actor=user,
                title=data["title"],
                body=data["body"],
                issuing_body=data["issuing_body"],
                node=data["node"] or None,
                deadline=data["deadline"],
                points=[int(p) for p in data["points"]],
            )
            if data["publish"]:
                actions.do_publish_draft(draft, actor=user)
        except SuggestionError as exc:
            add_errors(form, exc.fields, exc.message)
            status = exc.status
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("suggestions:draft", pk=draft.pk)
    return render(request, "suggestions/draft_new.html", {"form": form}, status=status)


def _draft_context(
    request: HttpRequest,
    draft: Draft,
    *,
    opinion_form: forms.OpinionForm | None = None,
    answer_forms: dict[int, forms.AnswerForm] | None = None,
) -> dict[str, Any]:
    user = request.user
    points = selectors.opinion_points(user, draft)
    staff = any(selectors.can_record_at(user, p) for p in points)
    if opinion_form is None and draft.is_open() and points:
        opinion_form = forms.OpinionForm(points=[(str(p.pk), p.name) for p in points], staff=staff)
    manager = selectors.can_manage(user, draft.node)
    opinions = list(selectors.draft_opinions(user, draft))
    answer_forms = answer_forms or {}
    rows = [
        (
            o,
            answer_forms.get(o.pk)
            or (
                forms.AnswerForm(initial={"version": o.version}, prefix=f"o{o.pk}")
                if manager and o.state == "pending"
                else None
            ),
        )
        for o in opinions
    ]
    detail = serialise.draft_detail(user, draft)
    names = place_names([p["node"] for p in detail["points"]])
    for point in detail["points"]:
        point["node_name"] = names.get(point["node"], point["node"])
    return {
        "draft": draft,
        "detail": detail,
        "opinion_form": opinion_form if draft.is_open() else None,
        "rows": rows,
        "manager": manager,
        "published": draft.state == DraftState.PUBLISHED,
    }


@login_required
@require_GET
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = selectors.get_draft_for_user(request.user, pk)
    return render(request, "suggestions/draft.html", _draft_context(request, draft))


@login_required
@require_POST
def draft_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    user = request.user
    draft = selectors.get_draft_for_user(user, pk)
    run = {"publish": actions.do_publish_draft, "close": actions.do_close_draft}.get(move)
    if run is None:
        raise Http404("no such action")
    try:
        run(draft, actor=user)
    except SuggestionError as exc:
        messages.error(
            request, pgettext("separator", "; ").join(exc.fields.values()) or exc.message
        )
    else:
        messages.success(request, _("Done."))
    return redirect("suggestions:draft", pk=pk)


@login_required
@require_POST
def opinion_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    draft = selectors.get_draft_for_user(user, pk)
    points = selectors.opinion_points(user, draft)
    staff = any(selectors.can_record_at(user, p) for p in points)
    form = forms.OpinionForm(
        request.POST, points=[(str(p.pk), p.name) for p in points], staff=staff
    )
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_submit_opinion(
                draft,
                actor=user,
                point=int(data["point"]),
                content=data["content"],
                article=data["article"],
                author_name=data.get("author_name", ""),
                request_id=data["request_id"] or None,
            )
        except SuggestionError as exc:
            fields = {("point" if k == "draft" else k): v for k, v in exc.fields.items()}
            add_errors(form, fields, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Thank you: your opinion was recorded."))
            return redirect(reverse("suggestions:draft", args=[pk]) + "#opinions")
    context = _draft_context(request, draft, opinion_form=form)
    context["opinion_form"] = form
    return render(request, "suggestions/draft.html", context, status=status)


@login_required
@require_POST
def opinion_answer(request: HttpRequest, pk: int, opinion_pk: int) -> HttpResponse:
    user = request.user
    draft = selectors.get_draft_for_user(user, pk)
    opinion: Opinion = selectors.get_opinion_for_user(user, draft, opinion_pk)
    form = forms.AnswerForm(request.POST, prefix=f"o{opinion.pk}")
    status = 422
    if form.is_valid():
        try:
            actions.do_answer_opinion(
                opinion,
                actor=user,
                adopted=form.adopted_value(),
                answer=form.cleaned_data["answer"],
                version=form.cleaned_data["version"],
            )
        except SuggestionError as exc:
            if isinstance(exc, SuggestionConflict | SuggestionForbidden):
                form = None  # type: ignore[assignment]
                messages.error(request, exc.message)
            else:
                add_errors(form, exc.fields, exc.message)
            status = exc.status
        else:
            status = 200
            form = None  # type: ignore[assignment]
        opinion = selectors.get_opinion_for_user(user, draft, opinion_pk)
    if is_htmx(request):
        context = {"o": opinion, "answer_form": form, "draft": draft, "manager": True}
        return render(request, "suggestions/_opinion.html", context, status=200)
    if status == 200:
        return redirect(reverse("suggestions:draft", args=[pk]) + "#opinions")
    answer_forms = {opinion.pk: form} if form is not None else {}
    return render(
        request,
        "suggestions/draft.html",
        _draft_context(request, draft, answer_forms=answer_forms),
        status=status,
    )


def _point_form(request: HttpRequest, data: Any = None) -> forms.PointForm:
    return forms.PointForm(data, nodes=selectors.manageable_nodes(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def point_list(request: HttpRequest) -> HttpResponse:
    """The liaison points of the manager's area, and the form to set one up."""
    user = request.user
    if not selectors.can_manage(user):
        raise PermissionDenied
    form = _point_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_create_liaison_point(actor=user, **data)
            except SuggestionError as exc:
                add_errors(form, exc.fields, exc.message)
                status = exc.status
            else:
                messages.success(request, _("The liaison point was set up."))
                return redirect("suggestions:points")
    points = list(selectors.managed_points(user).order_by("node", "name"))
    names = place_names(p.node for p in points)
    rows = [(p, names.get(p.node, p.node), serialise.point_dict(p)) for p in points]
    return render(request, "suggestions/points.html", {"form": form, "rows": rows}, status=status)


@login_required
@require_GET
def draft_export(request: HttpRequest, pk: int) -> HttpResponse:
    draft = selectors.get_draft_for_user(request.user, pk)
    try:
        found = export.do_export_opinions(draft, actor=request.user)
    except SuggestionForbidden:
        raise PermissionDenied from None
    return export.xlsx_response(found)
