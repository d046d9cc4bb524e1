"""Achievement of numeric targets: 達成率, progress toward the final target, bands and roll-ups.

Plain Python, no Django. The rules (documented for the committee, who read the figures):

- 達成率 (rate) for a fiscal year compares that year's actual with that year's target:
  higher is better (上昇) and keep (維持: holding the level counts as reaching it): actual ÷ target;
  lower is better (低下): target ÷ actual, so that 100% still means "reached" and less is worse.
  A range target (4~6回) is reached at its near end: the low end when higher is better, the high
  end when lower is better.
- Progress toward the final target = (actual − baseline) ÷ (final target − baseline); the same
  formula holds in both directions because numerator and denominator change sign together.
- Nothing is computed — the band is 判定不可 with the reason — for a text target or actual, a
  missing value, an indicator not judged by number (なし), or units that cannot be converted
  (千円, 万円 and 円 convert exactly; 件 and 人 do not).
- A ratio means something only between positive figures: with a zero or negative target (or a
  negative actual; a zero actual when lower is better) the actual is compared with the target
  instead — reached or not — and the rate stays empty.
- Bands: the first threshold the rate reaches, from the top (default ≥100% 達成, ≥80% 概ね達成,
  otherwise 未達成); thresholds and names are set per plan.
- A year without a target of its own (a plan may set only its last one) is not judged, unless the
  plan chooses to compare such years with the final target (`final_when_no_target`); the
  judgement then says so (`against_final`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from shinchoku.core.values import (
    ACTUAL,
    BASELINE,
    FINAL,
    INDICATOR,
    TARGET,
    Reason,
    Value,
    incompatible,
    to_unit,
)

UP, DOWN, KEEP, NONE = "up", "down", "keep", "none"
UNDETERMINED = "判定不可"
DEFAULT_FLAGGED_STATUSES = frozenset({"遅れ", "未実施"})
# Reason codes of a judgement (besides core.values' INCOMPATIBLE_UNITS), worded by the web
# layer (shinchoku.rounds.reasons): an indicator not judged by number, a missing figure
# (`what`), a figure written as text (`what`, `text`), and the note of a year compared with
# the final target.
NOT_BY_NUMBER = "not_by_number"
MISSING = "missing"
NOT_A_NUMBER = "not_a_number"
AGAINST_FINAL = "against_final"


@dataclass(frozen=True)
class Bands:
    """Thresholds (rate ≥ threshold → name), highest first, and the names below and undetermined."""

    thresholds: tuple[tuple[Decimal, str], ...] = (
        (Decimal("1"), "達成"),
        (Decimal("0.8"), "概ね達成"),
    )
    below: str = "未達成"
    undetermined: str = UNDETERMINED
    # Compare a year that has no target of its own with the final target.
    final_when_no_target: bool = False

    def __post_init__(self) -> None:
        limits = [t for t, _ in self.thresholds]
        if limits != sorted(limits, reverse=True) or len(set(limits)) != len(limits):
            raise ValueError("しきい値は大きい順に、重ならないように並べてください。")

    @property
    def names(self) -> list[str]:
        """Every band name, best first, undetermined last."""
        return [name for _, name in self.thresholds] + [self.below, self.undetermined]

    @property
    def reached(self) -> str:
        return self.thresholds[0][1] if self.thresholds else self.below

    def band(self, rate: Decimal) -> str:
        for threshold, name in self.thresholds:
            if rate >= threshold:
                return name
        return self.below


DEFAULT_BANDS = Bands()


@dataclass(frozen=True)
class Judgement:
    """The result for one indicator and FY; rate and progress are fractions (1 = 100%)."""

    band: str
    rate: Decimal | None = None
    progress: Decimal | None = None
    reason: Reason | None = None  # why nothing could be computed
    against_final: bool = False  # judged against the final target (the year had none)

    @property
    def determined(self) -> bool:
        return self.reason is None

    @property
    def note(self) -> Reason | None:
        """What a reader should know beside the band: why it is undetermined, or that the year
        was compared with the final target."""
        if self.reason is not None:
            return self.reason
        return Reason(AGAINST_FINAL) if self.against_final else None


def _number(value: Value | None, direction: str, role: str) -> Decimal | None:
    """The figure to compare: a range counts at its near end for the direction."""
    if value is None or not value.is_numeric() or value.number is None:
        return None
    if value.kind == "range" and value.high is not None and role == "target" and direction == DOWN:
        return value.high
    return value.number


def _why_not(value: Value | None, what: str) -> Reason:
    if value is None or value.kind in ("empty", "none"):
        return Reason.of(MISSING, what=what)
    return Reason.of(NOT_A_NUMBER, what=what, text=value.text)


def _reference(unit: str, values: tuple[tuple[str, Value | None], ...]) -> tuple[str, str]:
    """(unit, what it belongs to) that every figure is judged in: the indicator's, else the
    unit of the first figure that has one (target, final target, baseline, actual)."""
    if unit and unit.strip():
        return unit.strip(), INDICATOR
    for what, value in values:
        if value is not None and value.is_numeric() and value.unit:
            return value.unit, what
    return "", INDICATOR


def _in(value: Value | None, unit: str) -> Value | None:
    """The value in `unit` when it converts (a bare number takes it); else the value unchanged
    (text, empty, none: _why_not explains it)."""
    if value is None or not value.is_numeric():
        return value
    return to_unit(value, unit) or value


def judge(
    direction: str,
    actual: Value | None,
    target: Value | None,
    *,
    baseline: Value | None = None,
    final: Value | None = None,
    bands: Bands = DEFAULT_BANDS,
    unit: str = "",
) -> Judgement:
    """Judge one actual against its FY target (and, when given, the baseline and final target).

    Every figure is judged in `unit`, the indicator's unit (when it has none, the unit of its
    target): yen units convert exactly, a bare number takes the unit, and a figure in a unit
    that cannot be converted makes the judgement 判定不可 with a reason naming both units.
    """
    if direction == NONE:
        return Judgement(bands.undetermined, reason=Reason(NOT_BY_NUMBER))
    ref, against = _reference(
        unit, ((TARGET, target), (FINAL, final), (BASELINE, baseline), (ACTUAL, actual))
    )
    if actual is not None and actual.is_numeric() and to_unit(actual, ref) is None:
        return Judgement(bands.undetermined, reason=incompatible(ACTUAL, actual.unit, against, ref))
    actual = _in(actual, ref)
    a = _number(actual, direction, "actual")
    if a is None:
        return Judgement(bands.undetermined, reason=_why_not(actual, ACTUAL))
    baseline, final = _in(baseline, ref), _in(final, ref)
    against_final = False
    if target is not None and target.is_numeric() and to_unit(target, ref) is None:
        return Judgement(bands.undetermined, reason=incompatible(TARGET, target.unit, against, ref))
    target = _in(target, ref)
    t = _number(target, direction, "target")
    if t is None and bands.final_when_no_target and _converted(final, ref):
        target, t, against_final = final, _number(final, direction, "target"), True
    if t is None:
        # No target for the year (a plan may set only its last one): no band, but the
        # progress toward the final target still says how far the figure has come.
        progress = _progress(a, ref, baseline, final, direction)
        return Judgement(bands.undetermined, None, progress, reason=_why_not(target, TARGET))
    progress = _progress(a, ref, baseline, final, direction)
    if direction == DOWN:
        if a <= 0 or t < 0:  # no meaningful ratio: compare only
            reached = bands.reached if a <= t else bands.below
            return Judgement(reached, None, progress, against_final=against_final)
        rate = t / a
    else:
        if t <= 0 or a < 0:
            reached = bands.reached if a >= t else bands.below
            return Judgement(reached, None, progress, against_final=against_final)
        rate = a / t
    return Judgement(bands.band(rate), rate, progress, against_final=against_final)


def _converted(value: Value | None, unit: str) -> bool:
    """A numeric value now in `unit` (after _in)."""
    return (
        value is not None
        and value.is_numeric()
        and value.number is not None
        and to_unit(value, unit) is not None
    )


def _progress(
    actual: Decimal,
    unit: str,
    baseline: Value | None,
    final: Value | None,
    direction: str,
) -> Decimal | None:
    """(actual − baseline) ÷ (final − baseline), every figure in `unit`; None when one is
    missing or in a unit that cannot be converted."""
    if not (_converted(baseline, unit) and _converted(final, unit)):
        return None
    b = _number(baseline, direction, "baseline")
    f = _number(final, direction, "target")
    if b is None or f is None or f == b:
        return None
    return (actual - b) / (f - b)


# --------------------------------------------------------------------------- roll-ups


@dataclass
class Tally:
    """Counts per band, in the bands' order."""

    bands: Bands = DEFAULT_BANDS
    counts: Counter = field(default_factory=Counter)

    def add(self, band: str, n: int = 1) -> None:
        self.counts[band] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[tuple[str, int]]:
        return [(name, self.counts.get(name, 0)) for name in self.bands.names]


def roll_up(
    parents: Mapping[int, int | None],
    judged: Iterable[tuple[int, str]],
    bands: Bands = DEFAULT_BANDS,
) -> dict[int, Tally]:
    """Counts per band for every node, its own indicators and everything below it.

    parents maps each node to its parent (None at the top); judged gives (node, band) for each
    judged indicator. Every node of `parents` gets a tally, empty when nothing is below it.
    """
    tallies = {node: Tally(bands) for node in parents}
    for node, band in judged:
        seen: set[int] = set()
        current: int | None = node
        while current is not None and current not in seen:
            seen.add(current)
            tallies.setdefault(current, Tally(bands)).add(band)
            current = parents.get(current)
    return tallies


def by_group(judged: Iterable[tuple[str, str]], bands: Bands = DEFAULT_BANDS) -> dict[str, Tally]:
    """Counts per band for each group (a department), from (group, band) pairs."""
    out: dict[str, Tally] = {}
    for group, band in judged:
        out.setdefault(group, Tally(bands)).add(band)
    return out


def flagged(status: str, flagged_statuses: Iterable[str] = DEFAULT_FLAGGED_STATUSES) -> bool:
    """A content whose reported status needs attention (遅れ, 未実施 by default)."""
    return status in set(flagged_statuses)
