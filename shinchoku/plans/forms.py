"""Forms of the plan editor. Every form is validated on the server; messages are Japanese."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from shinchoku.date_fields import WarekiDateField
from shinchoku.orgs.models import Department
from shinchoku.plans import links
from shinchoku.plans.models import Content, Indicator, Node, Plan, SdgGoal, Section

KEY_RE = re.compile(r"^[^/?#\s]{1,100}$")


def split_list(text: str) -> list[str]:
    """Split 、 , ， or newline separated names, dropping blanks and repeats, keeping order."""
    out: list[str] = []
    for part in re.split(r"[、,，\n]", text or ""):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def version_field() -> forms.IntegerField:
    """The version the user started from: required, so that no save skips the check."""
    message = _("This form was sent without its version. Reload the page and enter it again.")
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": message, "invalid": message, "min_value": message},
    )


class VersionedModelForm(forms.ModelForm):
    """A form that edits a stored record carries its version; a form that adds one does not."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["version"]


class PlanForm(VersionedModelForm):
    level_names_text = forms.CharField(
        label=_("Level names"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, top level first (e.g. 基本目標, 施策, 事業)."),
    )
    version = version_field()

    class Meta:
        model = Plan
        fields = ["slug", "title", "kind", "first_fy", "last_fy", "philosophy"]
        widgets = {"philosophy": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens; used in addresses and files."),
            "first_fy": _("Western year, e.g. 2024 for 令和6年度."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.initial.setdefault("level_names_text", "\n".join(self.instance.level_names))

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug or ""):
            raise forms.ValidationError(_("Use lower-case letters, digits and hyphens only."))
        return slug

    def clean(self):
        data = super().clean()
        first, last = data.get("first_fy"), data.get("last_fy")
        for name in ("first_fy", "last_fy"):
            fy = data.get(name)
            if fy is not None and not 1900 <= fy <= 2200:
                self.add_error(name, _("Enter a western year between 1900 and 2200."))
        if first and last and last < first:
            self.add_error("last_fy", _("The last fiscal year must not be before the first."))
        names = [n.strip() for n in (data.get("level_names_text") or "").splitlines() if n.strip()]
        if not names:
            self.add_error("level_names_text", _("Enter at least one level name."))
        data["level_names"] = names
        return data

    def save(self, commit: bool = True) -> Plan:
        self.instance.level_names = self.cleaned_data["level_names"]
        return super().save(commit)


class NodeForm(VersionedModelForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("Responsible sections"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kinds_text = forms.CharField(
        label=_("Kind of business"),
        required=False,
        help_text=_("Separate several with 、"),
    )
    sdgs = forms.ModelMultipleChoiceField(
        label=_("SDGs"),
        queryset=SdgGoal.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = version_field()

    class Meta:
        model = Node
        fields = ["label", "title", "subtitle"]

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(
            organization_id=plan.organization_id
        )
        if self.instance.pk:
            self.initial.setdefault("departments", list(self.instance.departments.all()))
            self.initial.setdefault(
                "kinds_text", "、".join(nk.kind.name for nk in self.instance.nodekind_set.all())
            )
            self.initial.setdefault("sdgs", list(self.instance.sdgs.all()))

    def clean_kinds_text(self) -> list[str]:
        kinds = split_list(self.cleaned_data.get("kinds_text", ""))
        if any(len(k) > 100 for k in kinds):
            raise forms.ValidationError(_("A kind of business is at most 100 characters."))
        return kinds


class SectionForm(VersionedModelForm):
    body_text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("One paragraph or bullet per line."),
    )
    version = version_field()

    class Meta:
        model = Section
        fields = ["heading", "style"]
        labels = {"heading": _("Heading"), "style": _("Style")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("body_text", "\n".join(self.instance.body))

    def save(self, commit: bool = True) -> Section:
        text = self.cleaned_data.get("body_text", "")
        self.instance.body = [line.strip() for line in text.splitlines() if line.strip()]
        return super().save(commit)


class ContentForm(VersionedModelForm):
    goal_nodes = forms.ModelMultipleChoiceField(
        label=_("Goals served"),
        queryset=Node.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = version_field()

    class Meta:
        model = Content
        fields = ["label", "text", "tag", "repost", "note"]
        labels = {"note": _("Note")}
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "note": forms.TextInput()}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        # Goals of the plans this plan makes concrete or aligns with (another organization's only
        # once it accepted this plan's links), and this plan's own top level.
        self.fields["goal_nodes"].queryset = links.goal_choices(plan).select_related("plan")
        self.fields["goal_nodes"].label_from_instance = lambda n: f"{n.plan.title} › {n}"
        if self.instance.pk:
            self.initial.setdefault("goal_nodes", list(self.instance.goals.all()))


class IndicatorForm(VersionedModelForm):
    baseline_fy = forms.IntegerField(label=_("Baseline fiscal year"), required=False)
    baseline_value = forms.CharField(label=_("Baseline value"), required=False, max_length=300)
    baseline_label = forms.CharField(label=_("Baseline heading"), required=False, max_length=100)
    baseline_estimate = forms.BooleanField(label=_("Estimate (見込み)"), required=False)
    baseline_as_of = WarekiDateField(label=_("As of"), required=False)
    version = version_field()

    class Meta:
        model = Indicator
        fields = ["label", "name", "unit", "direction", "department", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan: Plan, node: Node | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._reporting_department(plan, node or (self.instance.node if self.instance.pk else None))
        baseline = (
            self.instance.values.filter(role="baseline").first() if self.instance.pk else None
        )
        if baseline:
            self.initial.setdefault("baseline_fy", baseline.fy)
            self.initial.setdefault("baseline_value", baseline.text)
            self.initial.setdefault("baseline_label", baseline.label)
            self.initial.setdefault("baseline_estimate", baseline.estimate)
            self.initial.setdefault("baseline_as_of", baseline.as_of)

    def _reporting_department(self, plan: Plan, node: Node | None) -> None:
        """The reporting department: the item's 担当課 first, then the organization's others."""
        links = list(node.nodedepartment_set.order_by("order", "id")) if node else []
        on_item = [nd.department_id for nd in links]
        rank = Case(
            *(When(pk=pk, then=Value(i)) for i, pk in enumerate(on_item)),
            default=Value(len(on_item)),
            output_field=IntegerField(),
        )
        field = self.fields["department"]
        field.label = _("Reporting department")
        field.queryset = (
            Department.objects.filter(organization_id=plan.organization_id)
            .annotate(rank=rank)
            .order_by("rank", "order", "id")
        )
        field.label_from_instance = lambda d: (
            _("%(name)s (responsible section of this item)") % {"name": d.name}
            if d.pk in on_item
            else d.name
        )
        first = links[0].department.name if links else None
        field.empty_label = (
            _("(the item's first responsible section: %(name)s)") % {"name": first}
            if first
            else _("(the item's first responsible section)")
        )
        field.help_text = _(
            "One department reports this indicator in each year's round; the item's other "
            "responsible sections see it read-only."
        )

    def clean(self):
        data = super().clean()
        if data.get("baseline_value") and not data.get("baseline_fy"):
            self.add_error("baseline_fy", _("Enter the fiscal year of the baseline."))
        fy = data.get("baseline_fy")
        if fy is not None and not 1900 <= fy <= 2200:
            self.add_error("baseline_fy", _("Enter a western year between 1900 and 2200."))
        return data


class CellForm(forms.Form):
    """One schedule or target cell: text exactly as it should be printed."""

    text = forms.CharField(label=_("Text"), required=False, max_length=300)
    version = version_field()

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


class MoveForm(forms.Form):
    """Move a node under another parent (or to the top level)."""

    parent = forms.ModelChoiceField(
        label=_("New parent"), queryset=Node.objects.none(), required=False
    )
    version = version_field()

    def __init__(self, *args, node: Node, excluded: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Node.objects.filter(plan_id=node.plan_id).exclude(
            id__in=excluded
        )
        self.fields["parent"].empty_label = _("(top level)")
