"""施策評価: for each policy of a plan, its items' progress and the businesses that carry them out.

A policy is a node of the plan's policy level: the level named 施策, else the first level whose
name contains 施策 (基本施策, 施策の方向), else level 2 (level 1 for a plan of one level). Its
items are the leaves below it (the policy itself when it has none). Their progress is read from
`rounds.progress.plan_progress` (the one computation every progress page uses: indicator bands
rolled up to each node, self-evaluations of plans without figures), never recomputed here.
Its businesses are those linked (BusinessNode) to the policy or any node below it, each with its
latest completed evaluation's 方向性 and its full cost of the FY shown (else of the nearest
FY the register has figures for); the policy's total is the sum of the costs that are known.
A fixed number of queries however large the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from shinchoku.businesses.models import (
    BusinessEvaluation,
    BusinessNode,
    RegisterSettings,
    Stage,
)
from shinchoku.businesses.report import JUDGEMENTS, judgement_label
from shinchoku.core.achievement import Tally
from shinchoku.core.business_cost import amount_text, full_cost
from shinchoku.plans.models import Node, Plan
from shinchoku.rounds.progress import ItemProgress, PlanProgress, band_class

POLICY_WORD = "施策"


def policy_level(plan: Plan, depth: int) -> int:
    """The 1-based level of the plan's policies (see the module's docstring)."""
    names = list(plan.level_names or [])
    if POLICY_WORD in names:
        return names.index(POLICY_WORD) + 1
    for i, name in enumerate(names, start=1):
        if POLICY_WORD in str(name) and i <= depth:
            return i
    return 2 if depth >= 2 else 1


@dataclass
class PolicyBusiness:
    code: str
    name: str
    department: str
    direction: str  # the latest completed evaluation's 方向性, "" when never evaluated
    direction_fy: int | None
    full_cost: Decimal | None

    @property
    def full_cost_text(self) -> str:
        return amount_text(self.full_cost)

    @property
    def direction_label(self) -> str:
        return judgement_label(self.direction)


@dataclass(frozen=True)
class BandCount:
    """A band of a tally with its count (only bands counted) and its CSS class."""

    band: str
    count: int
    css: str


def band_counts(tally: Tally | None, band_names: list[str]) -> list[BandCount]:
    """The counted bands of a tally, each with its class (rounds.progress.band_class), once
    per row here rather than per cell in the template."""
    if tally is None or not tally.total:
        return []
    return [BandCount(b, n, band_class(b, band_names)) for b, n in tally.rows() if n]


def node_url_maker(plan: Plan):
    """key → the node's page URL, as `{% url 'plans:node' plan.slug key %}` writes it, with
    one reverse() for the whole page."""
    marker = "0"
    prefix = reverse("plans:node", args=[plan.slug, marker])[: -len(marker) - 1]
    return lambda key: f"{prefix}{quote(str(key), safe=RFC3986_SUBDELIMS + '/~:@')}/"


@dataclass
class PolicyItem:
    node: Node
    departments: str
    tally: Tally | None  # its indicators' bands (plans with figures)
    evaluations: list[ItemProgress] = field(default_factory=list)  # self-evaluations read
    url: str = ""
    bands: list[BandCount] = field(default_factory=list)  # the tally's counted bands


@dataclass
class Policy:
    node: Node
    parent: Node | None
    tally: Tally | None
    items: list[PolicyItem] = field(default_factory=list)
    businesses: list[PolicyBusiness] = field(default_factory=list)
    url: str = ""
    bands: list[BandCount] = field(default_factory=list)

    @property
    def cost_total(self) -> Decimal | None:
        known = [b.full_cost for b in self.businesses if b.full_cost is not None]
        return sum(known, Decimal(0)) if known else None

    @property
    def cost_total_text(self) -> str:
        return amount_text(self.cost_total)

    @property
    def directions(self) -> list[tuple[str, int]]:
        """(方向性, count) of its businesses' latest evaluations, in the order of the scale."""
        counts = [(j, sum(b.direction == j for b in self.businesses)) for j in JUDGEMENTS]
        return [(judgement_label(j), n) for j, n in counts if n]


@dataclass
class PolicyView:
    plan: Plan
    level: int
    level_name: str
    cost_fy: int | None
    policies: list[Policy]


