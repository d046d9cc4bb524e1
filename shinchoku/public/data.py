"""What the public may see of a plan: its structure, and approved values of published FYs only.

A plan is public once one of its rounds is published and closed. From then on the plan's
structure (nodes, sections, contents with their schedule, indicators with baseline and targets)
is public, but of the values that change year by year only those of published FYs are:

- actuals (IndicatorValue, role actual) and 取組状況 / 今後の展開 (ProgressNote) are loaded with
  a database filter on the published FYs, so an imported 参考値 of FY2018 or an actual approved
  in a round that is not published yet is never read, let alone shown;
- item texts (ItemEntry done / next) come only from approved sheets of published rounds.

Never read here: drafts and sheets not approved, review comments (Report.return_comment),
internal notes (IndicatorEntry.note, ContentEntry.note, Content.note, IndicatorValue.note),
self-evaluations and content statuses (except for a plan without indicators, whose progress
they are: see `project_reports`), and user names (published_by, approved_by, updated_by).
Indicator.notes is text of the plan document (注記 under an indicator) and is public like the
rest of the plan.

A round that was published and then reopened is withdrawn (rounds.services.reopen_round) and is
public again only once closed and published again: its values may be under correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from shinchoku.core.achievement import Bands, Tally, roll_up
from shinchoku.core.evaluations import Counts, evaluation_counts, scale_labels
from shinchoku.plans.access import HAS_NUMBERS, with_settings
from shinchoku.plans.models import (
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    Plan,
    ProgressNote,
)
from shinchoku.rounds.models import ContentEntry, ItemEntry, PlanSettings, Report, Round
from shinchoku.rounds.progress import IndicatorProgress, band_class, indicator_progress
from shinchoku.rounds.services import bands_of

ROLE = IndicatorValue.Role


def public_rounds() -> Q:
    """Rounds whose values are public: published and closed."""
    return Q(published=True, status=Round.Status.CLOSED, kind=Round.Kind.YEARLY)


def published_rounds(plan: Plan) -> list[Round]:
    """The plan's public rounds, oldest FY first."""
    return list(Round.objects.filter(public_rounds(), plan=plan).order_by("fy"))


def public_plans() -> QuerySet[Plan]:
    """Every plan with at least one public round, with its organization (one query)."""
    ids = Round.objects.filter(public_rounds()).values("plan_id")
    return (
        Plan.objects.filter(id__in=ids)
        .exclude(status=Plan.Status.DRAFT)  # a draft (次期計画 策定中) is never public
        .select_related("organization")
        .order_by("organization__name", "organization_id", "-first_fy", "title", "id")
    )


@dataclass
class PublicPlan:
    """A public plan and its published FYs (each with the date it was published)."""

    plan: Plan
    rounds: list[Round]

    @property
    def fys(self) -> list[int]:
        return [r.fy for r in self.rounds]

    @property
    def latest(self) -> int:
        return self.rounds[-1].fy

    def published_at(self, fy: int) -> datetime | None:
        return next((r.published_at for r in self.rounds if r.fy == fy), None)

    def pick_fy(self, value: str | int | None) -> int:
        """The FY asked for when it is published, else 404; the latest when none is asked."""
        if value in (None, ""):
            return self.latest
        try:
            fy = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise Http404("no such fiscal year") from None
        if fy not in self.fys:
            raise Http404("fiscal year not published")
        return fy


def get_public_plan(slug: str) -> PublicPlan:
    """Load a plan that has a published round, or 404 (unpublished plans are not public at all)."""
    plan = (
        Plan.objects.select_related("organization", "progress_settings")
        .annotate(has_numbers=HAS_NUMBERS)
        .filter(slug=slug)
        .first()
    )
    if plan is None or plan.is_draft:  # a draft (次期計画 策定中) is never public
        raise Http404("no such plan")
    with_settings(plan, plan.has_numbers)  # PlanSettings.of reads nothing more (issue 16)
    rounds = published_rounds(plan)
    if not rounds:
        raise Http404("plan not published")
    return PublicPlan(plan, rounds)


def node_departments() -> Prefetch:
    """A node's 担当課, in order (one query for any number of nodes)."""
    return Prefetch(
        "nodedepartment_set",
        queryset=NodeDepartment.objects.select_related("department").order_by("order"),
    )


