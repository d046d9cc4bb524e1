"""What one user has to do, gathered in a fixed number of queries whatever the data's size.

Sections by what the user's role can do (a user gets every section that applies):
- sheets: the open rounds' sheets of the departments the user covers (部署担当, 承認者, and a
  管理者 with departments), most urgent first, with the handed-in ones apart;
- approvals: the submitted sheets of the departments an approver covers;
- rounds, late and opinions: each open round's progress, its late departments and the opinions
  not yet answered per plan, for the 管理者 of the organization and the federation operator
  (every organization, bounded to ROUND_LIMIT rounds and OPINION_LIMIT plans);
- reports: for 閲覧, the rounds whose committee report can be read;
- evaluations: the 事務事業評価 sheets waiting for the user in open evaluation rounds (自己評価
  for the department's 部署担当, 課長評価 for its 承認者, the 総合評価 for the 管理者), one query.
Who may open what is decided by shinchoku.accounts.permissions, as on the pages linked to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone

from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import department_ids, is_federation, membership
from shinchoku.businesses.models import BusinessEvaluation, EvaluationRound, Stage
from shinchoku.core import todo as core
from shinchoku.jobs.models import ReportJob
from shinchoku.jobs.report_jobs import job_url
from shinchoku.plans.access import may_see
from shinchoku.plans.models import Plan
from shinchoku.reviews.models import Opinion
from shinchoku.rounds.models import Report, Round

ROUND_LIMIT = 50  # open rounds shown to a 管理者 / the operator
LATE_LIMIT = 500  # late sheets read in all (their number per round comes from the counts)
LATE_NAMES = 10  # late departments named per round
OPINION_LIMIT = 50  # plans with unanswered opinions
REPORT_LIMIT = 20  # rounds with a report ready to read
ASSIGNED_LIMIT = 20  # opinions assigned to the user's departments
EVALUATION_LIMIT = 30  # evaluation sheets waiting for the user
WAITING = (Opinion.Status.OPEN, Opinion.Status.IN_PROGRESS)  # without an answer yet
STATUS_NAMES = dict(Report.Status.choices)


@dataclass
class Sheet:
    """One department's sheet in an open round, seen from today."""

    report: Report
    deadline: core.Deadline

    @property
    def round(self) -> Round:
        return self.report.round

    @property
    def plan(self) -> Plan:
        return self.report.round.plan

    @property
    def url(self) -> str:
        return sheet_url(self.report)

    @property
    def late(self) -> bool:
        return core.is_late(self.report.status, self.round.deadline, self.deadline.today)

    @property
    def urgency(self) -> core.Urgency:
        return core.urgency(self.report.status, self.round.deadline, self.deadline.today)


