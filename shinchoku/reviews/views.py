"""The committee's opinions of a plan: list (filters, xlsx), new, detail with history, edit, and
the forms that answer, move the status, assign and publish an opinion.

Every view loads the plan or opinion through reviews.access (404 for other organizations, draft
and registered plans; login for anonymous users); every change goes through reviews.services,
which checks the user again, the version the form was loaded with, and the input.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shinchoku.core.filenames import plan_fy_name
from shinchoku.core.wareki import fiscal_year, fy_label
from shinchoku.core.years import pick_fy
from shinchoku.downloads import set_download_name
from shinchoku.orgs.models import Department
from shinchoku.plans.models import Plan
from shinchoku.reviews import access, services
from shinchoku.reviews.forms import FilterForm, OpinionForm, detail_forms
from shinchoku.reviews.listing import STATUS_NAMES, Filters, filtered
from shinchoku.reviews.models import Opinion
from shinchoku.reviews.targets import Targets, value_of
from shinchoku.reviews.xlsx import list_xlsx
from shinchoku.rounds.latest import fys_with_data
from shinchoku.rounds.models import Round

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELD_NAMES = {
    **services.FIELD_NAMES,
    "node_key": pgettext_lazy("opinion field", "Concerns"),
    "indicator_key": pgettext_lazy("opinion field", "Concerns (indicator)"),
}


def _statuses() -> list[tuple[str, str]]:
    return [(s.value, str(STATUS_NAMES[s])) for s in Opinion.Status]


def _departments(plan: Plan) -> list[Department]:
    return list(Department.objects.filter(organization_id=plan.organization_id))


def _version(request: HttpRequest) -> int | None:
    try:
        value = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


@require_safe
def opinion_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's opinions, filtered by FY, status, goal and department."""
    plan = access.plan_for(request, slug)
    filters = Filters.read(request.GET)
    targets = Targets.load(plan)
    context = {
        "plan": plan,
        "rows": filtered(plan, filters, targets),
        "filters": filters,
        "query": filters.query(),
        "fys": plan.fiscal_years,
        "statuses": _statuses(),
        "goals": [(g.key, str(g)) for g in targets.goals()],
        "departments": _departments(plan),
        "may_record": access.may_record(request.user, plan),
    }
    context["form"] = FilterForm(
        filters,
        fys=context["fys"],
        statuses=context["statuses"],
        goal_level=plan.level_name(1),
        goals=context["goals"],
        departments=context["departments"],
    )
    return render(request, "reviews/list.html", context)


@require_safe
def opinion_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """The filtered list as a workbook."""
    plan = access.plan_for(request, slug)
    filters = Filters.read(request.GET)
    found = filtered(plan, filters, Targets.load(plan))
    heading = fy_label(filters.fy) if filters.fy else ""
    response = HttpResponse(list_xlsx(plan, found, heading), content_type=XLSX)
    name = plan_fy_name(plan.title, filters.fy, "意見一覧", "xlsx")
    return set_download_name(response, name, fallback=f"{plan.slug}_opinions")


def _default_fy(plan: Plan) -> int:
    """The year the committee reads: the latest yearly round with data (a sheet submitted or
    approved, an approved actual), else the latest yearly round; with no round, the FY that
    ended, within the plan's period."""
    from django.utils import timezone

    rounds = Round.objects.filter(plan=plan, kind=Round.Kind.YEARLY).values_list("fy", flat=True)
    fy = pick_fy(rounds, fys_with_data([plan])[plan.pk])
    if fy is None:
        fy = fiscal_year(timezone.localdate()) - 1
    return min(max(fy, plan.first_fy), plan.last_fy)


def _form_context(request: HttpRequest, plan: Plan, targets: Targets, **extra) -> dict:
    form = OpinionForm(
        extra.get("posted") or {},
        fys=plan.fiscal_years,
        targets=targets.choices(_("The plan as a whole")),
        departments=_departments(plan),
        new=extra.get("opinion") is None,
        is_admin=access.is_admin(request.user, plan),
        error=extra.get("error"),
    )
    return {"plan": plan, "form": form, **extra}