def indicators_queryset(fys: list[int], *, with_nodes: bool = True):
    """Indicators with baseline, targets, and only the published FYs' actuals and notes.

    Without `with_nodes` the caller gives each indicator its node (`node_departments` read).
    """
    values = IndicatorValue.objects.filter(
        Q(role__in=[ROLE.BASELINE, ROLE.TARGET]) | Q(role=ROLE.ACTUAL, fy__in=fys)
    ).order_by("fy")
    prefetches = [
        Prefetch("values", queryset=values),
        Prefetch("reports", queryset=ProgressNote.objects.filter(fy__in=fys).order_by("fy")),
    ]
    if with_nodes:
        prefetches.append(
            Prefetch("node__nodedepartment_set", queryset=node_departments().queryset)
        )
    related = ("node", "department") if with_nodes else ("department",)
    return (
        Indicator.objects.select_related(*related)
        .prefetch_related(*prefetches)
        .order_by("node__seq", "order")
    )


@dataclass
class PublicIndicator:
    """An indicator with its published values and a judgement for each published FY."""

    indicator: Indicator
    by_fy: dict[int, IndicatorProgress]  # published FY → judged progress (published values only)
    any: IndicatorProgress  # for baseline, targets and actuals, which do not depend on the FY

    @property
    def department_name(self) -> str:
        if self.indicator.department_id:
            return self.indicator.department.name
        return "、".join(nd.department.name for nd in self.indicator.node.nodedepartment_set.all())


def judge_indicators(indicators: list[Indicator], fys: list[int], bands: Bands):
    """Judge each indicator for each published FY from its (already filtered) values."""
    out = []
    for ind in indicators:
        by_fy = {fy: indicator_progress(ind, fy, bands) for fy in fys}
        out.append(PublicIndicator(ind, by_fy, by_fy[fys[-1]]))
    return out


def check_published(ip: IndicatorProgress, fys: list[int]) -> None:
    """Refuse an indicator progress that carries an actual or note of an unpublished FY."""
    stray = (set(ip.actuals) | set(ip.notes)) - set(fys)
    if stray:
        raise ValueError(f"unpublished FYs in public data: {sorted(stray)}")


@dataclass
class GoalBands:
    """A top-level node with its counts per band for each published FY."""

    node: Node
    tallies: dict[int, Tally]


@dataclass
class PlanData:
    """Everything of a public plan the pages and downloads read, in a fixed number of queries."""

    public: PublicPlan
    bands: Bands
    nodes: list[Node]
    indicators: list[PublicIndicator]
    goals: list[GoalBands] = field(default_factory=list)
    totals: dict[int, Tally] = field(default_factory=dict)

    @property
    def plan(self) -> Plan:
        return self.public.plan

    @property
    def band_names(self) -> list[str]:
        return self.bands.names

    def band_class(self, band: str) -> str:
        return band_class(band, self.bands.names)


def plan_data(
    public: PublicPlan, *, bands: Bands | None = None, nodes: list[Node] | None = None
) -> PlanData:
    """Load the plan's nodes and indicators and judge them for every published FY.

    A page that has read the plan's bands or every node of the plan in order (`node_departments`
    prefetched) passes them.
    """
    plan, fys = public.plan, public.fys
    bands = bands or bands_of(plan)
    if nodes is None:
        nodes = list(
            Node.objects.filter(plan=plan).prefetch_related(node_departments()).order_by("seq")
        )
    by_id = {n.id: n for n in nodes}
    found = list(indicators_queryset(fys, with_nodes=False).filter(node__plan=plan))
    for i in found:
        i.node = by_id[i.node_id]
    indicators = judge_indicators(found, fys, bands)
    parents = {n.id: n.parent_id for n in nodes}
    data = PlanData(public, bands, nodes, indicators)
    per_fy = {
        fy: roll_up(
            parents, ((i.indicator.node_id, i.by_fy[fy].judgement.band) for i in indicators), bands
        )
        for fy in fys
    }
    for n in nodes:
        if n.parent_id is None:
            data.goals.append(GoalBands(n, {fy: per_fy[fy].get(n.id, Tally(bands)) for fy in fys}))
    for fy in fys:
        total = Tally(bands)
        for i in indicators:
            total.add(i.by_fy[fy].judgement.band)
        data.totals[fy] = total
    return data


@dataclass
class ItemText:
    """取組状況 / 今後の展開 of an item from one department's approved sheet of a published FY."""

    fy: int
    department: str
    done: str
    next: str


