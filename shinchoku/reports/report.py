"""The committee report (進行管理委員会 資料): a plan's progress for one FY, per 基本目標.

Built from `shinchoku.rounds.progress.plan_progress` with its default scope (approved sheets
only, whoever asks) and nothing else, so the HTML page, the PDF and the workbook say the same as
the progress pages, and a draft never reaches the committee. Rates and bands are computed in
`shinchoku.core.achievement`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shinchoku.core import signed
from shinchoku.core.evaluations import UNRATED
from shinchoku.core.forecast import AT_RISK, OFF_TRACK, ON_TRACK
from shinchoku.core.wareki import fy_label, fy_short, moment_label
from shinchoku.plans.models import IndicatorValue, Plan
from shinchoku.reports.templatetags.report_cells import cell
from shinchoku.reviews.listing import OpinionRow
from shinchoku.reviews.report import previous_opinions
from shinchoku.rounds.forecasts import IndicatorForecast, at_risk_in, judgement_label
from shinchoku.rounds.progress import (
    ContentProgress,
    GoalProgress,
    IndicatorProgress,
    ItemProgress,
    PlanProgress,
    ProjectProgress,
    band_class,
    plan_progress,
)
from shinchoku.rounds.reasons import reason_text
from shinchoku.rounds.services import bands_of

SAME = "同上"  # a note repeated from the row above, as the paper tables write it


class ReportError(Exception):
    """The report cannot be made; the message is Japanese and meant for the user."""


def percent(fraction: Decimal | None) -> str:
    """0.4591 → 45.9%, -0.5 → △50.0%; None → empty (core.signed)."""
    return signed.percent(fraction)


def wareki_datetime(moment: datetime) -> str:
    """令和8年12月2日(2026年12月2日) 09:53 (core.wareki.moment_label)."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return moment_label(local)


@dataclass
class Row:
    """One indicator line of a goal's table."""

    number: int
    ip: IndicatorProgress
    policy: str  # the 施策 the indicator sits under, when it is not the goal itself
    earlier: list[IndicatorValue | None]
    done: str
    next: str
    done_same: bool = False
    next_same: bool = False
    band_class: str = ""

    @property
    def name(self) -> str:
        return self.ip.indicator.name

    @property
    def department(self) -> str:
        return self.ip.department_name

    @property
    def rate(self) -> str:
        return percent(self.ip.judgement.rate)

    @property
    def progress(self) -> str:
        return percent(self.ip.judgement.progress)

    @property
    def band(self) -> str:
        return self.ip.judgement.band

    @property
    def reason(self) -> str:
        return reason_text(self.ip.judgement.note)

    @property
    def final_fy(self) -> int | None:
        return max(self.ip.targets) if self.ip.targets else None

    # -- the table's figure cells in the indicator's unit, each formatted once (issue 16) --

    @cached_property
    def baseline_cell(self) -> str:
        return _cell(self.ip.baseline, self.ip.unit)

    @cached_property
    def earlier_cells(self) -> list[str]:
        return [_cell(v, self.ip.unit) for v in self.earlier]

    @cached_property
    def actual_cell(self) -> str:
        return _cell(self.ip.actual, self.ip.unit)

    @cached_property
    def target_cell(self) -> str:
        return _cell(self.ip.target, self.ip.unit)

    @cached_property
    def final_cell(self) -> str:
        return _cell(self.ip.final, self.ip.unit)


def _cell(value: IndicatorValue | None, unit: str) -> str:
    """`report_cells.cell` of a value, made once per text and unit (a pure function of them)."""
    return "―" if value is None else _text_cell(str(value.text), unit)


@functools.lru_cache(maxsize=16384)
def _text_cell(text: str, unit: str) -> str:
    return cell(text, unit)


@dataclass
class ForecastRow:
    """One indicator of 「最終目標の達成見通し」: its forecast and its department."""

    number: int
    forecast: IndicatorForecast
    department: str

    @property
    def name(self) -> str:
        return self.forecast.indicator.name

    @property
    def band_class(self) -> str:
        """The report's colour for the outlook: amber for 要注意, red for 達成困難."""
        return "band-1" if self.forecast.judgement == AT_RISK else "band-2"


@dataclass
class GoalSection:
    """A 基本目標 with its indicator rows, item notes and contents behind schedule."""

    goal: GoalProgress
    heading: str
    rows: list[Row]
    behind: list[ContentProgress]
    items: list[ItemProgress]
    has_policy: bool = False

    @property
    def title(self) -> str:
        return self.goal.node.title

    @property
    def label(self) -> str:
        return self.goal.node.label

    @property
    def tally_rows(self) -> list[tuple[str, int]]:
        return self.goal.tally.rows()

    # --- plans without figures (issue 12) --------------------------------------------------

    @property
    def projects(self) -> list[ProjectProgress]:
        """Every reported 事業 below the goal, with its approved evaluations and texts."""
        return self.goal.projects

    def evaluation_rows(self, keys: list[str]) -> list[tuple[str, str, int]]:
        return self.goal.evaluations.rows(keys) if self.goal.evaluations else []

    @property
    def evaluation_total(self) -> int:
        return self.goal.evaluations.total if self.goal.evaluations else 0


