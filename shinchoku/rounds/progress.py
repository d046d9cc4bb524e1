"""Progress of a plan for a fiscal year: judged indicators, bands per goal and department.

One function, `plan_progress`, reads everything in one query; the progress views,
the committee report, the dashboard and the public pages all read from it, so that they agree.

Actuals come from the plan's indicator values: a round's actuals reach them only when the
department's sheet is approved (services.approve), so what is judged here is approved data.
Content statuses and item texts come from the round's sheets: approved sheets for everyone,
sheets not yet approved only for those the `drafts` scope covers (the department's staff and
approvers, 管理者; see `accounts.permissions.draft_scope`). Of every other unapproved sheet only
its status is given (`withheld`). The default scope sees no draft, for the committee report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from shinchoku.accounts.permissions import APPROVED_ONLY, DraftScope
from shinchoku.core import signed
from shinchoku.core.achievement import Bands, Judgement, Tally, by_group, flagged, judge, roll_up
from shinchoku.core.evaluations import Counts, count_by, evaluation_counts, status_counts
from shinchoku.core.figures import Figure, figure, in_unit_html, indicator_unit
from shinchoku.core.forecast import DEFAULT_THRESHOLDS, Thresholds
from shinchoku.core.tree import top_of
from shinchoku.orgs.models import Department
from shinchoku.plans.models import (
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    Plan,
    ProgressNote,
)
from shinchoku.plans.rows import Part, prefetched, read_compiled
from shinchoku.plans.templatetags.figures import in_unit
from shinchoku.rounds.models import (
    ContentEntry,
    IndicatorEntry,
    ItemEntry,
    PlanSettings,
    Report,
    Round,
)
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

    @cached_property
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

    # -- ready texts for the pages' cells, each formatted once, in Python (issue 16) --

    @cached_property
    def baseline_shown(self) -> str:
        """The baseline in the indicator's unit (HTML: the figure as reported beside it where it
        was reported in another unit); empty without one. So are the others."""
        return shown(self.baseline, self.unit)

    @cached_property
    def target_shown(self) -> str:
        return shown(self.target, self.unit)

    @cached_property
    def final_shown(self) -> str:
        return shown(self.final, self.unit)

    @cached_property
    def actual_shown(self) -> str:
        return shown(self.actual, self.unit)

    @cached_property
    def rate_text(self) -> str:
        """The achievement rate: 80.0%, △120.0%; empty when it cannot be judged."""
        return signed.percent(self.judgement.rate)

    @cached_property
    def progress_text(self) -> str:
        """The progress from the baseline toward the final target, as `rate_text`."""
        return signed.percent(self.judgement.progress)

    def pending_shown(self, entries: Iterable[IndicatorEntry]) -> list[tuple[IndicatorEntry, str]]:
        """Unapproved sheets' entries that give an actual, each with it in the unit."""
        return [(e, shown(e.actual, self.unit)) for e in entries if e.actual]


def shown(value: IndicatorValue | str | None, unit: str) -> str:
    """A value for a cell: in the indicator's unit, with the figure as reported beside it where
    that differs (core.figures.in_unit_html, memoized; the same HTML as the `in_unit` filter);
    empty for none."""
    text = getattr(value, "text", value)
    if text is None or not isinstance(text, str):
        return in_unit(value, unit)
    return mark_safe(in_unit_html(text, unit, gettext("as reported: %(text)s")))


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
    # The self-evaluation with its name on the plan's scale: "A 計画どおり実施".
    evaluation: str = ""


# --- plans without figures (issue 12): evaluations and statuses per 事業 -------------------


@dataclass
class ProjectProgress:
    """A reported item (a 事業 with a 担当) and what the readable sheets say of it."""

    node: Node
    items: list[ItemProgress] = field(default_factory=list)
    contents: list[ContentProgress] = field(default_factory=list)
    withheld: list[Report] = field(default_factory=list)  # its departments' unreadable sheets
    parent: Node | None = None  # the node above (取組), for the report's row heading

    @property
    def departments(self) -> str:
        return "、".join(d.name for d in self.node.departments.all())