def item_texts(
    plan: Plan, fys: list[int], node_keys: list[str] | None = None
) -> dict[str, list[ItemText]]:
    """Item texts by node key, from approved sheets of public rounds only (never drafts)."""
    entries = (
        ItemEntry.objects.filter(
            report__round__plan=plan,
            report__round__fy__in=fys,
            report__round__published=True,
            report__round__kind=Round.Kind.YEARLY,
            report__round__status=Round.Status.CLOSED,
            report__status=Report.Status.APPROVED,
        )
        .select_related("report__round", "report__department")
        .order_by("report__round__fy", "report__department__order", "id")
    )
    if node_keys is not None:
        entries = entries.filter(node_key__in=node_keys)
    out: dict[str, list[ItemText]] = {}
    for e in entries:
        if e.done or e.next:
            out.setdefault(e.node_key, []).append(
                ItemText(e.report.round.fy, e.report.department.name, e.done, e.next)
            )
    return out


# --- plans without figures (issue 12) ------------------------------------------------------
# A plan without indicators has no results to count; its progress is the self-evaluation each
# 事業 got and the status of its contents. For such a plan (and only such a plan) these are
# public, from approved sheets of published, closed rounds, like the item texts; the notes of
# a content (ContentEntry.note) never are.


def has_figures(plan: Plan) -> bool:
    """The plan has at least one indicator (then bands are its public results, as before)."""
    return Indicator.objects.filter(node__plan=plan).exists()


@dataclass
class ProjectReport:
    """A 事業's self-evaluation, texts and content statuses from one approved, published sheet."""

    fy: int
    department: str
    evaluation: str  # the code on the plan's scale
    evaluation_label: str  # "A 計画どおり実施"
    evaluation_class: str  # band-0 (best) … band-undetermined (off the scale)
    done: str
    next: str
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (content, status)


def evaluation_class(code: str, codes: list[str]) -> str:
    return f"band-{min(codes.index(code), 3)}" if code in codes else "band-undetermined"


def project_reports(
    plan: Plan, fys: list[int], node_keys: list[str] | None = None, scale: list | None = None
) -> dict[str, list[ProjectReport]]:
    """What approved sheets of public rounds say of each 事業, by node key (two queries, and
    one for the plan's scale when it is not given)."""
    public = {
        "report__round__plan": plan,
        "report__round__fy__in": fys,
        "report__round__published": True,
        "report__round__kind": Round.Kind.YEARLY,
        "report__round__status": Round.Status.CLOSED,
        "report__status": Report.Status.APPROVED,
    }
    if node_keys is not None:
        public["node_key__in"] = node_keys
    if scale is None:
        scale = PlanSettings.of(plan).evaluation_scale
    labels = scale_labels(scale)
    codes = list(labels)
    statuses: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for report_id, key, text, status in (
        ContentEntry.objects.filter(**public)
        .exclude(status="")
        .order_by("report_id", "node_key", "position")
        .values_list("report_id", "node_key", "text", "status")  # never the note
    ):
        statuses.setdefault((report_id, key), []).append((text, status))
    out: dict[str, list[ProjectReport]] = {}
    for e in (
        ItemEntry.objects.filter(**public)
        .select_related("report__round", "report__department")
        .order_by("report__round__fy", "report__department__order", "id")
    ):
        out.setdefault(e.node_key, []).append(
            ProjectReport(
                e.report.round.fy,
                e.report.department.name,
                e.evaluation,
                labels.get(e.evaluation, e.evaluation),
                evaluation_class(e.evaluation, codes),
                e.done,
                e.next,
                statuses.get((e.report_id, e.node_key), []),
            )
        )
    return out


def plan_scale(plan: Plan) -> list[dict]:
    return list(PlanSettings.of(plan).evaluation_scale)


def evaluations_by(
    reports: dict[str, list[ProjectReport]], group_of: dict[str, int], scale: list[dict]
) -> dict[tuple[int, int], Counts]:
    """Counts of evaluations per (group, FY): group_of maps a node key to its goal's id."""
    template = evaluation_counts(scale)
    out: dict[tuple[int, int], Counts] = {}
    for key, rows in reports.items():
        group = group_of.get(key)
        if group is None:
            continue
        for r in rows:
            out.setdefault((group, r.fy), template.fresh()).add(r.evaluation)
    return out


# --- end of plans without figures ----------------------------------------------------------