@dataclass
class CommitteeReport:
    plan: Plan
    fy: int
    progress: PlanProgress
    goals: list[GoalSection]
    earlier_years: list[int]
    generated: datetime
    level_name: str
    baseline_heading: str
    final_fy: int | None  # when every indicator's final target is for the same FY
    has_fy_target: bool
    has_notes: bool = True  # some indicator has 取組状況 / 今後の展開 for the FY
    band_names: list[str] = field(default_factory=list)
    final_when_no_target: bool = False
    # 「前回の意見への対応」 (issue 13): the committee's opinions on FY - 1 and their answers.
    previous_opinions: list[OpinionRow] = field(default_factory=list)
    # 「最終目標の達成見通し」: the indicators whose final target is at risk as of the FY.
    at_risk: list[ForecastRow] = field(default_factory=list)

    @property
    def forecast_rules_text(self) -> str:
        """How the outlook is judged, in the plan's own thresholds."""
        t = self.progress.thresholds
        return _(
            "The outlook compares the pace of the actuals up to %(fy)s (their linear trend, or "
            "their yearly growth rate) with the pace still needed to reach the final target: "
            "“%(on_track)s” from %(on)s%%, “%(at_risk)s” from %(risk)s%%, “%(off_track)s” below."
        ) % {
            "fy": self.fy_short,
            "on_track": judgement_label(ON_TRACK),
            "at_risk": judgement_label(AT_RISK),
            "off_track": judgement_label(OFF_TRACK),
            "on": f"{(t.on_track * 100).normalize():f}",
            "risk": f"{(t.at_risk * 100).normalize():f}",
        }

    @property
    def baseline_says_estimate(self) -> bool:
        return "見込" in self.baseline_heading

    @property
    def title(self) -> str:
        return f"{self.plan.title} 進捗状況"

    @property
    def fy_label(self) -> str:
        return fy_label(self.fy)

    @property
    def fy_short(self) -> str:
        return fy_short(self.fy)

    @property
    def next_fy_short(self) -> str:
        return fy_short(self.fy + 1)

    @property
    def plan_year(self) -> int:
        return self.fy - self.plan.first_fy + 1

    @property
    def generated_text(self) -> str:
        return wareki_datetime(self.generated)

    @property
    def summary_rows(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """(goal label, counts per band) for the summary table and chart."""
        return [(g.label or g.title, g.tally_rows) for g in self.goals]

    @property
    def total_rows(self) -> list[tuple[str, int]]:
        return self.progress.total.rows()

    @property
    def baseline_heading_html(self) -> str:
        """平成29年度<br>(現状値): the heading breaks before its parenthesis."""
        head, sep, tail = self.baseline_heading.partition("(")
        return format_html("{}<br>({}", head, tail) if sep else self.baseline_heading

    @property
    def summary_title(self) -> str:
        return _("Judgements by %(level)s") % {"level": self.level_name}

    @property
    def rules_text(self) -> str:
        """How rates become bands, in the plan's own thresholds."""
        bands = self.progress.bands or bands_of(self.plan)
        parts = [
            _("“%(band)s” from %(rate)s%%") % {"rate": f"{(t * 100).normalize():f}", "band": name}
            for t, name in bands.thresholds
        ]
        parts.append(_("“%(band)s” below") % {"band": bands.below})
        return _("The judgement is %(rules)s.") % {"rules": _("、").join(parts)}

    @property
    def indicator_count(self) -> int:
        return sum(len(g.rows) for g in self.goals)

    # --- plans without figures (issue 12): summarised by the self-evaluation scale ---------

    @property
    def has_figures(self) -> bool:
        return self.progress.has_figures

    @property
    def evaluation_keys(self) -> list[str]:
        return self.progress.evaluation_keys

    @property
    def evaluation_labels(self) -> list[str]:
        """Column headings: "A 計画どおり実施" … for each key of the evaluation tables."""
        counts = self.progress.evaluations
        return [counts.label(k) if counts else k for k in self.evaluation_keys]

    @property
    def evaluation_summary(self) -> list[tuple[GoalSection, list[int]]]:
        """(goal, count per evaluation key) for the summary table."""
        keys = self.evaluation_keys
        return [(g, [n for _k, _l, n in g.evaluation_rows(keys)]) for g in self.goals]

    @property
    def evaluation_totals(self) -> list[int]:
        counts = self.progress.evaluations
        return [n for _k, _l, n in counts.rows(self.evaluation_keys)] if counts else []

    @property
    def evaluation_total(self) -> int:
        return self.progress.evaluations.total if self.progress.evaluations else 0

    @property
    def evaluation_chart_rows(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """(goal label, (evaluation, count)) for the stacked bars, 未評価 last (grey)."""
        names = self.evaluation_chart_names
        out = []
        for g in self.goals:
            counts = g.goal.evaluations
            rows = [(counts.label(k), counts.counts.get(k, 0)) for k in self.evaluation_keys]
            if UNRATED not in self.evaluation_keys:
                rows.append((UNRATED, 0))
            out.append((g.label or g.title, [r for r in rows if r[0] in names]))
        return out

    @property
    def evaluation_chart_title(self) -> str:
        return _("Self-evaluation by %(level)s") % {"level": self.level_name}

    @property
    def evaluation_chart_names(self) -> list[str]:
        labels = self.evaluation_labels
        return labels if UNRATED in self.evaluation_keys else [*labels, UNRATED]

    @property
    def scale(self) -> list[dict]:
        return self.progress.scale

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        """Content statuses of approved sheets that were reported, with their counts."""
        counts = self.progress.statuses
        return [r for r in counts.rows() if r[2]] if counts else []

    @property
    def project_count(self) -> int:
        return len(self.progress.projects)

    @property
    def project_level(self) -> str:
        levels = [p.node.level for p in self.progress.projects]
        return self.plan.level_name(max(levels)) if levels else self.level_name


def _forecast_rows(progress: PlanProgress) -> list[ForecastRow]:
    """The indicators at risk as of the report's FY, worst first (read from `progress`)."""
    if not progress.has_figures:
        return []
    departments = {ip.indicator.pk: ip.department_name for ip in progress.indicators}
    return [
        ForecastRow(n, f, departments.get(f.indicator.pk, ""))
        for n, f in enumerate(at_risk_in(progress), start=1)
    ]


def _heading(values: list[IndicatorValue], fallback: str) -> str:
    labels = {v.label or f"{fy_short(v.fy)}" for v in values}
    return labels.pop() if len(labels) == 1 else fallback


def committee_report(plan: Plan, fy: int, *, now: datetime | None = None) -> CommitteeReport:
    """Assemble the report for the plan and FY from approved data; ReportError when it can't."""
    if not plan.first_fy <= fy <= plan.last_fy:
        raise ReportError(
            f"{fy_label(fy)}は計画期間({fy_short(plan.first_fy)}〜{fy_short(plan.last_fy)})の外です。"
        )
    progress = plan_progress(plan, fy)  # approved sheets only, whoever asks
    has_data = (
        any(ip.actual is not None for ip in progress.indicators)
        or progress.contents
        or progress.items
    )
    if not has_data:
        raise ReportError(f"{fy_label(fy)}の承認済みの進捗データがありません。")
    earlier_years = sorted(
        {
            y
            for ip in progress.indicators
            for y in ip.actuals
            if y < fy and (ip.baseline is None or y != ip.baseline.fy)
        }
    )
    sections = []
    number = 0
    for goal in progress.goals:
        rows: list[Row] = []
        for ip in goal.indicators:
            number += 1
            node = ip.indicator.node
            policy = "" if node.id == goal.node.id else f"{node.label} {node.title}".strip()
            note = ip.note
            row = Row(
                number=number,
                ip=ip,
                policy=policy,
                earlier=[ip.actuals.get(y) for y in earlier_years],
                done=note.done.strip() if note else "",
                next=note.next.strip() if note else "",
                band_class=band_class(ip.judgement.band, progress.band_names),
            )
            if rows and row.done and row.done == rows[-1].done:
                row.done_same = True
            if rows and row.next and row.next == rows[-1].next:
                row.next_same = True
            rows.append(row)
        level = plan.level_name(goal.node.level)
        label = goal.node.label
        prefix = label if label.startswith(level) else f"{level} {label}".strip()
        sections.append(
            GoalSection(
                goal=goal,
                heading=f"{prefix} {goal.node.title}".strip(),
                rows=rows,
                behind=list(goal.behind),
                items=list(goal.items),
                has_policy=any(r.policy for r in rows),
            )
        )
    baselines = [ip.baseline for ip in progress.indicators if ip.baseline is not None]
    finals = [ip.final for ip in progress.indicators if ip.final is not None]
    final_fys = {f.fy for f in finals}
    final_fy = final_fys.pop() if len(final_fys) == 1 else None
    return CommitteeReport(
        plan=plan,
        fy=fy,
        progress=progress,
        goals=sections,
        earlier_years=earlier_years,
        generated=now or timezone.now(),
        level_name=plan.level_name(1),
        baseline_heading=_heading(baselines, "現状値"),
        final_fy=final_fy,
        has_fy_target=any(ip.target is not None for ip in progress.indicators),
        has_notes=any(r.done or r.next for g in sections for r in g.rows),
        band_names=progress.band_names,
        final_when_no_target=progress.final_when_no_target,
        previous_opinions=previous_opinions(plan, fy),
        at_risk=_forecast_rows(progress),
    )


def filename(report: CommitteeReport, ext: str) -> str:
    """A download name: 第四次…アクションプラン_令和元年度_委員会資料.pdf."""
    from shinchoku.core.filenames import plan_fy_name

    return plan_fy_name(report.plan.title, report.fy, "委員会資料", ext)


def ascii_filename(report: CommitteeReport) -> str:
    """The ASCII fallback name (without extension) for old clients."""
    return f"{report.plan.slug}_{report.fy}_report"
