"""reports/charts.py before issue 16 (its indicator chart and table), kept as the oracle of
tests/reports/test_chart_oracle.py: the charts drawn now must be these, byte for byte."""
# ruff: noqa

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from shinchoku.core.figures import figure
from shinchoku.core.wareki import era_year_text, fy_era, fy_short

if TYPE_CHECKING:
    from shinchoku.rounds.progress import IndicatorProgress

_ids = itertools.count(1)
FONT = "'IPAexGothic', 'Hiragino Sans', 'Yu Gothic', 'Noto Sans CJK JP', sans-serif"
INK = "#1a1a1a"
MUTED = "#4d4d4d"  # 8.5:1 on white
ACTUAL = "#1f5a96"  # 6.9:1 on white
BASELINE = "#5c5c5c"  # 6.7:1 on white
TARGET = "#8a3c00"  # 7.6:1 on white
FORECAST = "#6a3d9a"  # 7.9:1 on white

# Bands, best first: (fill, text colour on the fill, pattern). Text contrast ≥ 4.5:1 on each fill.
BAND_STYLES = (
    ("#1a6b3c", "#ffffff", "solid"),  # 達成: dark green, white text 6.6:1
    ("#f2c14e", "#1a1a1a", "diagonal"),  # 概ね達成: amber, dark text 10:1
    ("#f4a6a0", "#1a1a1a", "stripes"),  # a fourth grade (C of A–D): light red, dark text 9:1
    ("#b3261e", "#ffffff", "dots"),  # 未達成: dark red, white text 6.5:1
)
# Which styles n judged bands use, best first: three bands keep green, amber and dark red.
_RANKS = {1: (0,), 2: (0, 3), 3: (0, 1, 3), 4: (0, 1, 2, 3)}
UNDETERMINED_STYLE = ("#e3e3e3", "#1a1a1a", "cross")  # 判定不可: light grey, dark text 14:1


def _uid() -> str:
    return f"sc{next(_ids)}"


def _num(d: Decimal | float | int) -> str:
    """A coordinate: at most two decimals, no exponent."""
    return f"{float(d):.2f}".rstrip("0").rstrip(".")


def _figure(d: Decimal) -> str:
    """A figure for an axis: 1,200 / 2.5."""
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def _fy_axis(fy: int) -> tuple[str, str]:
    """Two lines under a year: 令和元 / 2019."""
    name, year = fy_era(fy)
    return f"{name}{era_year_text(year)}", str(fy)


def _nice_max(high: Decimal) -> tuple[Decimal, Decimal]:
    """A round axis maximum and tick step for values up to high: 513 → (600, 200)."""
    if high <= 0:
        return Decimal(1), Decimal(1)
    unit = Decimal(10) ** high.adjusted()
    for step_factor in (Decimal("0.1"), Decimal("0.2"), Decimal("0.25"), Decimal("0.5"), 1, 2, 5):
        step = unit * Decimal(step_factor)
        if high / step <= 5:
            ticks = (high / step).to_integral_value(rounding="ROUND_CEILING")
            return step * ticks, step
    return unit * 10, unit * 2


def _svg_open(uid: str, width: int, height: int, title: str, desc: str) -> str:
    t, d = escape(title), escape(desc)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{t}" aria-labelledby="{uid}-t {uid}-d" '
        f'font-family="{FONT}" font-size="11">'
        f'<title id="{uid}-t">{t}</title><desc id="{uid}-d">{d}</desc>'
    )


