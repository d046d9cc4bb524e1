"""The plan editor, for 管理者 only: plans, nodes, sections, contents, schedules, indicators.

Forms open inline with htmx (and work as plain pages without it). Every save is one transaction
that checks the version the form was opened with, writes, and records the change with the
values before and after. A second person saving the same record is refused and shown the other
change; nothing typed is lost (the form comes back with the user's input).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shinchoku.accounts.permissions import can_edit_structure, membership, require
from shinchoku.core.wareki import fy_label
from shinchoku.plans import editing, history, links, reporting
from shinchoku.plans.access import may_see, visible_plan
from shinchoku.plans.forms import (
    CellForm,
    ContentForm,
    IndicatorForm,
    MoveForm,
    NodeForm,
    PlanForm,
    SectionForm,
)
from shinchoku.plans.models import (
    BusinessKind,
    ChangeRecord,
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    NodeKind,
    Plan,
    Section,
)

BROWSER = ChangeRecord.Source.BROWSER


def _plan(request: HttpRequest, slug: str) -> Plan:
    """The plan, if the user may change its structure (管理者 of its organization)."""
    plan = visible_plan(request, slug)
    require(request, can_edit_structure(request.user, plan.organization))
    return plan


def _node(plan: Plan, key: str) -> Node:
    return get_object_or_404(Node, plan=plan, key=key)


def _done(request: HttpRequest, url: str, message: str) -> HttpResponse:
    """After a successful write: a message and back to the editor page (htmx or not)."""
    messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _editor_url(plan: Plan, node: Node | None = None) -> str:
    if node is None:
        return reverse("plans:edit", args=[plan.slug])
    return reverse("plans:edit_node", args=[plan.slug, node.key])


@dataclass
class Conflict:
    """What the other person saved, shown above the form that was refused."""

    who: str
    when: Any
    current: dict[str, str]
    gone: bool = False  # the other person deleted it


def _form_page(
    request: HttpRequest,
    plan: Plan,
    form: forms.Form,
    *,
    title: str,
    action: str,
    back: str,
    conflict: Conflict | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "plan": plan,
        "form": form,
        "title": title,
        "action": action,
        "back": back,
        "conflict": conflict,
    }
    if status == 200 and form.errors.get("version"):
        status = 400  # sent without its version: refused, never saved unchecked
    template = "plans/edit/_form.html" if request.htmx else "plans/edit/form_page.html"
    return render(request, template, context, status=status)


def _refused(
    request: HttpRequest,
    plan: Plan,
    message: str,
    *,
    back: str,
    conflict: Conflict | None = None,
    status: int,
) -> HttpResponse:
    """A button's post refused (no version, or a stale one): why, and what is stored now."""
    context = {"plan": plan, "message": message, "back": back, "conflict": conflict}
    return render(request, "plans/edit/refused.html", context, status=status)


def _posted(request: HttpRequest):
    """The form data of a POST (even an empty one, which is then refused), else None."""
    return request.POST if request.method == "POST" else None


def _posted_version(request: HttpRequest) -> int | None:
    """The version a button's form was rendered with; None when missing or not a number."""
    try:
        value = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


NO_VERSION = gettext_lazy(
    "This form was sent without its version. Reload the page and enter it again."
)


def _conflict(
    request: HttpRequest,
    plan: Plan,
    kind: str,
    key: str,
    current: dict[str, str] | None,
) -> Conflict:
    """The other change: who and when from the history, and what is stored now (None: deleted)."""
    last = history.last_change(plan.slug, kind, key)
    return Conflict(
        who=(last.user_name or _("someone")) if last else _("someone"),
        when=last.at if last else None,
        current=current or {},
        gone=current is None,
    )


def _rebind_with_version(form_class: Callable[..., forms.Form], request, version: int, **kw):
    """The refused form again, with the user's input and the version now in the database."""
    data = request.POST.copy()
    data["version"] = str(version)
    return form_class(data, **kw)


def _expected(form: forms.Form) -> int:
    """The version the form was opened with (a required field: a valid form has it)."""
    return form.cleaned_data["version"]


# Editor pages


