"""The opinion pages' forms, drawn through the partials (components/field.html).

reviews.services checks the input and raises OpinionError with the field's form name; these
forms only draw the fields with what was posted (or is stored) and put that error on its field.
The ids stay those of the pages before (opinion-text, answer-policy, status-reason…).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.components import DrawnForm
from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Department


def _department_choices(departments: Iterable[Department]) -> list[tuple[str, str]]:
    return [("", _("(not assigned yet)")), *((str(d.pk), d.name) for d in departments)]


class OpinionForm(DrawnForm):
    """Enter or edit an opinion: FY (new only), what it concerns, the text; the 管理者 also the
    department and the committee member (new only)."""

    fy = forms.ChoiceField(label=_("Fiscal year the committee read"))
    target = forms.ChoiceField(label=_("Concerns"))
    text = forms.CharField(
        label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 6, "required": True})
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    author_name = forms.CharField(
        label=_("Committee member (as in the minutes)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"id": "opinion-author"}),
    )

    def __init__(
        self,
        data: Mapping,
        *,
        fys: Iterable[int],
        targets: list[tuple[str, str]],
        departments: Iterable[Department],
        new: bool,
        is_admin: bool,
        error: Exception | None = None,
    ) -> None:
        super().__init__(data, error=error, auto_id="opinion-%s")
        if new:
            self.fields["fy"].choices = [(str(y), fy_label(y)) for y in fys]
        else:
            del self.fields["fy"]
        self.fields["target"].choices = targets
        if is_admin and new:
            self.fields["department"].choices = _department_choices(departments)
        else:
            del self.fields["department"], self.fields["author_name"]


class AnswerForm(DrawnForm):
    """The department's 対応方針 (required) and 対応内容."""

    policy = forms.CharField(label=_("Policy (対応方針)"), widget=forms.Textarea(attrs={"rows": 3}))
    action = forms.CharField(
        label=_("What was done (対応内容)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, data: Mapping, *, error: Exception | None = None) -> None:
        super().__init__(data, error=error, auto_id="answer-%s")


class StatusForm(DrawnForm):
    """Move the status; 見送り needs its reason."""

    status = forms.ChoiceField(label=_("Status"), widget=forms.RadioSelect, required=False)
    reason = forms.CharField(
        label=_("Reason for not taking it up"),
        help_text=_("required for 見送り"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data: Mapping, *, statuses, error: Exception | None = None) -> None:
        super().__init__(data, error=error, auto_id="status-%s")
        self.fields["status"].choices = statuses


class AssignForm(DrawnForm):
    """Assign the opinion to a department (管理者)."""

    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, data: Mapping, *, departments, error: Exception | None = None) -> None:
        super().__init__(data, error=error, auto_id="assign-%s")
        self.fields["department"].choices = _department_choices(departments)


def detail_forms(opinion, *, values: Mapping, statuses, departments, error=None) -> dict:
    """The detail page's forms, each with the error when it is about one of its fields; and
    `error_placed`, so that the page shows an error of no field (a conflict) at its top."""
    found = {
        "answer_form": AnswerForm({k: values[k] for k in ("policy", "action")}),
        "status_form": StatusForm(
            {"status": values.get("status", opinion.status), "reason": values["reason"]},
            statuses=statuses,
        ),
        "assign_form": AssignForm(
            {"department": str(opinion.department_id or "")}, departments=departments
        ),
    }
    placed = False
    for form in found.values():
        if form.places(error):
            form.service_error, placed = error, True
    return {**found, "error_placed": placed}


class FilterForm(DrawnForm):
    """The opinion list's filters (GET): FY, status, goal and department, each with （すべて）."""

    fy = forms.ChoiceField(label=_("Fiscal year"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    goal = forms.ChoiceField(required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, filters, *, fys, statuses, goal_level: str, goals, departments) -> None:
        data = {
            "fy": str(filters.fy or ""),
            "status": filters.status or "",
            "goal": filters.goal or "",
            "department": str(filters.department or ""),
        }
        super().__init__(data, auto_id="filter-%s")
        every = ("", _("(all)"))
        self.fields["fy"].choices = [every, *((str(y), fy_label(y)) for y in fys)]
        self.fields["status"].choices = [every, *statuses]
        self.fields["goal"].label = goal_level
        self.fields["goal"].choices = [every, *goals]
        self.fields["department"].choices = [every, *((str(d.pk), d.name) for d in departments)]
