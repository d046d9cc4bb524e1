"""Progress of a plan for a fiscal year: judged indicators, bands per goal and department.

One function, `plan_progress`, reads everything in a fixed number of queries; the progress views,
the committee report, the dashboard and the public pages all read from it, so that they agree.

Actuals come from the plan's indicator values: a round's actuals reach them only when the
department's sheet is approved (services.approve), so what is judged here is approved data.
Content statuses and item texts come from the round's sheets: approved sheets for everyone,
sheets not yet approved only for those the `drafts` scope covers (the department's staff and
approvers, 管理者; see `accounts.permissions.draft_scope`). Of every other unapproved sheet only
its status is given (`withheld`). The default scope sees no draft, for the committee report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from shinchoku.accounts.permissions import APPROVED_ONLY, DraftScope
from shinchoku.core.achievement import Judgement, Tally, by_group, flagged, judge, roll_up
from shinchoku.core.figures import Figure, figure, indicator_unit
from shinchoku.plans.models import Indicator, IndicatorValue, Node, Plan, ProgressNote
from shinchoku.rounds.models import ContentEntry, ItemEntry, PlanSettings, Report, Round
from shinchoku.rounds.services import bands_of

ROLE = IndicatorValue.Role
DEFAULT_FLAGGED = {"遅れ", "未実施"}


def flagged_statuses(settings: PlanSettings) -> set[str]:
    """The content statuses that need attention: 遅れ and 未実施 where the plan offers them."""
    return DEFAULT_FLAGGED & set(settings.content_statuses) or set(DEFAULT_FLAGGED)


@dataclass
class IndicatorProgress:
    """One indicator for the FY, with every year's values for tables and charts."""

    indicator: Indicator
    baseline: IndicatorValue | None
    targets: dict[int, IndicatorValue]
    actuals: dict[int, IndicatorValue]
    notes: dict[int, ProgressNote]  # 取組状況 / 今後の展開 per FY
    fy: int
    judgement: Judgement

    @property
    def target(self) -> IndicatorValue | None:
        """This FY's target (none when the plan sets only later ones, as the city's does)."""
        return self.targets.get(self.fy)

    @property
    def final(self) -> IndicatorValue | None:
        return self.targets[max(self.targets)] if self.targets else None

    @property
    def actual(self) -> IndicatorValue | None:
        return self.actuals.get(self.fy)

    @property
    def note(self) -> ProgressNote | None:
        return self.notes.get(self.fy)

    @property
    def earlier(self) -> list[IndicatorValue]:
        """Actuals of the years before the FY, oldest first."""
        return [self.actuals[fy] for fy in sorted(self.actuals) if fy < self.fy]

    @property
    def department_name(self) -> str:
        if self.indicator.department_id:
            return self.indicator.department.name
        return "、".join(d.name for d in self.indicator.node.departments.all())

    # -- one unit per indicator: every figure is shown in `unit` (see core.figures) --

    @cached_property
    def unit(self) -> str:
        """The unit every figure of the indicator is shown and judged in."""
        return unit_of(self.indicator, self.baseline, self.targets, self.actuals)

    def figure(self, value: IndicatorValue | str | None) -> Figure | None:
        """A value (this indicator's) in the indicator's unit, with the text as reported."""
        if value is None:
            return None
        return figure(getattr(value, "text", value), self.unit)

    @property
    def actual_figure(self) -> Figure | None:
        return self.figure(self.actual)

    @property
    def target_figure(self) -> Figure | None:
        return self.figure(self.target)

    @property
    def final_figure(self) -> Figure | None:
        return self.figure(self.final)

    @property
    def baseline_figure(self) -> Figure | None:
        return self.figure(self.baseline)


def unit_of(
    indicator: Indicator,
    baseline: IndicatorValue | None,
    targets: dict[int, IndicatorValue],
    actuals: dict[int, IndicatorValue] | None = None,
) -> str:
    """The indicator's unit, else the unit its baseline and targets are written in."""
    texts = [baseline.text] if baseline else []
    texts += [targets[fy].text for fy in sorted(targets)]
    texts += [actuals[fy].text for fy in sorted(actuals or {})]
    return indicator_unit(indicator.unit, texts)


@dataclass
class ContentProgress:
    """A content's reported status for the FY, from one department's sheet."""

    node: Node
    entry: ContentEntry
    department: str
    approved: bool
    flagged: bool


@dataclass
class ItemProgress:
    """取組状況 / 今後の展開 / 自己評価 of an item from one department's sheet."""

    node: Node
    entry: ItemEntry
    department: str
    approved: bool


@dataclass
class GoalProgress:
    """A top-level node (基本目標) with everything judged below it."""

    node: Node
    tally: Tally
    indicators: list[IndicatorProgress] = field(default_factory=list)
    behind: list[ContentProgress] = field(default_factory=list)
    items: list[ItemProgress] = field(default_factory=list)


@dataclass
class PlanProgress:
    plan: Plan
    fy: int
    round: Round | None
    nodes: list[Node]
    indicators: list[IndicatorProgress]
    tallies: dict[int, Tally]  # node id → counts per band of everything below it
    departments: dict[str, Tally]
    total: Tally
    goals: list[GoalProgress]
    contents: list[ContentProgress]
    items: list[ItemProgress]
    band_names: list[str]
    final_when_no_target: bool = False  # years without a target are compared with the final one
    # Sheets not yet approved whose figures and texts this reader may not see: status only.
    withheld: list[Report] = field(default_factory=list)

    @property
    def behind(self) -> list[ContentProgress]:
        return [c for c in self.contents if c.flagged]

    @property
    def off_track(self) -> list[IndicatorProgress]:
        """Judged indicators below the first band (未達成 / 概ね達成 by default)."""
        reached = self.band_names[0] if self.band_names else ""
        return [
            i for i in self.indicators if i.judgement.determined and i.judgement.band != reached
        ]


