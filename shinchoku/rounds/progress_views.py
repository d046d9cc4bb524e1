"""Progress pages (staff, login required): a plan's FY overview, one indicator over the years,
and the dashboard of every plan with a round.

Everything judged comes from `rounds.progress`, so these pages agree with the committee report
and the public pages. Every view loads its plan through `access.plan_for`. Figures and texts of
sheets not yet approved are shown only to those `permissions.draft_scope` covers; everyone else
sees the sheet's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import (
    DraftScope,
    draft_scope,
    is_federation,
    require,
    visible_organizations,
)
from shinchoku.core import wareki
from shinchoku.core.keyed_urls import KeyedUrls
from shinchoku.core.years import pick_fy
from shinchoku.plans.access import HAS_NUMBERS, may_see, with_settings
from shinchoku.plans.models import Indicator, IndicatorValue, Node, Plan
from shinchoku.rounds import page_cache
from shinchoku.rounds.access import plan_for
from shinchoku.rounds.federation import federation_dashboard
from shinchoku.rounds.forecasts import IndicatorForecast, at_risk_in, forecast_of
from shinchoku.rounds.indicator_hints import hints_for
from shinchoku.rounds.latest import fys_with_data, picker_years
from shinchoku.rounds.models import IndicatorEntry, PlanSettings, Report, Round
from shinchoku.rounds.progress import (
    IndicatorProgress,
    PlanProgress,
    indicator_progress,
    plan_progress,
)
from shinchoku.rounds.services import bands_of

DONE = {Report.Status.SUBMITTED, Report.Status.APPROVED}


def charts_available() -> bool:
    """The charts tags (reports app, another developer's work) are installed."""
    return "charts" in engines["django"].engine.libraries


def committee_report_url(plan: Plan, fy: int) -> str:
    """The committee report of the FY, once the reports app has one."""
    try:
        return reverse("reports:committee", args=[plan.slug, fy])
    except NoReverseMatch:
        return ""


@require_safe
def overview_latest(request: HttpRequest, slug: str) -> HttpResponse:
    """Go to the latest FY with data (a sheet submitted or approved, an approved actual), else
    the latest FY with a round, or say that there is none yet."""
    plan = plan_for(request, slug)
    fy = pick_fy(*picker_years(plan))
    if fy is not None:
        return redirect("rounds:overview", slug=plan.slug, fy=fy)
    return render(request, "rounds/progress/empty.html", {"plan": plan})


@dataclass
class TreeRow:
    node: Node
    depth: int
    level_name: str
    rows: list[tuple[str, int]]
    total: int


def _tree_rows(plan: Plan, pp: PlanProgress) -> list[TreeRow]:
    """Every node with indicators below it, in document order, with its rolled-up counts."""
    depth: dict[int, int] = {}
    out = []
    for n in pp.nodes:  # document order: a parent comes before its children
        depth[n.id] = depth.get(n.parent_id, -1) + 1 if n.parent_id else 0
        tally = pp.tallies.get(n.id)
        if tally is None or not tally.total:
            continue
        out.append(TreeRow(n, depth[n.id], plan.level_name(n.level), tally.rows(), tally.total))
    return out


def _fy_picker(plan: Plan, with_values: list[int], with_data: set[int]) -> list[tuple[int, bool]]:
    """Every FY of the plan and any with a round; True where something was reported."""
    fys = sorted(set(plan.fiscal_years) | set(with_values))
    return [(fy, fy in with_data) for fy in fys]


@require_safe
def overview(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """Bands per goal and at every level, per department, contents behind, indicators off track.

    Below the FY picker the page is rendered from the plan's data only, and kept in the cache
    under the plan's version, the language and the drafts the reader may see (page_cache).
    """
    plan = page_cache.plan_for(request, slug)  # with its cache version: one query
    with_values, with_data = page_cache.kept(
        page_cache.key("picker", plan), lambda: picker_years(plan)
    )
    if not (plan.first_fy <= fy <= plan.last_fy or fy in with_values):
        raise Http404("outside the plan's period")
    drafts = draft_scope(request.user, plan.organization)
    body = page_cache.kept(
        page_cache.key("progress", plan, fy, page_cache.scope_key(drafts)),
        lambda: _overview_body(request, plan, fy, drafts),
    )
    pp = SimpleLazyObject(lambda: plan_progress(plan, fy, drafts=drafts))
    context = {
        "plan": plan,
        "fy": fy,
        "picker": _fy_picker(plan, with_values, with_data),
        "body": mark_safe(body),  # rendered (escaped) by _overview_body
        # What the body shows, for tests and debugging: read only when asked for.
        "pp": pp,
        "tree": SimpleLazyObject(lambda: _tree_rows(plan, pp)),
    }
    return render(request, "rounds/progress/overview.html", context)


def _overview_body(request: HttpRequest, plan: Plan, fy: int, drafts: DraftScope) -> str:
    """The progress view below its FY picker (rounds/progress/_overview_body.html)."""
    context = overview_body_context(plan, fy, drafts)
    return render_to_string("rounds/progress/_overview_body.html", context, request=request)


def overview_body_context(plan: Plan, fy: int, drafts: DraftScope) -> dict:
    """What _overview_body.html shows of the plan's progress in the FY, judged for `drafts`."""
    pp = plan_progress(plan, fy, drafts=drafts)
    reports = pp.reports  # in the departments' order (Report.Meta.ordering)
    top_level = min((n.level for n in pp.nodes), default=1)
    return {
        "plan": plan,
        "fy": fy,
        "pp": pp,
        "band_names": pp.band_names,
        "goal_level": plan.level_name(top_level),
        "tree": (tree := _tree_rows(plan, pp)),
        "deeper": any(r.depth for r in tree),
        "goal_rows": [(f"{g.node.label} {g.node.title}".strip(), g.tally.rows()) for g in pp.goals],
        "departments": sorted(pp.departments.items()),
        "reports": reports,
        "n_approved": sum(r.status == Report.Status.APPROVED for r in reports),
        "report_url": committee_report_url(plan, fy) if pp.round else "",
        "charts": charts_available(),
        "project_level": project_level(plan, pp),
        # Early warning: indicators whose final target looks out of reach, as of this FY.
        "at_risk": at_risk_in(pp) if pp.has_figures else [],
        **row_urls(plan),
    }


def row_urls(plan: Plan) -> dict[str, KeyedUrls]:
    """The URLs of the rows' nodes and indicators, each pattern reversed once (keyed_url)."""
    return {
        "node_urls": KeyedUrls("plans:node", plan.slug),
        "indicator_urls": KeyedUrls("rounds:indicator", plan.slug),
    }


def project_level(plan: Plan, pp: PlanProgress) -> str:
    """The level name of the reported items (事業) of a plan without figures."""
    levels = [p.node.level for p in pp.projects]
    return plan.level_name(max(levels)) if levels else plan.level_name(1)


@dataclass
class YearRow:
    fy: int
    progress: IndicatorProgress
    pending: list[IndicatorEntry]  # unapproved entries the user may read
    withheld: list[Report]  # unapproved sheets the user may not read: their status only

    @cached_property
    def pending_actuals(self) -> list[tuple[IndicatorEntry, str]]:
        """The pending entries with an actual, each with it in the indicator's unit."""
        return self.progress.pending_shown(self.pending)


@require_safe
def indicator_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One indicator over every year: baseline, targets, actuals, rate, band, texts."""
    plan = plan_for(request, slug)
    indicator = (
        Indicator.objects.filter(node__plan=plan, key=key)
        .select_related("node", "department")
        .prefetch_related("values", "reports", "node__departments")
        .first()
    )
    if indicator is None:
        raise Http404("no such indicator")
    indicator.plan = plan  # with its organization, for the hints
    settings = PlanSettings.of(plan)
    bands = bands_of(plan, settings)
    values = list(indicator.values.all())
    years = set(plan.fiscal_years)
    years |= {v.fy for v in values if v.role != IndicatorValue.Role.BASELINE}
    years |= {n.fy for n in indicator.reports.all()}
    drafts = draft_scope(request.user, plan.organization)
    pending: dict[int, list[IndicatorEntry]] = {}
    withheld: dict[int, list[Report]] = {}
    for e in (
        IndicatorEntry.objects.filter(
            report__round__plan=plan,
            report__round__kind=Round.Kind.YEARLY,
            indicator_key=indicator.key,
        )
        .exclude(report__status=Report.Status.APPROVED)
        .exclude(actual="", done="", next="")
        .select_related("report__round", "report__department")
        .order_by("report__department__order", "report__department__id")
    ):
        fy = e.report.round.fy
        if drafts.covers(e.report.department):
            pending.setdefault(fy, []).append(e)
        else:
            withheld.setdefault(fy, []).append(e.report)
        years.add(fy)
    rows = [
        YearRow(
            fy,
            indicator_progress(indicator, fy, bands),
            pending.get(fy, []),
            withheld.get(fy, []),
        )
        for fy in sorted(years)
    ]
    actual_fys = [r.fy for r in rows if r.progress.actual]
    latest = next(
        (r.progress for r in rows if r.fy == (actual_fys[-1] if actual_fys else plan.last_fy)),
        rows[-1].progress,
    )
    outline = {
        n.id: n
        for n in Node.objects.filter(plan=plan).only("id", "parent_id", "key", "label", "title")
    }
    ancestors = []
    current = outline.get(indicator.node_id)
    while current is not None:
        ancestors.insert(0, current)
        current = outline.get(current.parent_id)
    context = {
        "plan": plan,
        "indicator": indicator,
        "ip": latest,
        "rows": rows,
        "has_notes": bool(indicator.reports.all())
        or any(e.done or e.next for entries in pending.values() for e in entries),
        "band_names": bands.names,
        "ancestors": ancestors,
        "level_name": plan.level_name(indicator.node.level),
        "baseline": latest.baseline,
        "charts": charts_available(),
        "forecast": forecast_of(indicator, settings.forecast_thresholds, last_fy=plan.last_fy),
        # Figures other stages know about this indicator (e.g. the business evaluation's).
        "hints": hints_for(indicator),
    }
    return render(request, "rounds/progress/indicator.html", context)


@dataclass
class DeptStatus:
    report: Report
    late: bool


@dataclass
class PlanBoard:
    plan: Plan
    round: Round
    rounds: list[Round]  # every yearly round of the plan, newest first (the FY select)
    departments: list[DeptStatus]
    days_left: int
    drafts: DraftScope
    body: str = ""  # the board below its FY select (_dashboard_board.html), maybe from the cache

    @property
    def fy_field(self) -> str:
        """The name (and id) of the plan's FY select: fy-<slug>."""
        return f"fy-{self.plan.slug}"

    @property
    def fy_choices(self) -> list[tuple[int, str]]:
        return [(r.fy, wareki.fy_label(r.fy)) for r in self.rounds]

    @property
    def n_done(self) -> int:
        return sum(d.report.status in DONE for d in self.departments)

    @property
    def n_approved(self) -> int:
        return sum(d.report.status == Report.Status.APPROVED for d in self.departments)

    @cached_property
    def pp(self) -> PlanProgress:
        """What the board shows, judged for its reader: read only when the body is rendered
        (not when it comes from the cache) or when asked for."""
        return plan_progress(self.plan, self.round.fy, drafts=self.drafts)

    @cached_property
    def goal_level(self) -> str:
        return self.plan.level_name(min((n.level for n in self.pp.nodes), default=1))

    @cached_property
    def at_risk(self) -> list[IndicatorForecast]:
        """Early warning as of the board's FY: the final targets at risk, worst first."""
        return at_risk_in(self.pp) if self.pp.has_figures else []


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each of the user's plans with a round: its latest round's bands, alerts and sheets.

    The federation operator sees every organization's plans as one row each
    (`federation.federation_dashboard`), and one organization's boards with ?org=<slug>.
    Each board below its FY select is kept in the cache under its plan's version, the reader's
    drafts and the day (page_cache); only the boards not found there read their plan's progress.
    """
    require(request, request.user.is_authenticated)
    organizations = visible_organizations(request.user)
    org = None
    if is_federation(request.user):
        if not request.GET.get("org"):
            return federation_dashboard(request)
        org = organizations.filter(slug=request.GET["org"]).first()
        if org is None:
            raise Http404("no such organization")
        organizations = [org]
    # Each plan with its cache version and its progress settings (PlanSettings.of reads
    # nothing more for a board made now).
    plans = [
        with_settings(p, p.has_numbers)
        for p in page_cache.with_versions(Plan.objects.filter(organization__in=organizations))
        .select_related("organization", "progress_settings")
        .annotate(has_numbers=HAS_NUMBERS)
        .order_by("organization__name", "-first_fy", "title")
        if may_see(request.user, p)  # drafts: 管理者 and approvers only
    ]
    # Each plan opens on its latest round with data (not a newer empty one), or on the FY the
    # user picked: ?fy-<slug>=<fy> (one select per plan; the other plans' choices are kept).
    rounds_of: dict[int, dict[int, Round]] = {}
    yearly = Round.objects.filter(plan__in=plans, kind=Round.Kind.YEARLY)
    for r in yearly.order_by("plan_id", "-fy"):
        rounds_of.setdefault(r.plan_id, {})[r.fy] = r
    with_data = _fys_with_data([p for p in plans if p.pk in rounds_of])
    latest: dict[int, Round] = {}
    chosen: dict[str, int] = {}
    for plan in plans:
        if plan.pk not in rounds_of:
            continue
        raw = request.GET.get(f"fy-{plan.slug}", "")
        fy = pick_fy(rounds_of[plan.pk], with_data[plan.pk], int(raw) if raw.isdigit() else None)
        latest[plan.pk] = rounds_of[plan.pk][fy]
        if raw.isdigit() and int(raw) == fy:
            chosen[plan.slug] = fy
    today = date.today()
    boards, without = [], []
    keys: dict[int, str] = {}
    for plan in plans:
        round_ = latest.get(plan.id)
        if round_ is None:
            without.append(plan)
            continue
        round_.plan = plan
        drafts = draft_scope(request.user, plan.organization)
        choices = list(rounds_of[plan.pk].values())
        days_left = (round_.deadline - today).days
        boards.append(PlanBoard(plan, round_, choices, [], days_left, drafts))
        keys[plan.pk] = page_cache.key(
            "board", plan, round_.fy, page_cache.scope_key(drafts), today.isoformat()
        )
    stored = page_cache.kept_many(keys)
    made = []
    for b in boards:
        if b.plan.pk in stored:
            sheets, b.body = stored[b.plan.pk]
        else:
            sheets = b.pp.reports  # read with the board's progress, in the departments' order
        b.departments = [
            DeptStatus(rep, b.round.is_open and b.days_left < 0 and rep.status not in DONE)
            for rep in sheets
        ]
        if b.plan.pk not in stored:
            b.body = _board_body(request, b)
            made.append((keys[b.plan.pk], (sheets, b.body)))
    page_cache.keep_many(made)
    for b in boards:
        b.body = mark_safe(b.body)  # rendered (escaped) by _board_body
    context = {
        "boards": boards,
        "without": without,
        "today": today,
        "chosen": chosen,
        "organization": org,
    }
    return render(request, "rounds/progress/dashboard.html", context)


def _fys_with_data(plans: list[Plan]) -> dict[int, set[int]]:
    """`latest.fys_with_data`, kept in the cache under each plan's version."""
    keys = {p.pk: page_cache.key("with-data", p) for p in plans}
    found = page_cache.kept_many(keys)
    missing = [p for p in plans if p.pk not in found]
    if missing:
        read = fys_with_data(missing)
        made = {p.pk: set(read.get(p.pk, set())) for p in missing}
        page_cache.keep_many((keys[pk], fys) for pk, fys in made.items())
        found.update(made)
    return found


def _board_body(request: HttpRequest, board: PlanBoard) -> str:
    """One plan's board below its FY select (rounds/progress/_dashboard_board.html)."""
    context = board_context(board)
    return render_to_string("rounds/progress/_dashboard_board.html", context, request=request)


def board_context(board: PlanBoard) -> dict:
    """What _dashboard_board.html shows of one plan's board."""
    pp = board.pp
    return {
        "b": board,
        "pp": pp,
        "band_names": pp.band_names,
        "plan": board.plan,
        **row_urls(board.plan),
    }