@dataclass
class RoundProgress:
    """An open round's sheets by status, and the departments late with theirs."""

    round: Round
    deadline: core.Deadline
    counts: dict[str, int]
    late: list[Report] = field(default_factory=list)  # at most LATE_NAMES
    n_late: int = 0

    @property
    def plan(self) -> Plan:
        return self.round.plan

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def segments(self) -> list[tuple[core.Segment, str]]:
        """The bar: each status's share with its name."""
        return [(seg, STATUS_NAMES[seg.status]) for seg in core.progress(self.counts)]

    def n(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def n_approved(self) -> int:
        return self.n(core.APPROVED)

    @property
    def n_submitted(self) -> int:
        return self.n(core.SUBMITTED)

    @property
    def n_in_progress(self) -> int:
        return self.n(core.DRAFT) + self.n(core.RETURNED)

    @property
    def n_not_started(self) -> int:
        return self.n(core.NOT_STARTED)

    @property
    def more_late(self) -> int:
        return self.n_late - len(self.late)

    @property
    def board_url(self) -> str:
        return board_url(self.round)


@dataclass
class PlanOpinions:
    slug: str
    title: str
    organization: str
    n_open: int  # 未対応
    n_in_progress: int  # 対応中

    @property
    def list_url(self) -> str:
        return reverse("reviews:list", args=[self.slug])

    @property
    def open_url(self) -> str:
        return f"{self.list_url}?status={Opinion.Status.OPEN}"


@dataclass
class ReadyReport:
    round: Round

    @property
    def plan(self) -> Plan:
        return self.round.plan

    @property
    def url(self) -> str:
        if self.round.is_final:
            return reverse("reports:final", args=[self.plan.slug])
        return reverse("reports:committee", args=[self.plan.slug, self.round.fy])

    @property
    def public_url(self) -> str:
        """The public page of the year, when it is public (published and closed, yearly)."""
        r = self.round
        if r.published and not r.is_open and not r.is_final and not self.plan.is_draft:
            return reverse("public:plan", args=[self.plan.slug]) + f"?fy={r.fy}"
        return ""


@dataclass(frozen=True)
class JobLine:
    """A report PDF the user asked for: ready, still being made, or failed (with a retry)."""

    job: ReportJob
    url: str
    ready: bool


JOB_DAYS = 7  # report PDFs asked for in the last week
JOB_LIMIT = 5


@dataclass
class Todo:
    today: date
    reports_for: bool = False  # the user reports for departments
    approves: bool = False
    administers: bool = False
    operator: bool = False  # the federation operator: every organization
    reads: bool = False
    sheets: list[Sheet] = field(default_factory=list)  # still to do, most urgent first
    done: list[Sheet] = field(default_factory=list)  # handed in
    approvals: list[Sheet] = field(default_factory=list)
    rounds: list[RoundProgress] = field(default_factory=list)
    more_rounds: bool = False  # more than ROUND_LIMIT open rounds
    opinions: list[PlanOpinions] = field(default_factory=list)
    reports: list[ReadyReport] = field(default_factory=list)
    assigned: list[Opinion] = field(default_factory=list)  # to the user's departments, unanswered
    more_assigned: bool = False
    jobs: list[JobLine] = field(default_factory=list)  # the user's recent report PDFs
    evaluations: list[BusinessEvaluation] = field(default_factory=list)  # 事務事業評価 sheets
    more_evaluations: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to show in any section."""
        return not (
            self.sheets
            or self.done
            or self.approvals
            or self.rounds
            or self.opinions
            or self.reports
            or self.assigned
            or self.jobs
            or self.evaluations
        )


def sheet_url(report: Report) -> str:
    plan = report.round.plan
    if report.round.is_final:
        return reverse("rounds:final_sheet", args=[plan.slug, report.department_id])
    return reverse("rounds:sheet", args=[plan.slug, report.round.fy, report.department_id])


def board_url(round_: Round) -> str:
    if round_.is_final:
        return reverse("rounds:final_board", args=[round_.plan.slug])
    return reverse("rounds:board", args=[round_.plan.slug, round_.fy])


def todo_for(user: Any, today: date) -> Todo:
    """Everything the user has to do or may read next, as of today."""
    todo = Todo(today=today)
    operator = is_federation(user)
    member = membership(user)
    mine = sorted(department_ids(user))
    if member is not None:
        todo.reports_for = bool(mine) and member.role in (Role.STAFF, Role.APPROVER, Role.ADMIN)
        todo.approves = bool(mine) and member.role == Role.APPROVER
        todo.reads = member.role == Role.VIEWER
        if todo.reports_for:
            _sheets(todo, user, member.organization_id, mine)
            _assigned(todo, member.organization_id, mine)
        if todo.reads:
            _reports(todo, user, member.organization_id)
    todo.operator = operator
    todo.administers = operator or (member is not None and member.role == Role.ADMIN)
    if todo.administers:
        org = None if operator else member.organization_id
        _rounds(todo, org)
        _opinions(todo, org)
    if member is not None:
        _evaluations(todo, member, mine)
    _jobs(todo, user)
    return todo


def _evaluations(todo: Todo, member: Any, mine: list[int]) -> None:
    """The evaluation sheets at the user's stage in the organization's open rounds (one query):
    自己評価 for 部署担当 and 課長評価 for 承認者 of their departments (or 係 under their 課), the
    総合評価 for the 管理者."""
    covered = Q(business__department_id__in=mine) | Q(business__department__parent_id__in=mine)
    if member.role == Role.ADMIN:
        waiting = Q(stage=Stage.DIRECTOR)
    elif member.role == Role.STAFF and mine:
        waiting = Q(stage=Stage.SELF) & covered
    elif member.role == Role.APPROVER and mine:
        waiting = Q(stage=Stage.CHIEF) & covered
    else:
        return
    sheets = list(
        BusinessEvaluation.objects.filter(
            waiting,
            round__organization_id=member.organization_id,
            round__status=EvaluationRound.Status.OPEN,
        )
        .select_related("round__organization", "business__department")
        .order_by("round__fiscal_year", "business__order", "business_id")[: EVALUATION_LIMIT + 1]
    )
    todo.more_evaluations = len(sheets) > EVALUATION_LIMIT
    todo.evaluations = sheets[:EVALUATION_LIMIT]


def _jobs(todo: Todo, user: Any) -> None:
    """The user's report PDFs of the last week, newest first, in one query."""
    since = timezone.now() - timedelta(days=JOB_DAYS)
    jobs = (
        ReportJob.objects.filter(user=user, created__gte=since)
        .select_related("plan")
        .defer("html", "pdf")
        .annotate(has_pdf=ExpressionWrapper(Q(pdf__isnull=False), output_field=BooleanField()))
        .order_by("-created")[:JOB_LIMIT]
    )
    todo.jobs = [
        JobLine(job, job_url(job), job.state == ReportJob.State.DONE and job.has_pdf)
        for job in jobs
        if may_see(user, job.plan)
    ]


def _sheets(todo: Todo, user: Any, org: int, mine: list[int]) -> None:
    """The open rounds' sheets of the departments the user works in (or of 係 under its 課)."""
    reports = (
        Report.objects.filter(round__status=Round.Status.OPEN, round__plan__organization_id=org)
        .filter(Q(department_id__in=mine) | Q(department__parent_id__in=mine))
        .select_related("round__plan__organization", "department")
    )
    sheets = [
        Sheet(r, core.Deadline(r.round.deadline, todo.today))
        for r in reports
        if may_see(user, r.round.plan)
    ]
    ordered = core.by_urgency(
        sheets,
        lambda s: (s.report.status, s.round.deadline, f"{s.plan.title} {s.report.department.name}"),
        todo.today,
    )
    todo.sheets, done = core.split_done(ordered, lambda s: s.report.status)
    if todo.approves:
        todo.approvals = [s for s in done if s.report.status == core.SUBMITTED]
        # Waiting for this approver: listed once, under the approvals.
        done = [s for s in done if s.report.status != core.SUBMITTED]
    todo.done = done


def _answerable(opinions):
    """Opinions of plans that have them: not drafts, not registered plans of other bodies."""
    return opinions.filter(plan__owner_name="").exclude(plan__status=Plan.Status.DRAFT)


def _assigned(todo: Todo, org: int, mine: list[int]) -> None:
    """The opinions assigned to the user's departments (or 係 under its 課) still to answer."""
    opinions = list(
        _answerable(Opinion.objects.filter(status__in=WAITING, plan__organization_id=org))
        .filter(Q(department_id__in=mine) | Q(department__parent_id__in=mine))
        .select_related("plan", "department")
        .order_by("-fy", "plan__title", "number")[: ASSIGNED_LIMIT + 1]
    )
    todo.more_assigned = len(opinions) > ASSIGNED_LIMIT
    todo.assigned = opinions[:ASSIGNED_LIMIT]


def _open_rounds(org: int | None):
    rounds = Round.objects.filter(status=Round.Status.OPEN)
    if org is not None:
        rounds = rounds.filter(plan__organization_id=org)
    return rounds


def _rounds(todo: Todo, org: int | None) -> None:
    """Each open round with its counts by status, and its late departments (two queries)."""
    per_status = {
        f"n_{status}": Count("reports", filter=Q(reports__status=status))
        for status in Report.Status.values
    }
    rounds = list(
        _open_rounds(org)
        .select_related("plan__organization")
        .annotate(**per_status)
        .order_by("deadline", "plan__organization__name", "plan__title", "kind")[: ROUND_LIMIT + 1]
    )
    todo.more_rounds = len(rounds) > ROUND_LIMIT
    rounds = rounds[:ROUND_LIMIT]
    if not rounds:
        return
    counts = {
        r.pk: {s: getattr(r, f"n_{s}") for s in Report.Status.values if getattr(r, f"n_{s}")}
        for r in rounds
    }
    late_ids = [r.pk for r in rounds if r.deadline < todo.today]
    late: dict[int, list[Report]] = defaultdict(list)
    if late_ids:
        for rep in (
            Report.objects.filter(round_id__in=late_ids, status__in=core.TO_DO)
            .select_related("department")
            .order_by("round_id", "department__order", "department__id")[:LATE_LIMIT]
        ):
            late[rep.round_id].append(rep)
    for r in rounds:
        c = counts.get(r.pk, {})
        n_late = sum(c.get(s, 0) for s in core.TO_DO) if r.deadline < todo.today else 0
        names = late.get(r.pk, [])[:LATE_NAMES]
        for rep in names:
            rep.round = r
        todo.rounds.append(
            RoundProgress(r, core.Deadline(r.deadline, todo.today), c, names, n_late)
        )


def _opinions(todo: Todo, org: int | None) -> None:
    """The opinions not yet answered (未対応, 対応中), counted per plan (one query)."""
    opinions = _answerable(Opinion.objects.filter(status__in=WAITING))
    if org is not None:
        opinions = opinions.filter(plan__organization_id=org)
    rows = (
        opinions.values("plan__slug", "plan__title", "plan__organization__name")
        .annotate(
            n_open=Count("id", filter=Q(status=Opinion.Status.OPEN)),
            n_in_progress=Count("id", filter=Q(status=Opinion.Status.IN_PROGRESS)),
        )
        .order_by("plan__organization__name", "plan__title")[:OPINION_LIMIT]
    )
    todo.opinions = [
        PlanOpinions(
            r["plan__slug"],
            r["plan__title"],
            r["plan__organization__name"],
            r["n_open"],
            r["n_in_progress"],
        )
        for r in rows
    ]


def _reports(todo: Todo, user: Any, org: int) -> None:
    """Rounds whose committee report reads approved sheets: closed, or every sheet approved."""
    rounds = (
        Round.objects.filter(plan__organization_id=org)
        .annotate(
            n_sheets=Count("reports"),
            n_approved=Count("reports", filter=Q(reports__status=Report.Status.APPROVED)),
        )
        .filter(n_approved__gt=0)
        .select_related("plan__organization")
        .order_by("-fy", "plan__title", "kind")
    )
    ready = [
        ReadyReport(r)
        for r in rounds[: REPORT_LIMIT * 2]
        if may_see(user, r.plan)
        and core.report_ready(closed=not r.is_open, sheets=r.n_sheets, approved=r.n_approved)
    ]
    todo.reports = ready[:REPORT_LIMIT]