def indicator_progress(indicator: Indicator, fy: int, bands=None) -> IndicatorProgress:
    """Judge one indicator for the FY from its prefetched values and notes."""
    values = list(indicator.values.all())
    baseline = next((v for v in values if v.role == ROLE.BASELINE), None)
    targets = {v.fy: v for v in values if v.role == ROLE.TARGET}
    actuals = {v.fy: v for v in values if v.role == ROLE.ACTUAL}
    notes = {n.fy: n for n in indicator.reports.all()}
    row = IndicatorProgress(indicator, baseline, targets, actuals, notes, fy, None)  # type: ignore[arg-type]
    target, final, actual = row.target, row.final, row.actual
    kwargs = {} if bands is None else {"bands": bands}
    row.judgement = judge(
        indicator.direction,
        actual.parsed if actual else None,
        target.parsed if target else None,
        baseline=baseline.parsed if baseline else None,
        final=final.parsed if final else None,
        unit=row.unit,
        **kwargs,
    )
    return row


def plan_progress(plan: Plan, fy: int, *, drafts: DraftScope = APPROVED_ONLY) -> PlanProgress:
    """Everything judged for the plan and FY, rolled up to every node and department.

    Unapproved sheets' statuses and texts are read only for the departments `drafts` covers.
    """
    settings = PlanSettings.of(plan)
    bands = bands_of(plan, settings)
    nodes = list(Node.objects.filter(plan=plan).prefetch_related("departments").order_by("seq"))
    by_id = {n.id: n for n in nodes}
    indicators = [
        indicator_progress(i, fy, bands)
        for i in Indicator.objects.filter(node__plan=plan)
        .select_related("node", "department")
        .prefetch_related("values", "reports", "node__departments")
        .order_by("node__seq", "order")
    ]
    parents = {n.id: n.parent_id for n in nodes}
    tallies = roll_up(parents, ((i.indicator.node_id, i.judgement.band) for i in indicators), bands)
    departments = by_group(((i.department_name, i.judgement.band) for i in indicators), bands)
    total = Tally(bands)
    for i in indicators:
        total.add(i.judgement.band)

    round_ = Round.objects.filter(plan=plan, fy=fy).first()
    contents: list[ContentProgress] = []
    items: list[ItemProgress] = []
    withheld: list[Report] = []
    if round_ is not None:
        status_of: dict[int, Report] = {}
        for r in Report.objects.filter(round=round_).select_related("department"):
            if r.status == Report.Status.APPROVED or drafts.covers(r.department):
                status_of[r.pk] = r
            else:
                withheld.append(r)
        by_key = {n.key: n for n in nodes}
        flagging = flagged_statuses(settings)
        for e in ContentEntry.objects.filter(report__in=status_of).order_by(
            "report__department__order", "node_key", "position"
        ):
            node = by_key.get(e.node_key)
            if node is None or not e.status:
                continue
            r = status_of[e.report_id]
            contents.append(
                ContentProgress(
                    node,
                    e,
                    r.department.name,
                    r.status == Report.Status.APPROVED,
                    flagged(e.status, flagging),
                )
            )
        for e in ItemEntry.objects.filter(report__in=status_of):
            node = by_key.get(e.node_key)
            if node is None:
                continue
            r = status_of[e.report_id]
            items.append(
                ItemProgress(node, e, r.department.name, r.status == Report.Status.APPROVED)
            )
        contents.sort(key=lambda c: (c.node.seq, c.entry.position, c.department))
        items.sort(key=lambda c: (c.node.seq, c.department))

    goals = []
    top = [n for n in nodes if n.parent_id is None]
    for g in top:
        goals.append(GoalProgress(g, tallies.get(g.id, Tally(bands))))
    goal_of = {}
    for n in nodes:
        current = n
        while current.parent_id is not None and current.parent_id in by_id:
            current = by_id[current.parent_id]
        goal_of[n.id] = current.id
    by_goal = {g.node.id: g for g in goals}
    for i in indicators:
        by_goal[goal_of[i.indicator.node_id]].indicators.append(i)
    for c in contents:
        if c.flagged:
            by_goal[goal_of[c.node.id]].behind.append(c)
    for it in items:
        by_goal[goal_of[it.node.id]].items.append(it)
    return PlanProgress(
        plan=plan,
        fy=fy,
        round=round_,
        nodes=nodes,
        indicators=indicators,
        tallies=tallies,
        departments=departments,
        total=total,
        goals=goals,
        contents=contents,
        items=items,
        band_names=bands.names,
        final_when_no_target=bands.final_when_no_target,
        withheld=withheld,
    )


def band_class(band: str, band_names: list[str]) -> str:
    """A CSS class for a band by its rank: band-0 best … band-undetermined."""
    if band == band_names[-1]:
        return "band-undetermined"
    return f"band-{band_names.index(band)}" if band in band_names else "band-undetermined"


def years_with_values(plan: Plan) -> list[int]:
    """FYs of the plan that have an actual or a round, for FY pickers."""
    fys: set[int] = set(
        IndicatorValue.objects.filter(indicator__node__plan=plan, role=ROLE.ACTUAL).values_list(
            "fy", flat=True
        )
    )
    fys |= set(Round.objects.filter(plan=plan).values_list("fy", flat=True))
    return sorted(fy for fy in fys if plan.first_fy <= fy <= plan.last_fy)
