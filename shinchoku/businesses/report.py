"""The 理事会 / 評議員会 report of an evaluation round: one row per business, and the summary.

Each row: 事業番号, 事業名, 担当課, 種別, the round's FY figures (決算額, 人工, フルコスト),
the three stages' judgements with their reasons and the 方向性. Only completed evaluations
(stage done) show judgements and reasons: the report is the same for every reader and goes to
the board, so an evaluation still under way is shown as 「評価中」 (with the stage it is at)
and left out of the summary counts, which say so. A fixed number of queries however many
businesses the round has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext

from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    EvaluationRound,
    Judgement,
    RegisterSettings,
    Stage,
)
from shinchoku.businesses.report_progress import RotationProgress, rotation_progress
from shinchoku.core.business_cost import amount_text, full_cost
from shinchoku.core.wareki import fy_short
from shinchoku.orgs.models import Organization

NONE_TEXT = "―"
TENTH = Decimal("0.1")
JUDGEMENTS: list[str] = [str(j.value) for j in Judgement]


def judgement_label(value: str) -> str:
    """The judgement as the reader's language writes it (拡充 in Japanese, "expand" in English)."""
    return str(dict(Judgement.choices).get(value, value))


@dataclass
class ReportRow:
    """One business of the round."""

    evaluation: BusinessEvaluation
    code: str
    name: str
    department: str
    kind: str
    settlement: Decimal | None
    staff_years: Decimal | None
    full_cost: Decimal | None
    done: bool

    @property
    def stage(self) -> str:
        return self.evaluation.get_stage_display()

    def _if_done(self, value: str) -> str:
        return value if self.done else ""

    @property
    def self_judgement(self) -> str:
        return self._if_done(self.evaluation.self_judgement)

    @property
    def chief_judgement(self) -> str:
        return self._if_done(self.evaluation.chief_judgement)

    @property
    def director_judgement(self) -> str:
        return self._if_done(self.evaluation.director_judgement)

    @property
    def self_reason(self) -> str:
        return self._if_done(self.evaluation.self_reason)

    @property
    def chief_reason(self) -> str:
        return self._if_done(self.evaluation.chief_reason)

    @property
    def director_reason(self) -> str:
        return self._if_done(self.evaluation.director_reason)

    @property
    def labels(self) -> tuple[str, str, str]:
        """The three judgements in the reader's language (blank until the evaluation is done)."""
        return (
            judgement_label(self.self_judgement),
            judgement_label(self.chief_judgement),
            judgement_label(self.director_judgement),
        )

    @property
    def settlement_text(self) -> str:
        return amount_text(self.settlement)

    @property
    def staff_years_text(self) -> str:
        return amount_text(self.staff_years)

    @property
    def full_cost_text(self) -> str:
        return amount_text(self.full_cost)


@dataclass
class DepartmentSummary:
    """A department's completed evaluations counted per 方向性, and those still under way."""

    name: str
    counts: Counter = field(default_factory=Counter)
    unfinished: int = 0

    @property
    def cells(self) -> list[int]:
        return [self.counts[j] for j in JUDGEMENTS]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class EvaluationReport:
    organization: Organization
    round: EvaluationRound
    rows: list[ReportRow]
    departments: list[DepartmentSummary]
    progress: RotationProgress | None
    staff_rate: Decimal
    generated: str

    @property
    def fy(self) -> int:
        return self.round.fiscal_year

    @property
    def title(self) -> str:
        """令和2年度（2020年度） 事務事業評価結果報告書 (English pages translate it)."""
        return gettext("%(fy)s Business evaluation results report") % {
            "fy": f"{fy_short(self.fy)}（{self.fy}年度）"
        }

    @property
    def judgements(self) -> list[str]:
        return [judgement_label(j) for j in JUDGEMENTS]

    @property
    def totals(self) -> list[int]:
        return [sum(d.counts[j] for d in self.departments) for j in JUDGEMENTS]

    @property
    def done_count(self) -> int:
        return sum(r.done for r in self.rows)

    @property
    def unfinished_count(self) -> int:
        return sum(not r.done for r in self.rows)

    @property
    def staff_rate_text(self) -> str:
        return amount_text(self.staff_rate)


def evaluation_report(round_: EvaluationRound) -> EvaluationReport:
    """The report of the round (`round_.organization` loaded)."""
    organization = round_.organization
    # read with the round (report_views.round_for), else on its own
    rate = RegisterSettings.rate_of(organization, getattr(round_, "staff_rate", None))
    # The round's FY's figures joined in (one row per business and FY): one query.
    evaluations = list(
        BusinessEvaluation.objects.filter(round=round_)
        .select_related("business__department", "business__kind")
        .annotate(
            year_of_round=FilteredRelation(
                "business__years", condition=Q(business__years__fiscal_year=round_.fiscal_year)
            ),
            settlement=F("year_of_round__settlement"),
            staff_years=F("year_of_round__staff_years"),
        )
        .order_by("business__department__order", "business__order", "business__code", "id")
    )
    rows: list[ReportRow] = []
    departments: dict[str, DepartmentSummary] = {}
    for e in evaluations:
        b: Business = e.business
        settlement, staff_years = e.settlement, e.staff_years
        done = e.stage == Stage.DONE
        rows.append(
            ReportRow(
                e,
                b.code,
                b.name,
                b.department.name,
                b.kind.name if b.kind else "",
                settlement,
                staff_years,
                full_cost(settlement, staff_years, rate),
                done,
            )
        )
        summary = departments.setdefault(b.department.name, DepartmentSummary(b.department.name))
        if done and e.director_judgement:
            summary.counts[e.director_judgement] += 1
        else:
            summary.unfinished += 1
    now = timezone.localtime()
    return EvaluationReport(
        organization,
        round_,
        rows,
        list(departments.values()),
        rotation_progress(organization, round_.fiscal_year),
        rate,
        f"{now.year}年{now.month}月{now.day}日",
    )