def _patterns(uid: str) -> str:
    """Hatching for the baseline and the bands (the shape tells them apart without colour)."""
    out = [
        f'<pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BASELINE}" stroke-width="3"/></pattern>'
    ]
    for i, (fill, _ink, kind) in enumerate((*BAND_STYLES, UNDETERMINED_STYLE)):
        pid = f"{uid}-b{i}"
        if kind == "solid":
            out.append(
                f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                f'<rect width="8" height="8" fill="{fill}"/></pattern>'
            )
        elif kind == "diagonal":
            body = (
                f'<rect width="8" height="8" fill="{fill}"/>'
                '<line x1="0" y1="0" x2="0" y2="8" stroke="#ffffff" stroke-width="2" '
                'stroke-opacity="0.8"/>'
            )
            out.append(
                f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)">{body}</pattern>'
            )
        elif kind == "stripes":
            out.append(
                f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                f'<rect width="8" height="8" fill="{fill}"/>'
                '<line x1="0" y1="4" x2="8" y2="4" stroke="#ffffff" stroke-width="2" '
                'stroke-opacity="0.8"/></pattern>'
            )
        elif kind == "dots":
            out.append(
                f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                f'<rect width="8" height="8" fill="{fill}"/>'
                '<circle cx="4" cy="4" r="1.4" fill="#ffffff" fill-opacity="0.85"/></pattern>'
            )
        elif kind == "cross":
            out.append(
                f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                f'<rect width="8" height="8" fill="{fill}"/>'
                '<path d="M0 0L8 8M8 0L0 8" stroke="#9a9a9a" stroke-width="0.8"/></pattern>'
            )
    return "<defs>" + "".join(out) + "</defs>"


# --------------------------------------------------------------------------- indicator chart


@dataclass(frozen=True)
class Point:
    """One value of an indicator: its role (現状値 / 実績 / 目標), year, text and figure."""

    role: str
    fy: int
    text: str
    number: Decimal | None
    estimate: bool = False


ROLE_NAMES = {
    "baseline": gettext_lazy("Baseline"),
    "actual": gettext_lazy("Actual"),
    "target": gettext_lazy("Target"),
    "forecast": gettext_lazy("Forecast (trend)"),
}


@dataclass(frozen=True)
class ForecastLine:
    """見通し（傾向）: from the latest actual to the linear trend's value in the final FY."""

    latest_fy: int
    latest: Decimal
    final_fy: int
    value: Decimal
    text: str  # the forecast value as shown (with its unit)
    target_text: str
    judgement: str  # worded: 達成見込み / 要注意 / 達成困難


def forecast_line(forecast) -> ForecastLine | None:
    """The line to draw for an `IndicatorForecast`, or None when it has no forecast."""
    f = getattr(forecast, "forecast", None)
    if f is None or f.judgement is None or f.linear is None or f.latest_fy is None:
        return None
    if f.latest is None or f.final_fy is None or f.final_fy <= f.latest_fy:
        return None
    return ForecastLine(
        f.latest_fy,
        f.latest,
        f.final_fy,
        f.linear,
        forecast.linear_text,
        forecast.target_text,
        forecast.label,
    )


def _points(ip: IndicatorProgress) -> tuple[list[Point], str]:
    """Every value of the indicator, with figures in one unit (the indicator's: core.figures);
    a figure reported in another unit is labelled with the figure as reported beside it."""
    unit = ip.unit
    values = []
    if ip.baseline is not None:
        values.append(("baseline", ip.baseline))
    values += [("actual", v) for _fy, v in sorted(ip.actuals.items())]
    values += [("target", v) for _fy, v in sorted(ip.targets.items())]
    points = []
    for role, v in values:
        f = figure(v.text, unit)
        points.append(Point(role, v.fy, f.label, f.number, bool(v.estimate)))
    return points, unit


def _years(points: list[Point], fy: int, line: ForecastLine | None = None) -> list[int]:
    fys = [p.fy for p in points] + [fy] + ([line.final_fy] if line else [])
    return list(range(min(fys), max(fys) + 1))


def _forecast_desc(line: ForecastLine) -> str:
    return gettext(
        "%(forecast)s: %(fy)s %(value)s (trend of the actuals up to %(latest)s, %(judgement)s); "
        "final target %(target)s."
    ) % {
        "forecast": ROLE_NAMES["forecast"],
        "fy": fy_short(line.final_fy),
        "value": line.text,
        "judgement": line.judgement,
        "latest": fy_short(line.latest_fy),
        "target": line.target_text,
    }


