"""Early warning: will a numeric indicator reach its final target in the plan's final year?

Plain Python, no Django. Two views of the actuals so far, both extrapolated to the final FY:

- **Linear trend**: the least-squares line through the actuals (FY → value), its value in the
  final FY (`linear`), and its yearly slope compared with the yearly change still needed from
  the latest actual: ``linear_ratio = slope ÷ ((target − latest) ÷ (final FY − latest FY))``.
- **Compound growth** (only when every actual and the target are positive): the compound annual
  growth rate so far, from the first actual to the latest over n years,
  ``actual_cagr = (latest ÷ first)^(1/n) − 1``, and the rate still needed from the latest
  actual to reach the final target in the m years left,
  ``required_cagr = (target ÷ latest)^(1/m) − 1``. Their ratio (actual ÷ required) is the
  "ratio of actual to required growth" of the SDG progress assessment of UN ESCAP (Asia and the
  Pacific SDG Progress Report, methodological note: anticipated progress), which Statistics
  Canada uses for the Canadian Indicator Framework. The ratio is taken between the rates as
  logarithms (ln of the yearly factor), the continuous form of the CAGR: equal to the CAGR ratio
  to first order, and exactly the same for an increase and its mirrored decrease (1/x).

Judgement (codes, worded by the web layer), with ``Thresholds`` set per plan:

- ``ON_TRACK`` (達成見込み) when the latest actual already meets the final target; else when the
  linear forecast reaches it, or a ratio (linear or growth) is ≥ ``on_track`` (default 0.95:
  ESCAP's "on track, maintain progress");
- ``AT_RISK`` (要注意) when the better ratio is ≥ ``at_risk`` (default 0.5: ESCAP's "fair
  progress but acceleration needed");
- ``OFF_TRACK`` (達成困難) otherwise, including a series moving away from the target (ratio < 0)
  and a final FY reached without the target met.

The better of the two views decides: the plan's series are short (2–5 points) and the choice
of model should not raise an alarm by itself. Both directions are handled (lower is better: the
slope and the rates are negative, their ratios positive); 維持 counts as higher-or-equal.
Without a forecast — fewer than two numeric actuals, a text figure, no numeric final target, an
indicator not judged by number, units that cannot be converted — `reason` says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from shinchoku.core.achievement import DOWN, MISSING, NONE, NOT_A_NUMBER, NOT_BY_NUMBER
from shinchoku.core.values import ACTUAL, FINAL, INDICATOR, Reason, Value, incompatible, to_unit

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
JUDGEMENTS = (ON_TRACK, AT_RISK, OFF_TRACK)  # best first
# Reason code (besides achievement's NOT_BY_NUMBER, MISSING, NOT_A_NUMBER and values'
# INCOMPATIBLE_UNITS): fewer than two numeric actuals (`count`).
TOO_FEW_ACTUALS = "too_few_actuals"
_RATIO_PLACES = Decimal("1e-12")


@dataclass(frozen=True)
class Thresholds:
    """Ratio of actual to required progress: ≥ on_track → ON_TRACK, ≥ at_risk → AT_RISK."""

    on_track: Decimal = Decimal("0.95")
    at_risk: Decimal = Decimal("0.5")

    def __post_init__(self) -> None:
        if not (Decimal(0) < self.at_risk <= self.on_track):
            raise ValueError("しきい値は 0 < 要注意 ≤ 達成見込み としてください。")

    def level(self, ratio: Decimal | Fraction | None) -> str:
        if ratio is None:
            return OFF_TRACK
        ratio = Fraction(ratio)
        if ratio >= Fraction(self.on_track):
            return ON_TRACK
        if ratio >= Fraction(self.at_risk):
            return AT_RISK
        return OFF_TRACK


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Forecast:
    """The forecast of one indicator; figures in the indicator's unit, rates as fractions."""

    judgement: str | None = None  # ON_TRACK / AT_RISK / OFF_TRACK, None with a reason
    reason: Reason | None = None
    final_fy: int | None = None
    target: Decimal | None = None
    latest_fy: int | None = None
    latest: Decimal | None = None
    met: bool = False  # the latest actual already meets the final target
    linear: Decimal | None = None  # the linear trend's value in the final FY
    trend_at_latest: Decimal | None = None  # the trend line's value in the latest FY
    slope: Decimal | None = None  # per year
    linear_ratio: Decimal | None = None
    actual_cagr: Decimal | None = None
    required_cagr: Decimal | None = None
    growth_ratio: Decimal | None = None

    @property
    def determined(self) -> bool:
        return self.judgement is not None

    @property
    def warns(self) -> bool:
        """At risk or off track: the indicator belongs on a list of warnings."""
        return self.judgement in (AT_RISK, OFF_TRACK)


def _better(a: str, b: str) -> str:
    return a if JUDGEMENTS.index(a) <= JUDGEMENTS.index(b) else b


