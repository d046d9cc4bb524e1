"""A published year on one page, for citizens (社協だより): results per goal, a chart, the main
achievements, and the committee's main opinions with the council's answers.

Only a published, closed yearly round of an active plan of the organization's own (not a draft,
not a plan of another body registered for reference) has a summary; `year_summary` returns None
otherwise. What it reads is public already (see `data`): approved sheets of that round, the
published FY's actuals, and the opinions the 管理者 made public.

- Results per goal: the number of items per self-evaluation on the plan's scale (A 達成 … for a
  plan with numeric targets, A 計画どおり実施 … for one without), each department's evaluation
  of an item counted once, as the public plan page counts them; and, where the goal has
  indicators, how many reached their FY target (the plan's first band) out of how many.
- Main achievements: 取組状況 of items graded on the better half of the scale (A first), one per
  goal in turn, cut cleanly (`core.digest`).
- Opinions: those recorded for this FY — the committee's reading of this year's results — that
  are public, in their order, with their status and answer. An opinion recorded for the previous
  FY was answered during this year and is shown on that year's summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import SafeString
from django.utils.translation import gettext

from shinchoku.core.achievement import Bands, Tally
from shinchoku.core.digest import Candidate, pick
from shinchoku.core.evaluations import Counts, evaluation_counts
from shinchoku.core.tree import top_of
from shinchoku.core.wareki import fy_label
from shinchoku.plans.models import Node, Plan
from shinchoku.public import data
from shinchoku.public.no_figures import chart_names
from shinchoku.reviews.listing import PLAN_WIDE
from shinchoku.reviews.models import Opinion
from shinchoku.reviews.public import public_opinions
from shinchoku.rounds.models import ItemEntry, PlanSettings, Report, Round
from shinchoku.rounds.services import bands_of

# How many achievements and opinions the page starts with; the PDF shows fewer when it must.
MAX_ACHIEVEMENTS = 6
MAX_OPINIONS = 4


@dataclass
class GoalSummary:
    """One top-level goal: its items per self-evaluation, and its indicators that reached."""

    label: str
    title: str
    grades: list[tuple[str, str, int, str]]  # (code, "A 達成", count, css class)
    graded: int  # items evaluated (each department's evaluation once)
    indicators: int  # indicators under the goal
    reached: int  # of which reached the FY's target
    bands: list[tuple[str, int]] = field(default_factory=list)  # indicators per band, best first

    @property
    def name(self) -> str:
        return f"{self.label} {self.title}".strip()


@dataclass
class Achievement:
    """One item's 取組状況 worth showing (the whole text; the page cuts it)."""

    goal: str
    item: str
    department: str
    grade: str  # "A 達成"
    text: str


@dataclass
class PublicOpinion:
    """A public opinion of the committee with the council's answer."""

    number: int
    concerns: str  # the item, goal or indicator it concerns; empty for the plan as a whole
    department: str
    text: str
    status: str  # 未対応 / 対応中 / 対応済 / 見送り
    closed: bool
    answer: str  # 対応内容, else 対応方針, else the reason it was not taken up


@dataclass
class YearSummary:
    plan: Plan
    fy: int
    round: Round
    goals: list[GoalSummary]
    grade_names: list[str]  # the chart's names, best first, 未評価 last
    has_indicators: bool
    band_names: list[str] = field(default_factory=list)  # the plan's bands, 判定不可 last
    achievements: list[Achievement] = field(default_factory=list)
    opinions: list[PublicOpinion] = field(default_factory=list)

    @property
    def fy_label(self) -> str:
        """令和元年度(2019年度)."""
        return fy_label(self.fy)

    @property
    def organization(self) -> str:
        return self.plan.organization.name

    @property
    def published_at(self) -> datetime | None:
        return self.round.published_at

    @property
    def top_level_name(self) -> str:
        return self.plan.level_name(1)

    @property
    def has_grades(self) -> bool:
        """Some item was evaluated (a plan reported per indicator only has none)."""
        return any(g.graded for g in self.goals)

    @property
    def show_grades(self) -> bool:
        """The table shows the self-evaluations unless the plan reports per indicator only."""
        return self.has_grades or not self.has_indicators

    @property
    def charts_indicators(self) -> bool:
        """The chart draws the indicators' results when no item was evaluated."""
        return self.has_indicators and not self.has_grades

    def chart(self) -> SafeString | None:
        """One bar per goal (reports.charts): items per self-evaluation (「報告なし」 for a goal
        without any), or, for a plan reported per indicator only, indicators per result."""
        try:
            from shinchoku.reports import charts
        except ImportError:  # the charts are another app's work; the summary stands without
            return None
        what = {"level": self.top_level_name, "fy": self.fy_label}
        if self.charts_indicators:
            rows = [(g.name, g.bands) for g in self.goals]
            title = gettext("Results per %(level)s, %(fy)s") % what
            return charts.goals_bands_chart_svg(rows, self.band_names, title)
        rows = [(g.name, [(label, n) for _c, label, n, _cls in g.grades]) for g in self.goals]
        title = gettext("Self-evaluations per %(level)s, %(fy)s") % what
        return charts.goals_bands_chart_svg(
            rows, self.grade_names, title, empty=gettext("No report")
        )