def _indicator_desc(ip: IndicatorProgress, points: list[Point]) -> str:
    parts = []
    for role in ("baseline", "actual", "target"):
        mine = [p for p in points if p.role == role]
        if mine:
            texts = "、".join(
                f"{fy_short(p.fy)} {p.text}{gettext('(estimate)') if p.estimate else ''}"
                for p in mine
            )
            parts.append(f"{ROLE_NAMES[role]}: {texts}")
    if not parts:
        return gettext("No values.")
    return "。".join(parts) + "。"


def indicator_chart_svg(ip: IndicatorProgress, forecast=None) -> SafeString:
    """The indicator's baseline, actuals and targets over the fiscal years, as an SVG chart;
    with `forecast` (an IndicatorForecast), its linear trend to the final FY, dashed."""
    uid = _uid()
    points, unit = _points(ip)
    line = forecast_line(forecast)
    name = ip.indicator.name
    title = gettext("%(name)s over the years") % {"name": name}
    title += (gettext("(unit: %(unit)s)") % {"unit": unit}) if unit else ""
    width, height = 520, 250
    left, right, top, bottom = 64, 16, 34, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    desc = _indicator_desc(ip, points) + (_forecast_desc(line) if line else "")
    out = [_svg_open(uid, width, height, title, desc), _patterns(uid)]
    numeric = [p for p in points if p.number is not None]
    # Legend: a mark and a word for each series.
    lx = left
    legend = [
        (
            "baseline",
            f'<rect width="14" height="10" fill="url(#{uid}-hatch)" stroke="{BASELINE}"/>',
        ),
        ("actual", f'<rect width="14" height="10" fill="{ACTUAL}"/>'),
        (
            "target",
            f'<path d="M0 5H14" stroke="{TARGET}" stroke-dasharray="3 2" stroke-width="1.5"/>'
            f'<path d="M7 0L12 5L7 10L2 5Z" fill="#ffffff" stroke="{TARGET}" stroke-width="1.5"/>',
        ),
    ]
    if line:
        legend.append(
            (
                "forecast",
                f'<path d="M0 5H14" stroke="{FORECAST}" stroke-dasharray="4 2" stroke-width="2"/>'
                f'<circle cx="11" cy="5" r="3" fill="#ffffff" stroke="{FORECAST}" '
                'stroke-width="1.5"/>',
            )
        )
    for role, mark in legend:
        out.append(f'<g transform="translate({lx},8)">{mark}')
        out.append(f'<text x="18" y="9" fill="{INK}">{ROLE_NAMES[role]}</text></g>')
        lx += 74
    if unit:
        out.append(
            f'<text x="{width - right}" y="17" text-anchor="end" fill="{MUTED}">'
            + escape(gettext("unit: %(unit)s") % {"unit": unit})
            + "</text>"
        )
    years = _years(points, ip.fy, line)
    cw = plot_w / len(years)

    def cx(fy: int) -> float:
        return left + cw * (years.index(fy) + 0.5)

    if not numeric:
        out.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            f'fill="{MUTED}">{gettext("No numeric values: no chart can be drawn.")}</text>'
        )
    extent = [p.number for p in numeric] + ([line.value] if line else [])
    low = min([Decimal(0), *extent])  # type: ignore[misc]
    high = max([Decimal(0), *extent])  # type: ignore[misc]
    top_value, step = _nice_max(high * Decimal("1.1"))  # headroom for the labels
    bottom_value = Decimal(0)
    if low < 0:
        neg, _ = _nice_max(-low)
        bottom_value = -neg
    span = top_value - bottom_value or Decimal(1)

    def y(v: Decimal) -> float:
        return top + plot_h * float((top_value - v) / span)

    # Grid and axis.
    tick = bottom_value
    while tick <= top_value:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y(tick))}" y2="{_num(y(tick))}" '
            f'stroke="#d0d0d0" stroke-width="0.6"/>'
            f'<text x="{left - 6}" y="{_num(y(tick) + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="10">{_figure(tick)}</text>'
        )
        tick += step
    out.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y(Decimal(0)))}" '
        f'y2="{_num(y(Decimal(0)))}" stroke="{INK}" stroke-width="1"/>'
    )
    for fy in years:
        era, western = _fy_axis(fy)
        weight = ' font-weight="bold"' if fy == ip.fy else ""
        out.append(
            f'<text x="{_num(cx(fy))}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="{INK}"{weight}>{escape(era)}</text>'
            f'<text x="{_num(cx(fy))}" y="{height - bottom + 30}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="10"{weight}>({western})</text>'
        )
    # Bars: baseline and actuals.
    bar_w = min(cw * 0.5, 40)
    bar_tops: dict[int, float] = {}
    for p in numeric:
        if p.role == "target":
            continue
        assert p.number is not None
        y0, y1 = y(Decimal(0)), y(p.number)
        x = cx(p.fy) - bar_w / 2
        fill = f"url(#{uid}-hatch)" if p.role == "baseline" else ACTUAL
        stroke = f' stroke="{BASELINE}"' if p.role == "baseline" else ""
        out.append(
            f'<rect x="{_num(x)}" y="{_num(min(y0, y1))}" width="{_num(bar_w)}" '
            f'height="{_num(max(abs(y0 - y1), 0.5))}" fill="{fill}"{stroke}>'
            f"<title>{escape(ROLE_NAMES[p.role])} {escape(fy_short(p.fy))} {escape(p.text)}"
            "</title></rect>"
        )
        bar_tops[p.fy] = min(y0, y1)
        out.append(
            f'<text x="{_num(cx(p.fy))}" y="{_num(min(y0, y1) - 4)}" text-anchor="middle" '
            f'fill="{INK}" font-size="10">{escape(_figure(p.number))}</text>'
        )
    # Targets: diamonds joined by a dashed line.
    targets = [p for p in numeric if p.role == "target"]
    if len(targets) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_num(cx(p.fy))} {_num(y(p.number))}"  # type: ignore[arg-type]
            for i, p in enumerate(targets)
        )
        out.append(
            f'<path d="{path}" fill="none" stroke="{TARGET}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>'
        )
    final_fy = max((p.fy for p in targets), default=None)
    bottom_y = top + plot_h
    forecast_y = y(line.value) if line else None
    forecast_label = None  # (x, y, anchor) of the forecast's figure
    for p in targets:
        assert p.number is not None
        tx, ty = cx(p.fy), y(p.number)
        out.append(
            f'<path d="M{_num(tx)} {_num(ty - 6)}L{_num(tx + 6)} {_num(ty)}L{_num(tx)} '
            f'{_num(ty + 6)}L{_num(tx - 6)} {_num(ty)}Z" fill="#ffffff" stroke="{TARGET}" '
            f'stroke-width="1.8"><title>{ROLE_NAMES["target"]} {escape(fy_short(p.fy))} '
            f"{escape(p.text)}</title>"
            "</path>"
        )
        label = escape(_figure(p.number))
        bar_top = bar_tops.get(p.fy)
        if line and forecast_y is not None and p.fy == final_fy:
            # The final target the forecast is judged against, named 最終目標; its labels go
            # on the side away from the forecast's circle, the forecast's on the other.
            below = forecast_y <= ty and ty + 30 <= bottom_y
            value_y, name_y = (ty + 17, ty + 29) if below else (ty - 9, ty - 21)
            out.append(
                f'<text x="{_num(tx)}" y="{_num(value_y)}" text-anchor="middle" '
                f'fill="{TARGET}" font-size="10" font-weight="bold">{label}</text>'
                f'<text x="{_num(tx)}" y="{_num(name_y)}" text-anchor="middle" '
                f'fill="{TARGET}" font-size="10">{escape(gettext("Final target"))}</text>'
            )
            if below:
                forecast_label = (tx, forecast_y - 9, "middle")
            elif forecast_y > ty + 12 and forecast_y + 17 <= bottom_y:
                forecast_label = (tx, forecast_y + 17, "middle")
            else:
                forecast_label = (tx - 9, forecast_y + 4, "end")
        elif bar_top is not None and abs(bar_top - 4 - (ty - 9)) < 12:
            out.append(
                f'<text x="{_num(tx + bar_w / 2 + 3)}" y="{_num(ty + 4)}" fill="{TARGET}" '
                f'font-size="10" font-weight="bold">{label}</text>'
            )
        else:
            out.append(
                f'<text x="{_num(tx)}" y="{_num(ty - 9)}" text-anchor="middle" '
                f'fill="{TARGET}" font-size="10" font-weight="bold">{label}</text>'
            )
    if line and forecast_y is not None:
        x1 = cx(line.final_fy)
        at = forecast_label or (x1 - 9, forecast_y + 4, "end")
        out.append(_forecast_marks(line, cx(line.latest_fy), y(line.latest), x1, forecast_y, at))
    out.append("</svg>")
    return mark_safe("".join(out))