def _figure(value: Value | Decimal | int | None, unit: str, what: str, direction: str, ref_of: str):
    """(number, None) in `unit`, (None, None) when missing, or (None, reason)."""
    if value is None:
        return None, None
    if isinstance(value, (Decimal, int)):
        return Decimal(value), None
    if value.kind in ("empty", "none"):
        return None, None
    if not value.is_numeric() or value.number is None:
        return None, Reason.of(NOT_A_NUMBER, what=what, text=value.text)
    if unit:
        converted = to_unit(value, unit)
        if converted is None:
            return None, incompatible(what, value.unit, ref_of, unit)
        value = converted
    if value.kind == "range" and value.high is not None and direction == DOWN and what == FINAL:
        return value.high, None  # a range target is reached at its near end
    return value.number, None


def _reaches(value: Decimal | Fraction, target: Decimal | Fraction, direction: str) -> bool:
    return value <= target if direction == DOWN else value >= target


def _decimal(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(x.numerator) / Decimal(x.denominator)


def forecast(
    actuals: Mapping[int, Value | Decimal | None],
    final_target: Value | Decimal | None,
    final_fy: int,
    direction: str,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    unit: str = "",
) -> Forecast:
    """Forecast the indicator's value in `final_fy` from its actuals (FY → figure) and judge it.

    Every figure is taken in `unit` (when empty, the final target's unit); Values in other
    units convert when they can (千円, 万円, 円), else there is no forecast.
    """
    if direction == NONE:
        return Forecast(reason=Reason(NOT_BY_NUMBER), final_fy=final_fy)
    ref, ref_of = unit.strip(), INDICATOR
    if not ref and isinstance(final_target, Value) and final_target.is_numeric():
        ref, ref_of = final_target.unit, FINAL
    target, why = _figure(final_target, ref, FINAL, direction, ref_of)
    if why is not None:
        return Forecast(reason=why, final_fy=final_fy)
    if target is None:
        return Forecast(reason=Reason.of(MISSING, what=FINAL), final_fy=final_fy)
    series: list[tuple[int, Decimal]] = []
    for fy in sorted(actuals):
        number, why = _figure(actuals[fy], ref, ACTUAL, direction, ref_of)
        if why is not None:
            return Forecast(reason=why, final_fy=final_fy, target=target)
        if number is not None:
            series.append((fy, number))
    if len(series) < 2:
        reason = Reason.of(TOO_FEW_ACTUALS, count=str(len(series)))
        return Forecast(reason=reason, final_fy=final_fy, target=target)
    return _judge(series, target, final_fy, direction, thresholds)


def _judge(
    series: list[tuple[int, Decimal]],
    target: Decimal,
    final_fy: int,
    direction: str,
    thresholds: Thresholds,
) -> Forecast:
    latest_fy, latest = series[-1]
    base = {"final_fy": final_fy, "target": target, "latest_fy": latest_fy, "latest": latest}
    # Least squares in exact fractions, so that an exactly linear series forecasts exactly.
    xs = [Fraction(fy) for fy, _ in series]
    ys = [Fraction(y) for _, y in series]
    n = len(series)
    x_mean, y_mean = sum(xs) / n, sum(ys) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx
    linear = y_mean + slope * (final_fy - x_mean)
    at_latest = y_mean + slope * (latest_fy - x_mean)
    figures = {
        **base,
        "linear": _decimal(linear),
        "trend_at_latest": _decimal(at_latest),
        "slope": _decimal(slope),
    }
    if _reaches(latest, target, direction):
        return Forecast(ON_TRACK, met=True, **figures)
    if latest_fy >= final_fy:  # the final year has come without the target
        return Forecast(OFF_TRACK, **figures)
    years_left = final_fy - latest_fy
    t = Fraction(target)
    needed = (t - ys[-1]) / years_left  # per year, never zero here (target not met)
    linear_ratio = slope / needed
    judgement = thresholds.level(linear_ratio)
    if _reaches(linear, t, direction):
        judgement = ON_TRACK
    figures["linear_ratio"] = _decimal(linear_ratio).quantize(_RATIO_PLACES)
    first_fy, first = series[0]
    if first > 0 and target > 0 and all(y > 0 for _, y in series):
        with localcontext() as ctx:
            ctx.prec = 28
            done = latest / first
            still = target / latest
            years_so_far = Decimal(latest_fy - first_fy)
            actual_cagr = done ** (1 / years_so_far) - 1
            required_cagr = still ** (1 / Decimal(years_left)) - 1
            # Ratio of the continuous rates (see the module docstring).
            ratio = (done.ln() / years_so_far) / (still.ln() / years_left)
            growth_ratio = ratio.quantize(_RATIO_PLACES)
        figures.update(
            actual_cagr=actual_cagr, required_cagr=required_cagr, growth_ratio=growth_ratio
        )
        judgement = _better(judgement, thresholds.level(growth_ratio))
    return Forecast(judgement, **figures)
