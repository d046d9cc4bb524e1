"""Early warning for a plan: each numeric indicator's forecast for its final target's FY.

The forecast and its judgement come from `core.forecast` (plain Python); this module reads the
plan's indicators and their approved actuals in two queries (and the plan's thresholds,
`PlanSettings.forecast_thresholds`, in one more unless given) and words the judgement codes in
the reader's language (達成見込み / 要注意 / 達成困難). A page that already holds the plan's
progress (`plan_progress`) takes its warnings from it with `at_risk_in`, reading nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext, pgettext

from shinchoku.core import forecast as core
from shinchoku.core.forecast import Forecast, Thresholds
from shinchoku.core.signed import signed
from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.rounds.models import PlanSettings
from shinchoku.rounds.progress import PlanProgress, unit_of
from shinchoku.rounds.reasons import reason_text

ROLE = IndicatorValue.Role


def judgement_label(code: str | None) -> str:
    """A judgement code in the active language ("" for none)."""
    labels = {
        core.ON_TRACK: pgettext("forecast", "On track"),
        core.AT_RISK: pgettext("forecast", "At risk"),
        core.OFF_TRACK: pgettext("forecast", "Off track"),
    }
    return labels.get(code or "", "")


def forecast_reason_text(forecast: Forecast) -> str:
    """Why there is no forecast, in the active language ("" when there is one)."""
    reason = forecast.reason
    if reason is None:
        return ""
    if reason.code == core.TOO_FEW_ACTUALS:
        return gettext("A forecast needs at least two actuals (%(count)s so far).") % {
            "count": reason.args.get("count", "0")
        }
    return reason_text(reason)


@dataclass(frozen=True)
class IndicatorForecast:
    """One indicator's forecast, with the words a page shows."""

    indicator: Indicator
    unit: str
    forecast: Forecast

    @property
    def judgement(self) -> str | None:
        return self.forecast.judgement

    @property
    def label(self) -> str:
        return judgement_label(self.forecast.judgement)

    @property
    def reason(self) -> str:
        return forecast_reason_text(self.forecast)

    @property
    def status(self) -> str:
        """The badge's status class: forecast-on_track, forecast-at_risk, forecast-off_track."""
        return f"forecast-{self.forecast.judgement or 'none'}"

    @property
    def warns(self) -> bool:
        return self.forecast.warns

    @property
    def places(self) -> int:
        figures = [x for x in (self.forecast.latest, self.forecast.target) if x is not None]
        return max((-min(int(x.as_tuple().exponent), 0) for x in figures), default=0)

    @property
    def linear_text(self) -> str:
        """The linear forecast for the final FY, as precise as the figures it comes from."""
        f = self.forecast
        return "" if f.linear is None else signed(f.linear, self.unit, places=self.places)

    @property
    def latest_text(self) -> str:
        """The latest actual the forecast starts from, in the same precision."""
        f = self.forecast
        return "" if f.latest is None else signed(f.latest, self.unit, places=self.places)

    @property
    def target_text(self) -> str:
        """The final target the forecast is judged against, in the same precision."""
        f = self.forecast
        return "" if f.target is None else signed(f.target, self.unit, places=self.places)


def thresholds_of(plan: Plan) -> Thresholds:
    """The plan's early-warning thresholds (its progress settings; one query)."""
    return PlanSettings.of(plan).forecast_thresholds


def forecast_of(
    indicator: Indicator,
    thresholds: Thresholds | None = None,
    *,
    last_fy: int | None = None,
    up_to_fy: int | None = None,
) -> IndicatorForecast:
    """Forecast one indicator from its prefetched values (`prefetch_related("values")`).

    Judged with `thresholds`, else its plan's (read here: pass them when already loaded).

    The final FY is its final target's; without a target, `last_fy` (else its plan's last FY).
    With `up_to_fy`, only the actuals up to that FY count (a year's progress view or report
    forecasts as that year saw it, not with later years' actuals).
    """
    values = list(indicator.values.all())
    baseline = next((v for v in values if v.role == ROLE.BASELINE), None)
    targets = {v.fy: v for v in values if v.role == ROLE.TARGET}
    actuals = {
        v.fy: v for v in values if v.role == ROLE.ACTUAL and (up_to_fy is None or v.fy <= up_to_fy)
    }
    unit = unit_of(indicator, baseline, targets, actuals)
    if thresholds is None:
        thresholds = thresholds_of(indicator.plan)
    return _forecast(indicator, unit, targets, actuals, thresholds, last_fy)


def _forecast(
    indicator: Indicator,
    unit: str,
    targets: dict[int, IndicatorValue],
    actuals: dict[int, IndicatorValue],
    thresholds: Thresholds,
    last_fy: int | None,
) -> IndicatorForecast:
    """forecast_of, from the indicator's values sorted out and its unit."""
    final_fy = max(targets) if targets else (last_fy or indicator.plan.last_fy)
    final = targets[final_fy].parsed if targets else None
    result = core.forecast(
        {fy: v.parsed for fy, v in actuals.items()},
        final,
        final_fy,
        indicator.direction,
        thresholds=thresholds,
        unit=unit,
    )
    return IndicatorForecast(indicator, unit, result)


def forecasts_for(
    plan: Plan, thresholds: Thresholds | None = None, *, up_to_fy: int | None = None
) -> list[IndicatorForecast]:
    """Every indicator of the plan judged by number, forecast; two queries whatever its size
    (three without `thresholds`: the plan's are read once)."""
    if thresholds is None:
        thresholds = thresholds_of(plan)
    indicators = (
        Indicator.objects.filter(plan=plan)
        .exclude(direction=Indicator.Direction.NONE)
        .select_related("plan", "node", "department")
        .prefetch_related("values")
        .order_by("node__seq", "order", "pk")
    )
    return [forecast_of(indicator, thresholds, up_to_fy=up_to_fy) for indicator in indicators]


def _worst_first(forecasts: Iterable[IndicatorForecast]) -> list[IndicatorForecast]:
    order = {core.OFF_TRACK: 0, core.AT_RISK: 1}
    warned = [f for f in forecasts if f.warns]
    return sorted(warned, key=lambda f: order[f.forecast.judgement or ""])


def at_risk(
    plan: Plan, thresholds: Thresholds | None = None, *, up_to_fy: int | None = None
) -> list[IndicatorForecast]:
    """The indicators whose forecast warns (要注意 or 達成困難), 達成困難 first."""
    return _worst_first(forecasts_for(plan, thresholds, up_to_fy=up_to_fy))


def at_risk_in(pp: PlanProgress) -> list[IndicatorForecast]:
    """The warnings of a plan's progress as of its FY, from what `plan_progress` read (no query).

    Judged with the plan's thresholds, which `plan_progress` read with its settings.
    """
    last_fy = pp.plan.last_fy
    forecasts = []
    for ip in pp.indicators:  # their values already sorted out (forecast_of with up_to_fy)
        if ip.indicator.direction == Indicator.Direction.NONE:
            continue
        actuals = {fy: v for fy, v in ip.actuals.items() if fy <= pp.fy}
        if len(actuals) == len(ip.actuals):
            unit = ip.unit  # the same values: the same unit
        else:
            unit = unit_of(ip.indicator, ip.baseline, ip.targets, actuals)
        forecasts.append(_forecast(ip.indicator, unit, ip.targets, actuals, pp.thresholds, last_fy))
    return _worst_first(forecasts)