# --- end of plans without figures ----------------------------------------------------------


@dataclass
class GoalProgress:
    """A top-level node (基本目標) with everything judged below it."""

    node: Node
    tally: Tally
    indicators: list[IndicatorProgress] = field(default_factory=list)
    behind: list[ContentProgress] = field(default_factory=list)
    items: list[ItemProgress] = field(default_factory=list)
    # Plans without figures: every reported 事業 below the goal, and counts of the approved
    # sheets' self-evaluations and content statuses.
    projects: list[ProjectProgress] = field(default_factory=list)
    evaluations: Counts | None = None
    statuses: Counts | None = None


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
    # Every sheet of the round (approved or not, status only), in the departments' order.
    reports: list[Report] = field(default_factory=list)
    bands: Bands | None = None  # the plan's bands, as judged here
    # Plans without figures (no indicator): the summary is by the self-evaluation scale.
    has_figures: bool = True
    scale: list[dict] = field(default_factory=list)
    evaluations: Counts | None = None  # approved sheets' evaluations, whole plan
    evaluations_by_department: dict[str, Counts] = field(default_factory=dict)
    statuses: Counts | None = None  # approved sheets' content statuses, whole plan
    # Early warning: the plan's thresholds (rounds.forecasts.at_risk_in judges with them).
    thresholds: Thresholds = DEFAULT_THRESHOLDS

    @property
    def evaluation_keys(self) -> list[str]:
        """Columns of the evaluation tables: the scale's codes, then any other one counted."""
        return self.evaluations.keys() if self.evaluations else []

    @property
    def status_keys(self) -> list[str]:
        return self.statuses.keys() if self.statuses else []

    @property
    def projects(self) -> list[ProjectProgress]:
        return [p for g in self.goals for p in g.projects]

    @property
    def low_evaluations(self) -> list[ItemProgress]:
        """Items evaluated in the lower half of the scale (C 一部実施, D 未実施 on A–D)."""
        codes = [str(s.get("code", "")) for s in self.scale]
        low = set(codes[(len(codes) + 1) // 2 :])
        return [it for it in self.items if it.entry.evaluation in low]

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
    read = _read(plan, fy)
    settings = read.settings
    bands = bands_of(plan, settings)
    nodes = read.nodes
    indicators = [indicator_progress(i, fy, bands) for i in read.indicators]
    parents = {n.id: n.parent_id for n in nodes}
    tallies = roll_up(parents, ((i.indicator.node_id, i.judgement.band) for i in indicators), bands)
    departments = by_group(((i.department_name, i.judgement.band) for i in indicators), bands)
    total = Tally(bands)
    for i in indicators:
        total.add(i.judgement.band)

    round_, reports, entries = read.round, read.reports, read.contents
    evaluations = evaluation_counts(settings.evaluation_scale)
    scale_labels = dict(evaluations.labels)
    contents: list[ContentProgress] = []
    items: list[ItemProgress] = []
    withheld: list[Report] = []
    if round_ is not None:
        status_of: dict[int, Report] = {}
        for r in reports:
            if r.status == Report.Status.APPROVED or drafts.covers(r.department):
                status_of[r.pk] = r
            else:
                withheld.append(r)
        by_key = {n.key: n for n in nodes}
        flagging = flagged_statuses(settings)
        for e in entries:  # in the departments' order, then by item and position
            r = status_of.get(e.report_id)
            node = by_key.get(e.node_key)
            if r is None or node is None or not e.status:
                continue
            contents.append(
                ContentProgress(
                    node,
                    e,
                    r.department.name,
                    r.status == Report.Status.APPROVED,
                    flagged(e.status, flagging),
                )
            )
        for e in read.items:
            r = status_of.get(e.report_id)
            node = by_key.get(e.node_key)
            if r is None or node is None:
                continue
            items.append(
                ItemProgress(
                    node,
                    e,
                    r.department.name,
                    r.status == Report.Status.APPROVED,
                    scale_labels.get(e.evaluation, e.evaluation),
                )
            )
        contents.sort(key=lambda c: (c.node.seq, c.entry.position, c.department))
        items.sort(key=lambda c: (c.node.seq, c.department))

    goals = []
    top = [n for n in nodes if n.parent_id is None]
    for g in top:
        goals.append(GoalProgress(g, tallies.get(g.id, Tally(bands))))
    goal_of = {node_id: goal.id for node_id, goal in top_of(nodes).items()}
    by_goal = {g.node.id: g for g in goals}
    for i in indicators:
        by_goal[goal_of[i.indicator.node_id]].indicators.append(i)
    for c in contents:
        if c.flagged:
            by_goal[goal_of[c.node.id]].behind.append(c)
    for it in items:
        by_goal[goal_of[it.node.id]].items.append(it)
    no_figures = _no_figures(nodes, goal_of, by_goal, contents, items, withheld, evaluations)
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
        reports=reports,
        bands=bands,
        has_figures=bool(indicators),
        scale=list(settings.evaluation_scale),
        evaluations=no_figures[0],
        evaluations_by_department=no_figures[1],
        statuses=_status_totals(settings, contents, by_goal, goal_of),
        thresholds=settings.forecast_thresholds,
    )


# --- the read: one query whatever the plan's size (issue 16) -------------------------------


def _parts(plan_id: int, fy: int) -> list[Part]:
    """Everything `plan_progress` reads, as the parts of one `plans.rows` read."""
    yearly = Round.Kind.YEARLY
    of_round = {"round__plan_id": plan_id, "round__fy": fy, "round__kind": yearly}
    of_sheets = {f"report__{k}": v for k, v in of_round.items()}
    return [
        Part(PlanSettings.objects.filter(plan_id=plan_id)),
        Part(Node.objects.filter(plan_id=plan_id), order=("seq",)),
        Part(
            NodeDepartment.objects.filter(node__plan_id=plan_id),
            related=("department",),
            order=("node__seq", "department__organization_id", "department__order", "department"),
        ),
        Part(
            Indicator.objects.filter(node__plan_id=plan_id),
            related=("department",),
            order=("node__seq", "order", "id"),
        ),
        Part(
            ProgressNote.objects.filter(indicator__node__plan_id=plan_id),
            order=("indicator_id", "fy"),
        ),
        Part(
            IndicatorValue.objects.filter(indicator__node__plan_id=plan_id),
            order=("indicator_id", "role", "fy"),
        ),
        Part(Round.objects.filter(plan_id=plan_id, fy=fy, kind=yearly)),
        Part(
            Report.objects.filter(**of_round),
            related=("department",),
            order=("department__order", "department"),
        ),
        Part(
            ContentEntry.objects.filter(**of_sheets),
            order=("report__department__order", "report__department", "node_key", "position"),
        ),
        Part(ItemEntry.objects.filter(**of_sheets)),
    ]


@dataclass
class _Read:
    settings: PlanSettings
    nodes: list[Node]
    indicators: list[Indicator]
    round: Round | None
    reports: list[Report]
    contents: list[ContentEntry]
    items: list[ItemEntry]


def _read(plan: Plan, fy: int) -> _Read:
    """The plan's settings; its nodes in document order, each with its departments
    (`node.departments.all()` reads nothing); its indicators in document order with their
    department, node, values and notes (`values.all()`, `reports.all()`); the FY's yearly
    round, its sheets (with their department and round) in the departments' order, and their
    content and item entries. One query (`plans.rows.read_compiled`)."""
    (stored, nodes, links, indicators, notes, values, rounds, reports, contents, items) = (
        read_compiled("plan_progress", _parts, plan.pk, fy)
    )
    settings = PlanSettings.made(plan, stored[0] if stored else None, bool(indicators))
    departments: dict[int, list[Department]] = {n.pk: [] for n in nodes}
    for link in links:
        departments[link.node_id].append(link.department)
    for node in nodes:
        prefetched(node, "departments", departments[node.pk])
    by_id = {n.pk: n for n in nodes}
    notes_of: dict[int, list[ProgressNote]] = {i.pk: [] for i in indicators}
    for note in notes:
        notes_of[note.indicator_id].append(note)
    values_of: dict[int, list[IndicatorValue]] = {i.pk: [] for i in indicators}
    for value in values:
        values_of[value.indicator_id].append(value)
    for i in indicators:
        i.node = by_id[i.node_id]  # with its departments
        prefetched(i, "values", values_of[i.pk])
        prefetched(i, "reports", notes_of[i.pk])
    round_ = rounds[0] if rounds else None
    for r in reports:
        r.round = round_  # type: ignore[assignment]
    return _Read(settings, nodes, indicators, round_, reports, contents, items)


# --- plans without figures (issue 12) ------------------------------------------------------


def _no_figures(nodes, goal_of, by_goal, contents, items, withheld, evaluations):
    """Every reported 事業 per goal, and the approved evaluations per goal / department / plan.

    A 事業 is a leaf node with a 担当, or any node a sheet reported on. Reads nothing more.
    """
    parents = {n.parent_id for n in nodes}
    by_id = {n.id: n for n in nodes}
    reported = {it.node.id for it in items} | {c.node.id for c in contents}
    projects: dict[int, ProjectProgress] = {}
    for n in nodes:
        if n.id in reported or (n.id not in parents and n.departments.all()):
            projects[n.id] = ProjectProgress(n, parent=by_id.get(n.parent_id))
            by_goal[goal_of[n.id]].projects.append(projects[n.id])
    for it in items:
        projects[it.node.id].items.append(it)
    for c in contents:
        projects[c.node.id].contents.append(c)
    for p in projects.values():
        ids = {d.id for d in p.node.departments.all()}
        p.withheld = [r for r in withheld if r.department_id in ids]
    approved = [it for it in items if it.approved]
    total = evaluations.fresh()
    for g in by_goal.values():
        g.evaluations = evaluations.fresh()
    for it in approved:
        total.add(it.entry.evaluation)
        by_goal[goal_of[it.node.id]].evaluations.add(it.entry.evaluation)
    per_department = count_by(((it.department, it.entry.evaluation) for it in approved), total)
    return total, dict(sorted(per_department.items()))


def _status_totals(settings, contents, by_goal, goal_of) -> Counts:
    """Content statuses of approved sheets, per goal (on the goals) and for the plan."""
    total = status_counts(settings.content_statuses)
    for g in by_goal.values():
        g.statuses = total.fresh()
    for c in contents:
        if c.approved:
            total.add(c.entry.status)
            by_goal[goal_of[c.node.id]].statuses.add(c.entry.status)
    return total


# --- end of plans without figures ----------------------------------------------------------


def band_class(band: str, band_names: list[str]) -> str:
    """A CSS class for a band by its rank: band-0 best … band-undetermined."""
    if band == band_names[-1]:
        return "band-undetermined"
    return f"band-{band_names.index(band)}" if band in band_names else "band-undetermined"


def years_with_values(plan: Plan) -> list[int]:
    """FYs of the plan that have an actual or a round, for FY pickers."""
    # One query (issue 16): the FYs of the actuals and of the rounds, as a UNION.
    actuals = (
        IndicatorValue.objects.filter(indicator__plan=plan, role=ROLE.ACTUAL)
        .order_by()
        .values_list("fy", flat=True)
    )
    rounds = (
        Round.objects.filter(plan=plan, kind=Round.Kind.YEARLY)
        .order_by()
        .values_list("fy", flat=True)
    )
    fys: set[int] = set(actuals.union(rounds))
    return sorted(fy for fy in fys if plan.first_fy <= fy <= plan.last_fy)