def _target_keys(targets: Targets, value: str) -> tuple[str, str]:
    parsed = targets.parse(value)
    if parsed is None:
        raise services.OpinionError("target", services.not_a_target())
    return parsed


def opinion_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Enter an opinion: the 管理者 from the minutes, a committee member their own."""
    plan = access.plan_for(request, slug)
    if not access.may_record(request.user, plan):
        return HttpResponse(status=403)
    targets = Targets.load(plan)
    if request.method == "POST":
        post = request.POST
        try:
            node_key, indicator_key = _target_keys(targets, post.get("target", ""))
            opinion = services.create_opinion(
                plan,
                post.get("fy", ""),
                post.get("text", ""),
                user=request.user,
                node_key=node_key,
                indicator_key=indicator_key,
                department=post.get("department") or None,
                author_name=post.get("author_name", ""),
            )
        except services.OpinionDenied:
            return HttpResponse(status=403)
        except services.OpinionError as e:
            context = _form_context(request, plan, targets, error=e, posted=post)
            return render(request, "reviews/form.html", context, status=422)
        messages.success(request, _("The opinion was recorded."))
        return redirect("reviews:detail", plan.slug, opinion.fy, opinion.number)
    posted = {"fy": str(_default_fy(plan)), "target": request.GET.get("target", "")}
    return render(
        request, "reviews/form.html", _form_context(request, plan, targets, posted=posted)
    )


def opinion_edit(request: HttpRequest, slug: str, fy: int, number: int) -> HttpResponse:
    """Change an opinion's text and what it concerns."""
    opinion = access.opinion_for(request, slug, fy, number)
    plan = opinion.plan
    if not access.may_edit(request.user, opinion):
        return HttpResponse(status=403)
    targets = Targets.load(plan)
    if request.method == "POST":
        post = request.POST
        version = _version(request)
        try:
            if version is None:
                raise services.OpinionConflict(str(_("Reload the page and enter it again.")))
            node_key, indicator_key = _target_keys(targets, post.get("target", ""))
            services.edit_opinion(
                opinion,
                user=request.user,
                version=version,
                text=post.get("text", ""),
                node_key=node_key,
                indicator_key=indicator_key,
            )
        except services.OpinionDenied:
            return HttpResponse(status=403)
        except services.OpinionError as e:
            opinion.refresh_from_db()
            status = 409 if isinstance(e, services.OpinionConflict) else 422
            context = _form_context(request, plan, targets, error=e, posted=post, opinion=opinion)
            return render(request, "reviews/form.html", context, status=status)
        messages.success(request, _("The opinion was saved."))
        return redirect("reviews:detail", plan.slug, opinion.fy, opinion.number)
    posted = {
        "fy": str(opinion.fy),
        "target": value_of(opinion.node_key, opinion.indicator_key),
        "text": opinion.text,
        "version": str(opinion.version),
    }
    context = _form_context(request, plan, targets, posted=posted, opinion=opinion)
    return render(request, "reviews/form.html", context)


def _shown(field: str, value, targets: Targets) -> str:
    if field in ("target", "node_key", "indicator_key") and value:
        if field != "node_key" and value in targets.by_indicator:
            return targets.label("", value)
        return targets.label(value, "")
    if field == "status":
        return str(STATUS_NAMES.get(value, value or ""))
    if field == "public":
        return "公開" if value else "非公開"
    return "" if value is None else str(value)


def _events(opinion: Opinion, targets: Targets) -> list[dict]:
    out = []
    for e in opinion.events.all():
        changes = [
            (FIELD_NAMES.get(f, f), _shown(f, before, targets), _shown(f, after, targets))
            for f, (before, after) in e.changes.items()
        ]
        out.append({"event": e, "changes": changes})
    return out


