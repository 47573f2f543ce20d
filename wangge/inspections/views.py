"""The inspection pages (mobile first): open hazards with their deadlines, starting an
inspection of an enterprise or a building and ticking its items, one inspection, and
one hazard with its re-inspection and enforcement records.

Everything is read through ``wangge.inspections.selectors`` (out of scope answers
404 like a missing record) and written through one action per form.  Pages work
without JavaScript; htmx swaps the lists when a filter changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.scope import scope_for
from wangge.inspections import actions, forms, selectors
from wangge.inspections.choices import AnswerType, TargetKind
from wangge.inspections.models import Hazard
from wangge.organisations.models import Enterprise
from wangge.people.forms import scope_roots
from wangge.people.views import is_htmx, place_names
from wangge.places.models import Building

PAGE_SIZE = 20
TARGETS_SHOWN = 30


def _can(user: Any, perm: str) -> bool:
    return scope_for(user).can(perm)


def _require(user: Any, perm: str) -> None:
    if not _can(user, perm):
        raise PermissionDenied


def _header(user: Any) -> dict[str, Any]:
    return {
        "can_inspect": _can(user, selectors.INSPECT),
        "can_view": _can(user, selectors.VIEW),
    }


# --- hazards --------------------------------------------------------------------------


@login_required
@require_GET
def hazard_list(request: HttpRequest) -> HttpResponse:
    """隐患清单: open hazards of the user's grids or community, earliest deadline first."""
    user = request.user
    _require(user, selectors.VIEW)
    filters = forms.HazardFilterForm(request.GET, roots=scope_roots(user, selectors.VIEW))
    today = timezone.localdate()
    qs = (
        selectors.hazards_filtered(user, today=today, **filters.selection())
        .select_related("inspection__checklist", "event")
        .order_by("deadline", "id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    hazards: list[Hazard] = list(page.object_list)
    names = place_names(h.region_code for h in hazards)
    context = {
        **_header(user),
        "filters": filters,
        "page": page,
        "today": today,
        "rows": [
            (
                h,
                names.get(h.region_code, h.region_code),
                h.is_overdue(today),
                (h.deadline - today).days,
            )
            for h in hazards
        ],
    }
    if is_htmx(request):
        return render(request, "inspections/hazards.html#hazard-list", context)
    return render(request, "inspections/hazards.html", context)


def _hazard_context(request: HttpRequest, hazard: Hazard, **forms_given: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    actions_allowed = selectors.available_actions(user, hazard)
    result = hazard.result
    measured = result.answer_type == AnswerType.NUMBER
    context: dict[str, Any] = {
        **_header(user),
        "hazard": hazard,
        "result": result,
        "limit": actions.limit_label(result.limit_min, result.limit_max, result.unit),
        "measured": actions.format_number(result.value_number),
        "place": place_names([hazard.region_code]).get(hazard.region_code, hazard.region_code),
        "overdue": hazard.is_overdue(today),
        "days_left": (hazard.deadline - today).days,
        "reinspections": selectors.reinspections_of(hazard),
        "records": selectors.enforcement_of(hazard),
        "allowed": actions_allowed,
    }
    if "reinspect" in actions_allowed:
        context["reinspect_form"] = forms_given.get("reinspect") or forms.ReinspectForm(
            measured=measured
        )
    if "change" in actions_allowed:
        context["change_form"] = forms_given.get("change") or forms.HazardChangeForm(
            initial={
                "deadline": hazard.deadline,
                "owner_name": hazard.owner_name,
                "responsible_person": hazard.responsible_person,
            }
        )
    if "enforce" in actions_allowed:
        context["enforce_form"] = forms_given.get("enforce") or forms.EnforcementForm(
            district_code=hazard.district_code
        )
    context["open_panel"] = next(iter(forms_given), "reinspect")
    return context


@login_required
@require_GET
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = selectors.get_hazard_for_user(request.user, pk)
    return render(request, "inspections/hazard.html", _hazard_context(request, hazard))


def _refused(
    request: HttpRequest, hazard: Hazard, slug: str, form: Any, exc: actions.InspectionError
) -> HttpResponse:
    shown = {name for name, f in form.fields.items() if not f.widget.is_hidden}
    for name, text in exc.fields.items():
        form.add_error(name if name in shown else None, text)
    if not exc.fields:
        form.add_error(None, exc.message)
    fresh = selectors.get_hazard_for_user(request.user, hazard.pk)
    context = _hazard_context(request, fresh, **{slug: form})
    if slug not in context["allowed"]:
        # The hazard moved on meanwhile (closed, escalated): say so on top.
        context["alert"] = exc.message
    return render(request, "inspections/hazard.html", context, status=exc.status)


@login_required
@require_POST
def hazard_act(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """One of the hazard page's forms: reinspect, change, enforce."""
    user = request.user
    hazard = selectors.get_hazard_for_user(user, pk)
    form: Any
    try:
        if slug == "reinspect":
            form = forms.ReinspectForm(
                request.POST, measured=hazard.result.answer_type == AnswerType.NUMBER
            )
            if not form.is_valid():
                raise actions.InspectionError(actions.INVALID)
            stored = actions.do_reinspect_hazard(
                hazard,
                actor=user,
                passed=form.passed_value(),
                value=form.cleaned_data.get("value"),
                note=form.cleaned_data["note"],
                request_id=form.cleaned_data["request_id"] or None,
            )
            after = selectors.get_hazard_for_user(user, pk)
            if stored.obj.passed:
                messages.success(request, _("Rectified: the hazard is closed."))
            elif after.event is not None:
                messages.warning(
                    request,
                    _("Not rectified: reported as event %(number)s for the command centre.")
                    % {"number": after.event.number},
                )
        elif slug == "change":
            form = forms.HazardChangeForm(request.POST)
            if not form.is_valid():
                raise actions.InspectionError(actions.INVALID)
            data = form.cleaned_data
            actions.do_change_hazard(
                hazard,
                actor=user,
                reason=data["reason"],
                deadline=data["deadline"],
                owner_name=data["owner_name"],
                responsible_person=data["responsible_person"],
            )
            messages.success(request, _("Saved."))
        elif slug == "enforce":
            form = forms.EnforcementForm(request.POST, district_code=hazard.district_code)
            if not form.is_valid():
                raise actions.InspectionError(actions.INVALID)
            data = form.cleaned_data
            actions.do_record_enforcement(
                hazard,
                actor=user,
                kind=data["kind"],
                item=data["item"],
                quantity=data["quantity"],
                unit=data["unit"],
                details=data["details"],
                department=data["department"] or None,
                enforced_on=data["enforced_on"],
                request_id=data["request_id"] or None,
            )
            messages.success(request, _("Enforcement record kept with the case."))
        else:
            raise Http404("no such action")
    except actions.InspectionForbidden:
        raise PermissionDenied from None
    except actions.InspectionError as exc:
        return _refused(request, hazard, slug, form, exc)
    return redirect("inspections:hazard", pk=pk)


# --- inspections ------------------------------------------------------------------------


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, selectors.VIEW)
    filters = forms.InspectionFilterForm(request.GET, roots=scope_roots(user, selectors.VIEW))
    qs = selectors.inspections_filtered(user, **filters.selection()).order_by(
        "-inspected_at", "-id"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    names = place_names(i.region_code for i in rows)
    context = {
        **_header(user),
        "filters": filters,
        "page": page,
        "rows": [(i, names.get(i.region_code, i.region_code)) for i in rows],
    }
    if is_htmx(request):
        return render(request, "inspections/inspections.html#inspection-list", context)
    return render(request, "inspections/inspections.html", context)


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(request.user, pk)
    results = selectors.results_of(inspection)
    context = {
        **_header(request.user),
        "inspection": inspection,
        "place": place_names([inspection.region_code]).get(
            inspection.region_code, inspection.region_code
        ),
        "results": [
            (
                r,
                actions.limit_label(r.limit_min, r.limit_max, r.unit),
                actions.format_number(r.value_number),
                getattr(r, "hazard", None),
            )
            for r in results
        ],
    }
    return render(request, "inspections/inspection.html", context)


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Choose what to inspect: an enterprise or shop, or a building, in the user's area."""
    user = request.user
    _require(user, selectors.INSPECT)
    search = forms.TargetSearchForm(request.GET, roots=scope_roots(user, selectors.INSPECT))
    values = search.values()
    kind = values.get("kind") or TargetKind.ENTERPRISE
    q, under = values.get("q"), values.get("under")
    targets: list[Enterprise] | list[Building]
    if kind == TargetKind.BUILDING:
        targets = list(selectors.inspectable_buildings(user, q=q, under=under)[: TARGETS_SHOWN + 1])
    else:
        targets = list(
            selectors.inspectable_enterprises(user, q=q, under=under)[: TARGETS_SHOWN + 1]
        )
    names = place_names(t.region_code for t in targets)
    context = {
        **_header(user),
        "search": search,
        "kind": kind,
        "more": len(targets) > TARGETS_SHOWN,
        "targets": [(t, names.get(t.region_code, t.region_code)) for t in targets[:TARGETS_SHOWN]],
    }
    if is_htmx(request):
        return render(request, "inspections/start.html#target-list", context)
    return render(request, "inspections/start.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inspect(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Tick the items of a checklist for one enterprise or building; stored once per form."""
    user = request.user
    _require(user, selectors.INSPECT)
    if kind not in TargetKind.values:
        raise Http404("no such kind")
    target = selectors.get_target(user, kind, pk)
    if target is None:
        raise Http404("no such target")
    checklists = selectors.active_checklists(kind)
    if not checklists:
        raise Http404("no checklist")
    wanted = request.POST.get("checklist") or request.GET.get("checklist") or ""
    checklist = next((c for c in checklists if c.code == wanted), checklists[0])
    items = list(getattr(checklist, "active_items", []))
    owner = actions.owner_of(target)
    status = 200
    if request.method == "POST":
        form = forms.InspectionForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            try:
                stored = actions.do_record_inspection(
                    actor=user,
                    checklist=checklist.code,
                    enterprise=target.pk if kind == TargetKind.ENTERPRISE else None,
                    building=target.pk if kind == TargetKind.BUILDING else None,
                    answers=form.answers(),
                    note=data["note"],
                    owner_name=data["owner_name"],
                    responsible_person=data["responsible_person"],
                    request_id=data["request_id"] or None,
                )
            except actions.InspectionForbidden:
                raise PermissionDenied from None
            except actions.InspectionError as exc:
                form.add_action_errors(exc.fields, exc.message)
                status = exc.status
            else:
                count = stored.obj.hazards.count()
                if not stored.created:
                    messages.info(request, _("This inspection was already stored."))
                elif count:
                    messages.warning(
                        request,
                        _("Inspection saved: %(n)s hazard(s) to rectify.") % {"n": count},
                    )
                else:
                    messages.success(request, _("Inspection saved: no hazard found."))
                return redirect("inspections:detail", pk=stored.obj.pk)
        else:
            status = 422
    else:
        form = forms.InspectionForm(
            initial={
                "checklist": checklist.code,
                "owner_name": owner.name,
                "responsible_person": owner.person,
            },
            items=items,
        )
    context = {
        **_header(user),
        "kind": kind,
        "target": target,
        "place": place_names([target.region_code]).get(target.region_code, target.region_code),
        "checklists": checklists,
        "checklist": checklist,
        "form": form,
    }
    return render(request, "inspections/inspect.html", context, status=status)