def policy_view(plan: Plan, pp: PlanProgress) -> PolicyView:
    """Every policy of the plan with its items' progress (from `pp`) and its businesses."""
    nodes = pp.nodes
    depth = max((n.level for n in nodes), default=1)
    level = policy_level(plan, depth)
    by_id = {n.id: n for n in nodes}
    children: dict[int | None, list[Node]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)

    def subtree(n: Node) -> list[Node]:
        out, stack = [], [n]
        while stack:
            cur = stack.pop()
            out.append(cur)
            stack.extend(reversed(children.get(cur.id, [])))
        return out

    evaluations: dict[int, list[ItemProgress]] = {}
    for it in pp.items:
        evaluations.setdefault(it.node.id, []).append(it)
    tallies = pp.tallies if pp.has_figures else {}
    url_of = node_url_maker(plan)
    names = list(pp.band_names)
    policies: list[Policy] = []
    policy_of: dict[int, Policy] = {}
    for n in nodes:
        if n.level != level:
            continue
        tally = tallies.get(n.id) if tallies else None
        policy = Policy(
            n, by_id.get(n.parent_id), tally, url=url_of(n.key), bands=band_counts(tally, names)
        )
        below = subtree(n)
        for m in below:
            policy_of[m.id] = policy
        leaves = [m for m in below if m.id not in children] or [n]
        for m in leaves:
            tally = tallies.get(m.id) if tallies else None
            policy.items.append(
                PolicyItem(
                    m,
                    "、".join(d.name for d in m.departments.all()),
                    tally,
                    evaluations.get(m.id, []),
                    url=url_of(m.key),
                    bands=band_counts(tally, names),
                )
            )
        policies.append(policy)

    cost_fy = _add_businesses(plan, policy_of, pp.fy)
    return PolicyView(plan, level, plan.level_name(level), cost_fy, policies)


def _cost_fy(fys: set[int], fy: int) -> int | None:
    """The FY whose figures are shown: `fy`, else the latest before it with figures, else the
    latest after it (the register may be kept ahead of or behind the plan's rounds)."""
    if fy in fys or not fys:
        return fy if fys else None
    earlier = [y for y in fys if y < fy]
    return max(earlier) if earlier else min(fys)


def _link_rows(plan: Plan):
    """The plan's business links, one row per link and year of its business (a link of a
    business without years: one row of None figures), each with the business's latest completed
    evaluation and the organization's cost of a person-year: one query (issue 16)."""
    done = BusinessEvaluation.objects.filter(
        business_id=OuterRef("business_id"), stage=Stage.DONE
    ).order_by("-round__fiscal_year")
    return (
        BusinessNode.objects.filter(node__plan=plan)
        .annotate(
            direction=Subquery(done.values("director_judgement")[:1]),
            direction_fy=Subquery(done.values("round__fiscal_year")[:1]),
            rate=RegisterSettings.rate_column(plan.organization_id),
        )
        .order_by("business__department__order", "business__order", "business__code", "business_id")
        .values_list(
            "node_id",
            "business_id",
            "business__code",
            "business__name",
            "business__department__name",
            "direction",
            "direction_fy",
            "rate",
            "business__years__fiscal_year",
            "business__years__settlement",
            "business__years__staff_years",
        )
    )


def _add_businesses(plan: Plan, policy_of: dict[int, Policy], fy: int) -> int | None:
    """Put each business linked below a policy on it (once per policy); return the FY of the
    costs shown. One query."""
    links: dict[tuple[int, int], tuple] = {}  # (policy, business) → the business's columns
    figures: dict[int, dict[int, tuple]] = {}  # business → FY → (settlement, staff years)
    rate = None
    for node_id, business_id, *business, saved_rate, year, settlement, staff in _link_rows(plan):
        rate = saved_rate  # the same on every row
        policy = policy_of.get(node_id)
        if policy is None:  # not above the policies
            continue
        links.setdefault((id(policy), business_id), (policy, business_id, *business))
        if year is not None:
            figures.setdefault(business_id, {})[year] = (settlement, staff)
    if not links:
        return None
    cost_fy = _cost_fy({y for by_fy in figures.values() for y in by_fy}, fy)
    if cost_fy is not None:
        rate = RegisterSettings.rate_of(plan.organization, rate)
    for policy, business_id, code, name, department, direction, direction_fy in links.values():
        year = figures.get(business_id, {}).get(cost_fy)
        policy.businesses.append(
            PolicyBusiness(
                code,
                name,
                department,
                direction or "",
                direction_fy,
                full_cost(year[0], year[1], rate) if year else None,
            )
        )
    return cost_fy