def _detail(request: HttpRequest, opinion: Opinion, *, status: int = 200, **extra) -> HttpResponse:
    plan = opinion.plan
    targets = Targets.load(plan)
    user = request.user
    context = {
        "plan": plan,
        "opinion": opinion,
        "target": targets.label(opinion.node_key, opinion.indicator_key, "計画全体"),
        "goal": targets.goal(opinion.node_key, opinion.indicator_key),
        "status_name": str(STATUS_NAMES.get(opinion.status, opinion.status)),
        "statuses": _statuses(),
        "events": _events(opinion, targets),
        "departments": _departments(plan),
        "may_edit": access.may_edit(user, opinion),
        "may_answer": access.may_answer(user, opinion),
        "may_assign": access.may_assign(user, opinion),
        "may_publish": access.may_publish(user, opinion),
        **extra,
    }
    posted = extra.get("posted") or {}
    values = {
        f: posted.get(f, getattr(opinion, f)) for f in ("policy", "action", "reason", "status")
    }
    context.update(
        detail_forms(
            opinion,
            values=values,
            statuses=context["statuses"],
            departments=context["departments"],
            error=extra.get("error"),
        )
    )
    return render(request, "reviews/detail.html", context, status=status)


@require_safe
def opinion_detail(request: HttpRequest, slug: str, fy: int, number: int) -> HttpResponse:
    """An opinion with its answer and its history, and the forms the user may use."""
    return _detail(request, access.opinion_for(request, slug, fy, number))


def _change(request: HttpRequest, slug: str, fy: int, number: int, allowed, step, done: str):
    opinion = access.opinion_for(request, slug, fy, number)
    if not allowed(request.user, opinion):
        return HttpResponse(status=403)
    version = _version(request)
    try:
        if version is None:
            raise services.OpinionConflict(str(_("Reload the page and enter it again.")))
        step(opinion, version)
    except services.OpinionDenied:
        return HttpResponse(status=403)
    except services.OpinionError as e:
        opinion.refresh_from_db()
        conflict = isinstance(e, services.OpinionConflict)
        return _detail(
            request,
            opinion,
            status=409 if conflict else 422,
            error=e,
            conflict=conflict,
            posted=request.POST,
        )
    messages.success(request, done)
    return redirect("reviews:detail", opinion.plan.slug, opinion.fy, opinion.number)


@require_POST
def opinion_answer(request: HttpRequest, slug: str, fy: int, number: int) -> HttpResponse:
    """The department's 対応方針 and 対応内容."""
    post = request.POST
    return _change(
        request,
        slug,
        fy,
        number,
        access.may_answer,
        lambda o, v: services.answer(
            o,
            user=request.user,
            version=v,
            policy=post.get("policy", ""),
            action=post.get("action", ""),
        ),
        _("The answer was saved."),
    )


@require_POST
def opinion_status(request: HttpRequest, slug: str, fy: int, number: int) -> HttpResponse:
    """Move the status (見送り with its reason)."""
    post = request.POST
    return _change(
        request,
        slug,
        fy,
        number,
        access.may_answer,
        lambda o, v: services.set_status(
            o,
            post.get("status", ""),
            user=request.user,
            version=v,
            reason=post.get("reason", ""),
        ),
        _("The status was changed."),
    )


@require_POST
def opinion_assign(request: HttpRequest, slug: str, fy: int, number: int) -> HttpResponse:
    """Assign the opinion to a department (管理者)."""
    return _change(
        request,
        slug,
        fy,
        number,
        access.may_assign,
        lambda o, v: services.assign(
            o, request.POST.get("department") or None, user=request.user, version=v
        ),
        _("The department was assigned."),
    )


@require_POST
def opinion_public(request: HttpRequest, slug: str, fy: int, number: int) -> HttpResponse:
    """Show the opinion and its answer on the public pages, or stop (管理者)."""
    return _change(
        request,
        slug,
        fy,
        number,
        access.may_publish,
        lambda o, v: services.set_public(
            o, request.POST.get("public") == "1", user=request.user, version=v
        ),
        _("The public setting was changed."),
    )
