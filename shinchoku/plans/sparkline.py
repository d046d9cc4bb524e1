"""A small chart of one indicator over the years, drawn on the server as inline SVG.

Actuals are a solid line with dots, targets a dashed line with hollow diamonds, the baseline a
dotted horizontal line. Only figures that parse as numbers are drawn; the text alternative
(<title>, aria-label) lists every figure drawn in words, so nothing depends on the picture.
Every text is escaped (names and figures come from uploaded data).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from shinchoku.core.signed import triangle
from shinchoku.core.wareki import fy_short
from shinchoku.plans.templatetags.figures import as_figure
from shinchoku.plans.templatetags.figures import in_unit_text as _in_unit_text

WIDTH, HEIGHT, PAD = 132, 36, 5
ACTUAL = "#1f5a96"  # 6.9:1 on white
TARGET = "#8a3c00"  # 7.6:1 on white
BASELINE = "#5c5c5c"
_ids = itertools.count(1)


def _number(value, unit: str) -> Decimal | None:
    """The figure in the indicator's unit, or None when it is not a number."""
    f = as_figure(value, unit)
    if f is None:
        return None
    v = f.converted if f.converted is not None else f.value
    return v.number if v.kind in ("number", "range") else None


def in_unit_text(value, unit: str) -> str:
    return triangle(_in_unit_text(value, unit))


def _c(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def sparkline_svg(row, name: str) -> SafeString:
    """The sparkline of an `IndicatorRow` (baseline, then per FY: target and actual)."""
    unit = row.unit
    years = [fy for fy, _t, _a in row.cells]
    actuals = [(fy, a, _number(a, unit)) for fy, _t, a in row.cells if a is not None]
    targets = [(fy, t, _number(t, unit)) for fy, t, _a in row.cells if t is not None]
    actuals = [p for p in actuals if p[2] is not None]
    targets = [p for p in targets if p[2] is not None]
    base = _number(row.baseline, unit) if row.baseline is not None else None
    numbers = [n for _fy, _v, n in actuals + targets] + ([base] if base is not None else [])
    if not numbers or not years:
        return mark_safe(
            f'<span class="spark-none">{escape(gettext("No figures to chart"))}</span>'
        )
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    span = float(high - low)
    step = (WIDTH - 2 * PAD) / max(len(years) - 1, 1)

    def x(fy: int) -> float:
        return PAD + step * years.index(fy) if len(years) > 1 else WIDTH / 2

    def y(n: Decimal) -> float:
        return HEIGHT - PAD - float(n - low) / span * (HEIGHT - 2 * PAD)

    parts = []
    words = []
    if base is not None:
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{_c(y(base))}" y2="{_c(y(base))}" '
            f'stroke="{BASELINE}" stroke-width="1" stroke-dasharray="1 2"/>'
        )
        words.append(gettext("baseline %(v)s") % {"v": in_unit_text(row.baseline, unit)})
    if targets:
        pts = " ".join(f"{_c(x(fy))},{_c(y(n))}" for fy, _v, n in targets)
        if len(targets) > 1:
            parts.append(
                f'<polyline points="{pts}" fill="none" stroke="{TARGET}" stroke-width="1.2" '
                f'stroke-dasharray="3 2"/>'
            )
        for fy, _v, n in targets:
            cx, cy = x(fy), y(n)
            parts.append(
                f'<path d="M{_c(cx)} {_c(cy - 3)}L{_c(cx + 3)} {_c(cy)}L{_c(cx)} {_c(cy + 3)}'
                f'L{_c(cx - 3)} {_c(cy)}Z" fill="#fff" stroke="{TARGET}" stroke-width="1.2"/>'
            )
        words.append(
            gettext("targets %(list)s")
            % {
                "list": "、".join(
                    f"{fy_short(fy)} {in_unit_text(v, unit)}" for fy, v, _n in targets
                )
            }
        )
    if actuals:
        pts = " ".join(f"{_c(x(fy))},{_c(y(n))}" for fy, _v, n in actuals)
        if len(actuals) > 1:
            parts.append(
                f'<polyline points="{pts}" fill="none" stroke="{ACTUAL}" stroke-width="1.8"/>'
            )
        for fy, _v, n in actuals:
            parts.append(f'<circle cx="{_c(x(fy))}" cy="{_c(y(n))}" r="2.4" fill="{ACTUAL}"/>')
        words.append(
            gettext("actuals %(list)s")
            % {
                "list": "、".join(
                    f"{fy_short(fy)} {in_unit_text(v, unit)}" for fy, v, _n in actuals
                )
            }
        )
    else:
        words.append(gettext("no approved actual yet"))
    uid = f"spark{next(_ids)}"
    title = escape(f"{name}: " + "。".join(words))
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{uid}-t"><title id="{uid}-t">{title}</title>' + "".join(parts) + "</svg>"
    )
