"""The federation operator's dashboard: every council's plans, 50 a page, one row each.

A row shows the plan's newest yearly round and its sheets counted per status, all read in a
fixed number of queries (the page of plans with their newest round's id, those rounds, and one
grouped count of their sheets), whatever the number of councils. The detailed boards (bands,
alerts, every department's sheet) stay on a council's own dashboard: the operator reaches one
with ?org=<slug>.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shinchoku.orgs.filters import (
    filter_form,
    filter_plans,
    labels,
    page_of,
    prefecture_labels,
)
from shinchoku.plans.models import Plan
from shinchoku.rounds.models import Report, Round

S = Report.Status


@dataclass
class PlanRow:
    """One plan of the page: its newest yearly round (None without one) and its sheets."""

    plan: Plan
    round: Round | None
    sheets: dict[str, int] = field(default_factory=dict)
    today: date | None = None
    prefecture: str = ""
    round_status: str = ""

    @property
    def total(self) -> int:
        return sum(self.sheets.values())

    @property
    def approved(self) -> int:
        return self.sheets.get(S.APPROVED, 0)

    @property
    def submitted(self) -> int:
        """Submitted and waiting for approval."""
        return self.sheets.get(S.SUBMITTED, 0)

    @property
    def returned(self) -> int:
        return self.sheets.get(S.RETURNED, 0)

    @property
    def not_done(self) -> int:
        """Not started or in progress (returned sheets are counted apart)."""
        return self.sheets.get(S.NOT_STARTED, 0) + self.sheets.get(S.DRAFT, 0)

    @property
    def days_left(self) -> int | None:
        if self.round is None or self.today is None:
            return None
        return (self.round.deadline - self.today).days

    @property
    def overdue(self) -> int:
        """Sheets neither submitted nor approved after the deadline of an open round."""
        if self.round is None or not self.round.is_open or (self.days_left or 0) >= 0:
            return 0
        return self.not_done + self.returned

    @property
    def approved_percent(self) -> int:
        return round(100 * self.approved / self.total) if self.total else 0


def plan_rows(plans: list[Plan], today: date) -> list[PlanRow]:
    """Rows for plans annotated with `newest_round`: two queries whatever their number."""
    rounds = {r.pk: r for r in Round.objects.filter(pk__in=[p.newest_round for p in plans])}
    sheets: dict[int, dict[str, int]] = defaultdict(dict)
    for round_id, status, n in (
        Report.objects.filter(round_id__in=rounds)
        .order_by()
        .values_list("round_id", "status")
        .annotate(n=Count("id"))
    ):
        sheets[round_id][status] = n
    prefectures, statuses = prefecture_labels(), labels(Round.Status.choices)
    rows = []
    for plan in plans:
        round_ = rounds.get(plan.newest_round)
        if round_ is not None:
            round_.plan = plan
        rows.append(
            PlanRow(
                plan,
                round_,
                sheets[round_.pk] if round_ else {},
                today,
                prefectures.get(plan.organization.prefecture, "―"),
                statuses.get(round_.status, "") if round_ else "",
            )
        )
    return rows


def federation_dashboard(request: HttpRequest) -> HttpResponse:
    """Every organization's own plans with their newest round's sheets, filtered and paged."""
    form = filter_form(request)
    newest = (
        Round.objects.filter(plan=OuterRef("pk"), kind=Round.Kind.YEARLY)
        .order_by("-fy")
        .values("pk")[:1]
    )
    plans = (
        filter_plans(Plan.objects.filter(owner_name=""), form.choices())
        .select_related("organization")
        .annotate(newest_round=Subquery(newest))
        .order_by("organization__name", "organization_id", "-first_fy", "title", "id")
    )
    page = page_of(request, plans)
    today = timezone.localdate()
    rows = plan_rows(list(page), today)
    context = {"page": page, "rows": rows, "form": form, "today": today}
    return render(request, "rounds/progress/federation.html", context)
