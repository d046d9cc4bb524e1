"""Pages of the plans of other bodies an organization registers (他の計画): list, add, edit, delete.

Every page is for the organization's 管理者 except the list, which its members read; a
registered plan of another organization is a 404 like a missing one.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shinchoku.accounts.permissions import can_edit_structure, membership, require
from shinchoku.core.goal_list import depth, parse_goals
from shinchoku.core.wareki import fy_label
from shinchoku.plans import outside
from shinchoku.plans.editing import EditConflict
from shinchoku.plans.forms import version_field
from shinchoku.plans.models import Node, Plan
from shinchoku.plans.workbook_views import MAX_UPLOAD

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
KEEP, NONE, FILE, GOALS = "keep", "none", "file", "goals"


class OutsidePlanForm(forms.Form):
    """Name, owner, kind and period of another body's plan, and where its tree comes from."""

    slug = forms.CharField(
        label=gettext_lazy("Plan ID"),
        max_length=80,
        help_text=gettext_lazy(
            "Lower-case letters, digits and hyphens (e.g. tokyo-chiiki-fukushi-2024). "
            "Your plan workbooks name this plan by this ID in 関連計画."
        ),
    )
    title = forms.CharField(label=gettext_lazy("Plan name"), max_length=300)
    owner_name = forms.CharField(
        label=gettext_lazy("Made by"),
        max_length=200,
        help_text=gettext_lazy("The body that made the plan, e.g. 西東京市, 東京都, 国."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"))
    first_fy = forms.IntegerField(
        label=gettext_lazy("First fiscal year"),
        help_text=gettext_lazy("Western year, e.g. 2024 for 令和6年度."),
    )
    last_fy = forms.IntegerField(label=gettext_lazy("Last fiscal year"))
    tree_source = forms.ChoiceField(
        label=gettext_lazy("Goals of the plan"), widget=forms.RadioSelect, initial=NONE
    )
    file = forms.FileField(
        label=gettext_lazy("Plan workbook (.xlsx) or exported file (.json)"), required=False
    )
    goals_text = forms.CharField(
        label=gettext_lazy("Goals, one a line with its number"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("e.g. 1 誰もが活躍する地域づくり / 1-1 福祉教育の充実"),
    )

    def __init__(self, *args, plan: Plan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        first = [(k.value, k.label) for k in outside.OUTSIDE_KINDS]
        rest = [(v, label) for v, label in Plan.Kind.choices if v not in dict(first)]
        self.fields["kind"].choices = first + rest
        sources = [
            (FILE, _("From a plan workbook or an exported file")),
            (GOALS, _("Typed as a numbered list")),
        ]
        if plan is None:
            self.fields["tree_source"].choices = [(NONE, _("Without goals")), *sources]
        else:
            self.fields["slug"].disabled = True
            self.fields["tree_source"].choices = [(KEEP, _("Keep the goals as they are")), *sources]
            self.fields["tree_source"].initial = KEEP
            self.fields["version"] = version_field()
        self.tree: outside.Tree | None = None

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if not SLUG_RE.fullmatch(slug or ""):
            raise forms.ValidationError(_("Use lower-case letters, digits and hyphens only."))
        return slug

    def clean(self):
        data = super().clean()
        for name in ("first_fy", "last_fy"):
            fy = data.get(name)
            if fy is not None and not 1900 <= fy <= 2200:
                self.add_error(name, _("Enter a western year between 1900 and 2200."))
        first, last = data.get("first_fy"), data.get("last_fy")
        if first and last and last < first:
            self.add_error("last_fy", _("The last fiscal year must not be before the first."))
        source = data.get("tree_source")
        if source == FILE:
            self._read_file(data.get("file"))
        elif source == GOALS:
            goals, problems = parse_goals(data.get("goals_text") or "")
            for p in problems:
                self.add_error("goals_text", p.message)
            if not goals and not problems:
                self.add_error("goals_text", _("Type at least one goal with its number."))
            if goals and not problems:
                self.tree = outside.Tree.from_goals(goals, depth(goals))
        return data

    def _read_file(self, upload) -> None:
        if upload is None:
            self.add_error("file", _("Choose the file with the plan's goals."))
            return
        if upload.size > MAX_UPLOAD:
            self.add_error("file", _("The file is larger than 10 MB."))
            return
        doc, problems = outside.tree_from_file(upload.name, upload.read())
        for p in problems[:20]:
            self.add_error("file", p)
        if doc is not None:
            self.tree = outside.Tree.from_document(doc)

    def fields_value(self) -> outside.Fields:
        d = self.cleaned_data
        slug = self.plan.slug if self.plan is not None else d["slug"]
        return outside.Fields(
            slug, d["title"], d["owner_name"], d["kind"], d["first_fy"], d["last_fy"]
        )


def _admin_org(request: HttpRequest):
    """The organization the user is 管理者 of; anyone else is refused (login, 403)."""
    require(request, request.user.is_authenticated)
    member = membership(request.user)
    require(request, member is not None and can_edit_structure(request.user, member.organization))
    return member.organization


def _registered_for(request: HttpRequest, slug: str) -> Plan:
    organization = _admin_org(request)
    plan = outside.registered(organization, slug)
    if plan is None:
        raise Http404("no such registered plan")
    return plan


@require_safe
def outside_list(request: HttpRequest) -> HttpResponse:
    """The plans of other bodies the user's organization registered."""
    require(request, request.user.is_authenticated)
    member = membership(request.user)
    if member is None:
        raise Http404("no organization")
    plans = list(outside.outside_plans(member.organization))
    for p in plans:
        p.period = f"{fy_label(p.first_fy)}〜{fy_label(p.last_fy)}"
    context = {
        "plans": plans,
        "can_edit": can_edit_structure(request.user, member.organization),
    }
    return render(request, "plans/outside/list.html", context)


@require_http_methods(["GET", "POST"])
def outside_create(request: HttpRequest) -> HttpResponse:
    """Register another body's plan: name, owner, kind, period, and its goals when known."""
    organization = _admin_org(request)
    form = OutsidePlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = outside.register(organization, form.fields_value(), form.tree, request.user)
        except outside.OutsideError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The plan was registered."))
            return redirect("plans:detail", plan.slug)
    status = 400 if form.errors else 200
    context = {"form": form, "title": _("Register a plan of another body")}
    return render(request, "plans/outside/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def outside_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change a registered plan; replace its goals when a new tree is given."""
    plan = _registered_for(request, slug)
    initial = {
        "slug": plan.slug,
        "title": plan.title,
        "owner_name": plan.owner_name,
        "kind": plan.kind,
        "first_fy": plan.first_fy,
        "last_fy": plan.last_fy,
        "version": plan.version,
    }
    form = OutsidePlanForm(request.POST or None, request.FILES or None, plan=plan, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            outside.update(
                plan, form.fields_value(), form.tree, form.cleaned_data["version"], request.user
            )
        except EditConflict:
            conflict = True
            form.add_error(
                None,
                _("Somebody changed this plan after you opened the form. Reload and try again."),
            )
        except outside.OutsideError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The registered plan was saved."))
            return redirect("plans:outside_list")
    context = {
        "form": form,
        "plan": plan,
        "title": _("Edit a registered plan"),
        "n_goals": Node.objects.filter(plan=plan).count(),
        "references": outside.references(plan),
    }
    status = 409 if conflict else (400 if form.errors else 200)
    return render(request, "plans/outside/form.html", context, status=status)


@require_POST
def outside_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete a registered plan (with the version shown); refused while plans refer to it."""
    plan = _registered_for(request, slug)
    version = request.POST.get("version", "")
    if not version.isdigit():
        messages.error(request, _("The form was sent without its version. Reload the page."))
        return redirect("plans:outside_edit", plan.slug)
    try:
        outside.delete(plan, int(version), request.user)
    except EditConflict:
        messages.error(
            request,
            _("Somebody changed this plan after you opened the form. Reload and try again."),
        )
        return redirect("plans:outside_edit", plan.slug)
    except outside.OutsideError as error:
        messages.error(request, str(error))
        return redirect("plans:outside_edit", plan.slug)
    messages.success(request, _("The registered plan was deleted."))
    return redirect("plans:outside_list")