def summary_round(plan: Plan, fy: int) -> Round | None:
    """The published, closed yearly round of an active own plan for the FY, else None."""
    if plan.is_draft or plan.is_external:
        return None
    return (
        Round.objects.filter(data.public_rounds(), plan=plan, fy=fy, kind=Round.Kind.YEARLY)
        .select_related("plan__organization")
        .first()
    )


def summary_available(public: data.PublicPlan, fy: int) -> bool:
    """Whether the public plan's FY has a summary, from rounds already loaded (no query)."""
    plan = public.plan
    if plan.is_draft or plan.is_external:
        return False
    return any(r.fy == fy and r.kind == Round.Kind.YEARLY for r in public.rounds)


def year_summary(plan: Plan, fy: int) -> YearSummary | None:
    """Everything the one-page summary shows, or None when the FY has no published yearly round."""
    round_ = summary_round(plan, fy)
    if round_ is None:
        return None
    plan = round_.plan
    nodes = list(
        Node.objects.filter(plan=plan)
        .only("id", "parent_id", "key", "label", "title", "level", "seq", "plan_id")
        .order_by("seq")
    )
    goal_of = top_of(nodes)
    by_key = {n.key: n for n in nodes}
    goals = [n for n in nodes if n.parent_id is None]
    settings = PlanSettings.of(plan)
    template = evaluation_counts(settings.evaluation_scale)
    counts: dict[int, Counts] = {g.id: template.fresh() for g in goals}
    candidates: list[Candidate[Achievement]] = []
    entries = (
        ItemEntry.objects.filter(report__round=round_, report__status=Report.Status.APPROVED)
        .select_related("report__department")
        .order_by("report__department__order", "id")
    )
    ordered = sorted(entries, key=lambda e: by_key[e.node_key].seq if e.node_key in by_key else 0)
    for e in ordered:
        node = by_key.get(e.node_key)
        if node is None:  # an entry of a node removed since: nowhere to count it
            continue
        goal = goal_of[node.id]
        counts[goal.id].add(e.evaluation)
        if e.done.strip():
            candidates.append(
                Candidate(
                    e.evaluation.strip(),
                    goal.id,
                    Achievement(
                        f"{goal.label} {goal.title}".strip(),
                        f"{node.label} {node.title}".strip(),
                        e.report.department.name,
                        template.label(e.evaluation.strip()),
                        e.done,
                    ),
                )
            )
    bands = bands_of(plan, settings)
    tallies, indicator_candidates = _indicators(plan, fy, goal_of, bands)
    keys = _keys(template, list(counts.values()))
    codes = list(template.order)
    out = []
    for g in goals:
        c = counts[g.id]
        tally = tallies.get(g.id, Tally(bands))
        out.append(
            GoalSummary(
                g.label,
                g.title,
                [
                    (k, c.label(k), c.counts.get(k, 0), data.evaluation_class(k, codes))
                    for k in keys
                ],
                c.total,
                tally.total,
                tally.counts.get(bands.reached, 0),
                tally.rows(),
            )
        )
    achievements = pick(candidates, codes, MAX_ACHIEVEMENTS)
    if not achievements:  # a plan reported per indicator: what the indicators that did well say
        achievements = pick(indicator_candidates, bands.names, MAX_ACHIEVEMENTS)
    return YearSummary(
        plan=plan,
        fy=fy,
        round=round_,
        goals=out,
        grade_names=chart_names([template.label(k) for k in keys]),
        has_indicators=bool(tallies),
        band_names=bands.names,
        achievements=achievements,
        opinions=_public_opinions(plan, fy),
    )


def _keys(template: Counts, counts: list[Counts]) -> list[str]:
    keys = list(template.order)
    for c in counts:
        keys += [k for k in c.keys() if k not in keys]
    return keys


def _indicators(
    plan: Plan, fy: int, goal_of: dict[int, Node], bands: Bands
) -> tuple[dict[int, Tally], list[Candidate[Achievement]]]:
    """Goal id → its indicators per result for the FY (published values only), and each
    indicator's 取組状況 of the FY as a possible achievement."""
    found = list(data.indicators_queryset([fy]).filter(node__plan=plan))
    tallies: dict[int, Tally] = {}
    candidates: list[Candidate[Achievement]] = []
    for ip in data.judge_indicators(found, [fy], bands):
        goal = goal_of.get(ip.indicator.node_id)
        if goal is None:
            continue
        band = ip.by_fy[fy].judgement.band
        tallies.setdefault(goal.id, Tally(bands)).add(band)
        note = next((r for r in ip.indicator.reports.all() if r.fy == fy), None)
        if note is not None and note.done.strip():
            candidates.append(
                Candidate(
                    band,
                    goal.id,
                    Achievement(
                        f"{goal.label} {goal.title}".strip(),
                        ip.indicator.name,
                        ip.department_name,
                        band,
                        note.done,
                    ),
                )
            )
    return tallies, candidates


def _public_opinions(plan: Plan, fy: int) -> list[PublicOpinion]:
    """The committee's public opinions on this FY with their answers (reviews.public)."""
    out = []
    for row in public_opinions(plan, fy):
        o = row.opinion
        answer = o.reason if o.status == Opinion.Status.DECLINED else (o.action or o.policy)
        concerns = "" if row.target == PLAN_WIDE else row.target
        out.append(
            PublicOpinion(
                o.number, concerns, row.department, o.text, row.status_name, o.is_closed, answer
            )
        )
    return out