@require_http_methods(["GET"])
def plan_editor(request: HttpRequest, slug: str) -> HttpResponse:
    """The editor home: the plan's settings, its own sections and its tree with actions."""
    plan = _plan(request, slug)
    nodes = list(Node.objects.filter(plan=plan).order_by("seq"))
    return render(
        request,
        "plans/edit/plan_editor.html",
        {
            "plan": plan,
            "nodes": nodes,
            "sections": plan.sections.filter(node=None).order_by("order"),
            "max_level": len(plan.level_names),
        },
    )


@require_http_methods(["GET"])
def node_editor(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One node with its sections, contents and schedule cells, indicators and target cells."""
    plan, node, children = _node_for_editor(request, slug, key)
    # The 担当課 in one query for the reporter column and the facts.
    prefetch_related_objects(
        [node],
        Prefetch(
            "nodedepartment_set",
            NodeDepartment.objects.select_related("department").order_by("order"),
        ),
    )
    departments = sorted(
        (nd.department for nd in node.nodedepartment_set.all()),
        key=lambda d: (d.organization_id, d.order, d.id),  # Department's own ordering
    )
    years = plan.fiscal_years
    contents = list(
        node.contents.select_related("shared").prefetch_related(
            "schedule",
            Prefetch("contentgoal_set", ContentGoal.objects.select_related("node__plan")),
        )
    )
    links.mark_goal_refs(contents, plan.organization_id, plan)
    rows = []
    for content in contents:
        tracks = sorted({s.track for s in content.schedule.all()}) or [""]
        for track in tracks:
            grid = dict.fromkeys(years, "")
            for span in content.schedule.all():
                if span.track == track:
                    for fy in range(span.from_fy, span.to_fy + 1):
                        if fy in grid:
                            grid[fy] = span.phase
            rows.append({"content": content, "track": track, "cells": list(grid.items())})
    indicators = []
    first = reporting.first_department(node)
    for indicator in node.indicators.select_related("department").prefetch_related("values"):
        targets = {v.fy: v.text for v in indicator.values.all() if v.role == "target"}
        baseline = next((v for v in indicator.values.all() if v.role == "baseline"), None)
        indicators.append(
            {
                "indicator": indicator,
                "reporter": indicator.department or first,  # plans/reporting.py
                "baseline": baseline,
                "cells": [(fy, targets.get(fy, "")) for fy in years],
            }
        )
    return render(
        request,
        "plans/edit/node_editor.html",
        {
            "plan": plan,
            "node": node,
            "years": years,
            "sections": node.sections.order_by("order"),
            "rows": rows,
            "indicators": indicators,
            "ancestors": _ancestors(node),
            "departments": departments,
            "children": children,
        },
    )


ANCESTORS = "parent__parent__parent__parent__parent"


def _node_for_editor(request: HttpRequest, slug: str, key: str) -> tuple[Plan, Node, list[Node]]:
    """The plan, the node with the ancestors of its breadcrumbs (plans have at most a few
    levels) and its children, read in one query (issue 16).

    Every refusal is the one `_plan` and `_node` give, in their order: the login, a 404 for a
    plan the user may not see, a 403 for a member who is not its 管理者, a 404 for no such node.
    """
    require(request, request.user.is_authenticated)
    rows = list(
        Node.objects.filter(plan__slug=slug)
        .filter(Q(key=key) | Q(parent__key=key))
        .select_related("plan__organization", ANCESTORS)
        .order_by("plan_id", "seq")  # Node's own ordering: the children in tree order
    )
    node = next((n for n in rows if n.key == key), None)
    if node is None:
        _plan(request, slug)  # the plan's refusal, if any
        raise Http404("no such node")
    plan = node.plan
    if not may_see(request.user, plan):
        raise Http404("no such plan")
    require(request, can_edit_structure(request.user, plan.organization))
    children = [n for n in rows if n.parent_id == node.pk]
    for child in children:
        child.plan = plan
    return plan, node, children


def _ancestors(node: Node) -> list[Node]:
    out = []
    current = node.parent
    while current is not None:
        out.append(current)
        current = current.parent
    return list(reversed(out))


# The plan itself


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    """Create an empty plan for the user's organization."""
    member = membership(request.user)
    organization = member.organization if member else None
    require(request, organization is not None and can_edit_structure(request.user, organization))
    form = PlanForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if Plan.objects.filter(slug=form.cleaned_data["slug"]).exists():
            form.add_error("slug", _("This slug is already used by another plan."))
        else:
            try:
                with transaction.atomic():
                    form.instance.organization = organization
                    plan = form.save()
                    history.record(
                        plan,
                        user=request.user,
                        source=BROWSER,
                        action="add",
                        kind="plan",
                        key=plan.slug,
                        label=plan.title,
                        after=history.snapshot_plan(plan),
                    )
            except IntegrityError:
                # Somebody created a plan with the same slug at the same moment.
                form.instance.pk = None
                form.add_error("slug", _("This slug is already used by another plan."))
            else:
                return _done(request, _editor_url(plan), _("The plan was created."))
    context = {"form": form, "title": _("New plan"), "action": request.path, "back": "/"}
    return render(request, "plans/edit/form_page.html", context)


@require_http_methods(["GET", "POST"])
def plan_settings(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    before = history.snapshot_plan(plan)
    form = PlanForm(_posted(request), instance=plan, initial={"version": plan.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                editing.lock_plan(plan)
                editing.claim_version(plan, _expected(form))
                form.save()
                history.record(
                    plan,
                    user=request.user,
                    source=BROWSER,
                    action="change",
                    kind="plan",
                    key=plan.slug,
                    label=plan.title,
                    before=before,
                    after=history.snapshot_plan(plan),
                )
            return _done(request, _editor_url(plan), _("Saved."))
        except editing.EditConflict:
            fresh = Plan.objects.get(pk=plan.pk)
            conflict = _conflict(request, fresh, "plan", fresh.slug, history.snapshot_plan(fresh))
            form = _rebind_with_version(PlanForm, request, fresh.version, instance=fresh)
    return _form_page(
        request,
        plan,
        form,
        title=_("Plan settings"),
        action=request.path,
        back=_editor_url(plan),
        conflict=conflict,
        status=409 if conflict else 200,
    )


# Nodes


def _record_node(
    request: HttpRequest,
    plan: Plan,
    node: Node,
    action: str,
    before: dict[str, str] | None = None,
    after: dict[str, str] | None = None,
) -> None:
    """One history record of a node changed in the browser."""
    history.record(
        plan,
        user=request.user,
        source=BROWSER,
        action=action,
        kind="node",
        key=node.key,
        node_key=node.key,
        label=str(node),
        before=before,
        after=after,
    )


def _save_node_relations(node: Node, form: NodeForm) -> None:
    NodeDepartment.objects.filter(node=node).delete()
    NodeDepartment.objects.bulk_create(
        NodeDepartment(node=node, department=d, order=i)
        for i, d in enumerate(form.cleaned_data["departments"])
    )
    NodeKind.objects.filter(node=node).delete()
    for i, name in enumerate(form.cleaned_data["kinds_text"]):
        kind, _created = BusinessKind.objects.get_or_create(
            organization_id=node.plan.organization_id, name=name
        )
        NodeKind.objects.create(node=node, kind=kind, order=i)
    node.sdgs.set(form.cleaned_data["sdgs"])


@require_http_methods(["GET", "POST"])
def node_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a node at the top level or under ?parent=<key>."""
    plan = _plan(request, slug)
    parent_key = request.GET.get("parent") or request.POST.get("parent_key") or ""
    parent = _node(plan, parent_key) if parent_key else None
    level = parent.level + 1 if parent else 1
    form = NodeForm(_posted(request), plan=plan)
    if request.method == "POST" and form.is_valid():
        node = form.save(commit=False)
        node.plan = plan
        node.parent = parent
        node.level = level

        def insert() -> None:
            # A fresh key each attempt: one taken meanwhile is refused by unique(plan, key).
            node.pk = None
            node.key = editing.new_node_key(plan)
            siblings = Node.objects.filter(plan=plan, parent=parent)
            node.order = (siblings.aggregate(m=Max("order"))["m"] or 0) + 1
            node.save()

        try:
            with transaction.atomic():
                editing.lock_plan(plan)
                if parent is not None and not Node.objects.filter(pk=parent.pk).exists():
                    raise editing.EditConflict
                editing.insert_with_retry(insert)
                _save_node_relations(node, form)
                editing.renumber(plan)
                _record_node(request, plan, node, "add", after=history.snapshot_node(node))
        except editing.KeyTaken:
            form.add_error(None, _("Others were adding at the same time. Save again."))
        except editing.EditConflict:
            form.add_error(None, _("The parent was deleted by someone else. Go back to the tree."))
        else:
            return _done(request, _editor_url(plan, node), _("Added."))
    title = _("Add %(level)s") % {"level": plan.level_name(level)}
    action = request.path + (f"?parent={parent.key}" if parent else "")
    return _form_page(
        request, plan, form, title=title, action=action, back=_editor_url(plan, parent)
    )


@require_http_methods(["GET", "POST"])
def node_form(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    plan = _plan(request, slug)
    node = _node(plan, key)
    form = NodeForm(_posted(request), instance=node, plan=plan, initial={"version": node.version})
    conflict = None
    # As stored, before validation writes the input into the instance; a GET needs none.
    before = history.snapshot_node(node) if request.method == "POST" else {}
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                editing.lock_plan(plan)
                editing.claim_version(node, _expected(form))
                form.save()
                _save_node_relations(node, form)
                _record_node(
                    request,
                    plan,
                    node,
                    "change",
                    before=before,
                    after=history.snapshot_node(node),
                )
            return _done(request, _editor_url(plan, node), _("Saved."))
        except editing.EditConflict:
            fresh = Node.objects.filter(pk=node.pk).first()
            if fresh is None:
                conflict = _conflict(request, plan, "node", node.key, None)
            else:
                current = history.snapshot_node(fresh)
                conflict = _conflict(request, plan, "node", fresh.key, current)
                form = _rebind_with_version(
                    NodeForm, request, fresh.version, instance=fresh, plan=plan
                )
    return _form_page(
        request,
        plan,
        form,
        title=_("Edit %(name)s") % {"name": plan.level_name(node.level)},
        action=request.path,
        back=_editor_url(plan, node),
        conflict=conflict,
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def node_move(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Up / down among siblings (POST direction), or under another parent (the form)."""
    plan = _plan(request, slug)
    node = _node(plan, key)
    direction = request.POST.get("direction")
    back = _editor_url(plan, node.parent) if node.parent_id else _editor_url(plan)
    if request.method == "POST" and direction in ("up", "down"):
        return _swap(
            request,
            plan,
            node,
            Q(plan=plan, parent=node.parent_id),
            direction,
            kind="node",
            key=node.key,
            snapshot=history.snapshot_node,
            back=back,
        )
    excluded = editing.subtree_ids(node)
    form = MoveForm(
        _posted(request), node=node, excluded=excluded, initial={"version": node.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        parent = form.cleaned_data["parent"]
        before = {"上位": str(node.parent) if node.parent else _("(top level)")}
        try:
            with transaction.atomic():
                editing.lock_plan(plan)
                editing.claim_version(node, _expected(form))
                if parent is not None and parent.pk in editing.subtree_ids(node):
                    raise editing.EditConflict  # moved below itself by someone else's move
                node.parent = parent
                node.order = 10**6
                node.save(update_fields=["parent", "order"])
                editing.renumber(plan)
                node.refresh_from_db()
                _record_node(
                    request,
                    plan,
                    node,
                    "change",
                    before=before,
                    after={"上位": str(parent) if parent else _("(top level)")},
                )
            return _done(request, _editor_url(plan, node), _("Moved."))
        except editing.EditConflict:
            fresh = Node.objects.filter(pk=node.pk).first()
            current = history.snapshot_node(fresh) if fresh else None
            conflict = _conflict(request, plan, "node", node.key, current)
            if fresh is not None:
                form = _rebind_with_version(
                    MoveForm,
                    request,
                    fresh.version,
                    node=fresh,
                    excluded=editing.subtree_ids(fresh),
                )
    return _form_page(
        request,
        plan,
        form,
        title=_("Move %(name)s") % {"name": node},
        action=request.path,
        back=_editor_url(plan, node),
        conflict=conflict,
        status=409 if conflict else 200,
    )


def _swap(
    request: HttpRequest,
    plan: Plan,
    obj: Any,
    siblings: Q,
    direction: str,
    *,
    kind: str,
    key: str,
    snapshot: Callable[[Any], dict[str, str]],
    back: str,
) -> HttpResponse:
    """Move obj one place up or down, if its version is still the one its page showed."""
    expected = _posted_version(request)
    if expected is None:
        return _refused(request, plan, str(NO_VERSION), back=back, status=400)
    try:
        with transaction.atomic():
            editing.lock_plan(plan)
            editing.claim_version(obj, expected)
            moved = editing.swap(obj, siblings, direction)
            if kind == "node":
                editing.renumber(plan)
            if moved:
                history.record(
                    plan,
                    user=request.user,
                    source=BROWSER,
                    action="change",
                    kind=kind,
                    key=key,
                    node_key=obj.key if kind == "node" else (obj.node.key if obj.node_id else ""),
                    label=str(obj) if kind == "node" else _label(obj),
                    before={"順序": _("moved %(direction)s") % {"direction": direction}},
                )
    except editing.EditConflict:
        fresh = type(obj).objects.filter(pk=obj.pk).first()
        conflict = _conflict(request, plan, kind, key, snapshot(fresh) if fresh else None)
        message = _("This was saved by someone else after you opened it.")
        return _refused(request, plan, message, back=back, conflict=conflict, status=409)
    return _done(request, back, _("Moved.") if moved else _("It is already at the end."))


@require_http_methods(["GET", "POST"])
def node_delete(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Ask first, showing everything that goes with the node; progress data needs a tick."""
    plan = _plan(request, slug)
    node = _node(plan, key)
    impact = editing.node_impact(node)
    error, status, conflict, version = "", 200, None, node.version
    if request.method == "POST":
        expected = _posted_version(request)
        if expected is None:
            error, status = str(NO_VERSION), 400
        elif impact.linked_from_other_plans:
            error = _("Contents of other plans are linked to this node. Remove those links first.")
            status = 400
        elif impact.progress and request.POST.get("confirm_progress") != "yes":
            error = _("Tick the box to confirm that the reported progress is deleted too.")
            status = 400
        else:
            try:
                with transaction.atomic():
                    editing.lock_plan(plan)
                    editing.claim_version(node, expected)
                    parent = node.parent
                    _delete_node_tree(request, plan, node)
                return _done(request, _editor_url(plan, parent), _("Deleted."))
            except editing.EditConflict:
                fresh = Node.objects.filter(pk=node.pk).first()
                current = history.snapshot_node(fresh) if fresh else None
                conflict = _conflict(request, plan, "node", node.key, current)
                error = _("This was saved by someone else after you opened it.")
                status, version = 409, fresh.version if fresh else node.version
                impact = editing.node_impact(fresh) if fresh else impact
    return render(
        request,
        "plans/edit/confirm_delete.html",
        {
            "plan": plan,
            "object": node,
            "impact": impact,
            "error": error,
            "conflict": conflict,
            "version": version,
            "back": _editor_url(plan, node),
        },
        status=status,
    )


def _delete_node_tree(request: HttpRequest, plan: Plan, node: Node) -> None:
    """Delete a node with everything below it, recording each node, indicator and content."""
    ids = editing.subtree_ids(node)
    for doomed in Node.objects.filter(id__in=ids).order_by("-seq"):
        _record_node(request, plan, doomed, "remove", before=history.snapshot_node(doomed))
        for indicator in doomed.indicators.all():
            history.record(
                plan,
                user=request.user,
                source=BROWSER,
                action="remove",
                kind="indicator",
                key=indicator.key,
                node_key=doomed.key,
                label=indicator.name,
                before=history.snapshot_indicator(indicator),
            )
        for content in doomed.contents.all():
            history.record(
                plan,
                user=request.user,
                source=BROWSER,
                action="remove",
                kind="content",
                key=f"{doomed.key}:{content.pk}",
                node_key=doomed.key,
                label=content.text[:200],
                before=history.snapshot_content(content),
            )
    ContentGoal.objects.filter(content__node_id__in=ids).delete()
    Content.objects.filter(node_id__in=ids).delete()
    node.delete()
    editing.renumber(plan)


# Sections, contents and indicators share create / edit / move / delete.


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    form: type
    snapshot: Callable[[Any], dict[str, str]]
    title_new: Any
    title_edit: Any


def _label(obj: Any) -> str:
    return str(getattr(obj, "heading", "") or getattr(obj, "name", "") or obj)[:200]


def _object_key(kind: str, obj: Any) -> str:
    if kind == "indicator":
        return obj.key
    return f"{kind}:{obj.pk}"


KINDS: dict[str, Kind] = {
    "section": Kind(
        "section",
        Section,
        SectionForm,
        history.snapshot_section,
        gettext_lazy("Add a section"),
        gettext_lazy("Edit the section"),
    ),
    "content": Kind(
        "content",
        Content,
        ContentForm,
        history.snapshot_content,
        gettext_lazy("Add a content"),
        gettext_lazy("Edit the content"),
    ),
    "indicator": Kind(
        "indicator",
        Indicator,
        IndicatorForm,
        history.snapshot_indicator,
        gettext_lazy("Add an indicator"),
        gettext_lazy("Edit the indicator"),
    ),
}


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise Http404
    return KINDS[name]


def _get_object(plan: Plan, kind: Kind, pk: int) -> Any:
    if kind.model is Section:
        return get_object_or_404(Section.objects.select_related("node"), pk=pk, plan=plan)
    return get_object_or_404(kind.model.objects.select_related("node"), pk=pk, node__plan=plan)


def _form_kwargs(kind: Kind, plan: Plan, node: Node | None = None) -> dict[str, Any]:
    if kind.model is Indicator:
        return {"plan": plan, "node": node}  # the item's 担当課 come first (reporting dept)
    return {} if kind.model is Section else {"plan": plan}


def _siblings(obj: Any) -> Q:
    if isinstance(obj, Section):
        return Q(plan_id=obj.plan_id, node_id=obj.node_id)
    return Q(node_id=obj.node_id)


def _save_extra(kind: Kind, obj: Any, form: forms.ModelForm) -> None:
    """What a ModelForm does not save by itself: goal links, the baseline value."""
    if kind.model is Content:
        # References the form does not offer (dangling, or into another organization's plan
        # that has not accepted) stay as they are, after the chosen goals.
        offered = form.fields["goal_nodes"].queryset
        kept = list(ContentGoal.objects.filter(content=obj).exclude(node__in=offered))
        ContentGoal.objects.filter(content=obj).delete()
        chosen = [
            ContentGoal(content=obj, node=n, plan_slug=n.plan.slug, node_key=n.key)
            for n in form.cleaned_data["goal_nodes"]
        ]
        names = {(cg.plan_slug, cg.node_key) for cg in chosen}
        kept = [cg for cg in kept if (cg.plan_slug, cg.node_key) not in names]
        for i, cg in enumerate(chosen + kept):
            cg.pk, cg.order = None, i
        ContentGoal.objects.bulk_create(chosen + kept)
    if kind.model is Indicator:
        data = form.cleaned_data
        obj.values.filter(role=IndicatorValue.Role.BASELINE).delete()
        if data.get("baseline_value"):
            IndicatorValue.objects.create(
                indicator=obj,
                role=IndicatorValue.Role.BASELINE,
                fy=data["baseline_fy"],
                text=data["baseline_value"],
                label=data.get("baseline_label") or "",
                estimate=bool(data.get("baseline_estimate")),
                as_of=data.get("baseline_as_of"),
            )


@require_http_methods(["GET", "POST"])
def object_create(request: HttpRequest, slug: str, kind_name: str) -> HttpResponse:
    """Add a section (of the plan or of ?node=), a content or an indicator (of ?node=)."""
    plan = _plan(request, slug)
    kind = _kind(kind_name)
    node_key = request.GET.get("node", "")
    node = _node(plan, node_key) if node_key else None
    if node is None and kind.model is not Section:
        raise Http404
    form = kind.form(_posted(request), **_form_kwargs(kind, plan, node))
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if kind.model is Section:
            obj.plan = plan
        obj.node = node

        def insert() -> None:
            # Keys and the order among siblings are read after the plan's lock; the unique
            # constraint on indicator keys refuses one taken meanwhile, and we try again.
            obj.pk = None
            if kind.model is Indicator:
                obj.key = editing.new_indicator_key(plan)
            existing = kind.model.objects.filter(
                _siblings(obj) if kind.model is not Section else Q(plan=plan, node=node)
            )
            obj.order = (existing.aggregate(m=Max("order"))["m"] or 0) + 1
            obj.save()

        try:
            with transaction.atomic():
                editing.lock_plan(plan)
                if node is not None and not Node.objects.filter(pk=node.pk).exists():
                    raise editing.EditConflict
                editing.insert_with_retry(insert)
                _save_extra(kind, obj, form)
                history.record(
                    plan,
                    user=request.user,
                    source=BROWSER,
                    action="add",
                    kind=kind.name,
                    key=_object_key(kind.name, obj),
                    node_key=node.key if node else "",
                    label=_label(obj),
                    after=kind.snapshot(obj),
                )
        except editing.KeyTaken:
            form.add_error(None, _("Others were adding at the same time. Save again."))
        except editing.EditConflict:
            form.add_error(None, _("The parent was deleted by someone else. Go back to the tree."))
        else:
            return _done(request, _editor_url(plan, node), _("Added."))
    action = request.path + (f"?node={node.key}" if node else "")
    return _form_page(
        request, plan, form, title=str(kind.title_new), action=action, back=_editor_url(plan, node)
    )


@require_http_methods(["GET", "POST"])
def object_form(request: HttpRequest, slug: str, kind_name: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    kind = _kind(kind_name)
    obj = _get_object(plan, kind, pk)
    kwargs = _form_kwargs(kind, plan, obj.node if kind.model is not Section else None)
    form = kind.form(_posted(request), instance=obj, initial={"version": obj.version}, **kwargs)
    conflict = None
    before = kind.snapshot(obj)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                editing.lock_plan(plan)
                editing.claim_version(obj, _expected(form))
                form.save()
                _save_extra(kind, obj, form)
                history.record(
                    plan,
                    user=request.user,
                    source=BROWSER,
                    action="change",
                    kind=kind.name,
                    key=_object_key(kind.name, obj),
                    node_key=obj.node.key if obj.node_id else "",
                    label=_label(obj),
                    before=before,
                    after=kind.snapshot(obj),
                )
            return _done(request, _editor_url(plan, obj.node), _("Saved."))
        except editing.EditConflict:
            fresh = kind.model.objects.filter(pk=pk).first()
            if fresh is None:
                conflict = _conflict(request, plan, kind.name, _object_key(kind.name, obj), None)
            else:
                current = kind.snapshot(fresh)
                conflict = _conflict(
                    request, plan, kind.name, _object_key(kind.name, fresh), current
                )
                form = _rebind_with_version(
                    kind.form, request, fresh.version, instance=fresh, **kwargs
                )
    return _form_page(
        request,
        plan,
        form,
        title=str(kind.title_edit),
        action=request.path,
        back=_editor_url(plan, obj.node),
        conflict=conflict,
        status=409 if conflict else 200,
    )


@require_POST
def object_move(request: HttpRequest, slug: str, kind_name: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    kind = _kind(kind_name)
    obj = _get_object(plan, kind, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    return _swap(
        request,
        plan,
        obj,
        _siblings(obj),
        direction,
        kind=kind.name,
        key=_object_key(kind.name, obj),
        snapshot=kind.snapshot,
        back=_editor_url(plan, obj.node),
    )


@require_http_methods(["GET", "POST"])
def object_delete(request: HttpRequest, slug: str, kind_name: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    kind = _kind(kind_name)
    obj = _get_object(plan, kind, pk)
    impact = editing.indicator_impact(obj) if kind.model is Indicator else editing.Impact()
    error, status, conflict, version = "", 200, None, obj.version
    if request.method == "POST":
        expected = _posted_version(request)
        if expected is None:
            error, status = str(NO_VERSION), 400
        elif impact.progress and request.POST.get("confirm_progress") != "yes":
            error = _("Tick the box to confirm that the reported progress is deleted too.")
            status = 400
        else:
            try:
                with transaction.atomic():
                    editing.lock_plan(plan)
                    editing.claim_version(obj, expected)
                    history.record(
                        plan,
                        user=request.user,
                        source=BROWSER,
                        action="remove",
                        kind=kind.name,
                        key=_object_key(kind.name, obj),
                        node_key=obj.node.key if obj.node_id else "",
                        label=_label(obj),
                        before=kind.snapshot(obj),
                    )
                    node = obj.node
                    obj.delete()
                return _done(request, _editor_url(plan, node), _("Deleted."))
            except editing.EditConflict:
                fresh = kind.model.objects.filter(pk=obj.pk).first()
                current = kind.snapshot(fresh) if fresh else None
                conflict = _conflict(request, plan, kind.name, _object_key(kind.name, obj), current)
                error = _("This was saved by someone else after you opened it.")
                status, version = 409, fresh.version if fresh else obj.version
    return render(
        request,
        "plans/edit/confirm_delete.html",
        {
            "plan": plan,
            "object": obj,
            "impact": impact,
            "error": error,
            "conflict": conflict,
            "version": version,
            "back": _editor_url(plan, obj.node),
        },
        status=status,
    )


# Cells: one FY of a content's schedule, one FY's target of an indicator.


@require_http_methods(["GET", "POST"])
def schedule_cell(request: HttpRequest, slug: str, pk: int, fy: int) -> HttpResponse:
    plan = _plan(request, slug)
    content = get_object_or_404(Content.objects.select_related("node"), pk=pk, node__plan=plan)
    if fy not in plan.fiscal_years:
        raise Http404
    track = request.GET.get("track", "")
    current = editing.phase_grid(content, track, [fy])[fy]
    return _cell(
        request,
        plan,
        content,
        fy,
        current,
        kind="content",
        key=f"content:{content.pk}",
        label=f"{content.label} {content.text}"[:200],
        write=lambda text: editing.set_phase(content, track, fy, text),
        read=lambda: editing.phase_grid(content, track, [fy])[fy],
        title=_("Phase in %(fy)s") % {"fy": fy_label(fy)},
        field_label=_("What the roadmap shows for this year"),
        help_text=_("As the plan prints it, e.g. 実施, 検討, 拡充. Empty: nothing planned."),
    )


@require_http_methods(["GET", "POST"])
def target_cell(request: HttpRequest, slug: str, pk: int, fy: int) -> HttpResponse:
    plan = _plan(request, slug)
    indicator = get_object_or_404(Indicator.objects.select_related("node"), pk=pk, node__plan=plan)
    if fy not in plan.fiscal_years:
        raise Http404

    def read() -> str:
        value = indicator.values.filter(role=IndicatorValue.Role.TARGET, fy=fy).first()
        return value.text if value else ""

    return _cell(
        request,
        plan,
        indicator,
        fy,
        read(),
        kind="indicator",
        key=indicator.key,
        label=indicator.name,
        write=lambda text: editing.set_value(indicator, IndicatorValue.Role.TARGET, fy, text),
        read=read,
        title=_("Target for %(fy)s") % {"fy": fy_label(fy)},
        field_label=_("Target value"),
        help_text=_("As the plan prints it, with its unit (e.g. 10回, 1,234件), or in words."),
    )


def _cell(
    request: HttpRequest,
    plan: Plan,
    owner: Content | Indicator,
    fy: int,
    current: str,
    *,
    kind: str,
    key: str,
    label: str,
    write: Callable[[str], None],
    read: Callable[[], str],
    title: str,
    field_label: str,
    help_text: str,
) -> HttpResponse:
    """Edit one cell; the owner's version guards against a lost update."""

    def labelled(form: CellForm) -> CellForm:
        form.fields["text"].label = field_label
        form.fields["text"].help_text = help_text
        return form

    form = labelled(CellForm(_posted(request), initial={"text": current, "version": owner.version}))
    conflict = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            with transaction.atomic():
                editing.lock_plan(plan)
                editing.claim_version(owner, _expected(form))
                write(text)
                history.record(
                    plan,
                    user=request.user,
                    source=BROWSER,
                    action="change",
                    kind=kind,
                    key=key,
                    node_key=owner.node.key,
                    label=label,
                    before={fy_label(fy): current},
                    after={fy_label(fy): text},
                )
            return _done(request, _editor_url(plan, owner.node), _("Saved."))
        except editing.EditConflict:
            fresh = type(owner).objects.filter(pk=owner.pk).first()
            if fresh is None:
                conflict = _conflict(request, plan, kind, key, None)
            else:
                owner.version = fresh.version
                conflict = _conflict(request, plan, kind, key, {fy_label(fy): read()})
                form = labelled(_rebind_with_version(CellForm, request, owner.version))
    return _form_page(
        request,
        plan,
        form,
        title=title,
        action=request.get_full_path(),
        back=_editor_url(plan, owner.node),
        conflict=conflict,
        status=409 if conflict else 200,
    )