def _forecast_marks(
    line: ForecastLine, x0: float, y0: float, x1: float, y1: float, at: tuple[float, float, str]
) -> str:
    """The dashed forecast line, its end circle and its figure (at `at`: x, y, anchor)."""
    tip = escape(f"{ROLE_NAMES['forecast']} {fy_short(line.final_fy)} {line.text}")
    label = escape(_figure(line.value))
    lx, ly, anchor = at
    return (
        f'<path class="forecast-line" d="M{_num(x0)} {_num(y0)}L{_num(x1)} {_num(y1)}" '
        f'fill="none" stroke="{FORECAST}" stroke-width="2" stroke-dasharray="6 4">'
        f"<title>{tip}</title></path>"
        f'<circle cx="{_num(x1)}" cy="{_num(y1)}" r="4.5" fill="#ffffff" stroke="{FORECAST}" '
        f'stroke-width="2"><title>{tip}</title></circle>'
        f'<text x="{_num(lx)}" y="{_num(ly)}" text-anchor="{anchor}" fill="{FORECAST}" '
        f'font-size="10" font-weight="bold" paint-order="stroke" stroke="#ffffff" '
        f'stroke-width="3">{label}</text>'
    )


def indicator_chart_table(ip: IndicatorProgress, forecast=None) -> SafeString:
    """The values behind `indicator_chart_svg`, as a small table (years across)."""
    points, _unit = _points(ip)
    line = forecast_line(forecast)
    years = _years(points, ip.fy, line)
    head = "".join(
        f'<th scope="col">{escape(fy_short(fy))}<br><small>({fy})</small></th>' for fy in years
    )
    rows = []
    for role in ("baseline", "actual", "target"):
        mine = {p.fy: p for p in points if p.role == role}
        if not mine:
            continue
        cells = "".join(
            "<td>"
            + (
                escape(mine[fy].text)
                + (f"<small>{gettext('(estimate)')}</small>" if mine[fy].estimate else "")
                if fy in mine
                else '<span class="none">―</span>'
            )
            + "</td>"
            for fy in years
        )
        rows.append(f'<tr><th scope="row">{ROLE_NAMES[role]}</th>{cells}</tr>')
    if line:
        cells = "".join(
            f"<td>{escape(line.text)}<small>（{escape(line.judgement)}）</small></td>"
            if fy == line.final_fy
            else '<td><span class="none">―</span></td>'
            for fy in years
        )
        rows.append(f'<tr><th scope="row">{ROLE_NAMES["forecast"]}</th>{cells}</tr>')
    caption = escape(gettext("Values of %(name)s") % {"name": ip.indicator.name})
    return mark_safe(
        f'<table class="chart-data"><caption>{caption}</caption>'
        f'<thead><tr><th scope="col">{gettext("Series")}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
