"""Charts drawn on the server as SVG, the same in the web pages, the committee report and its PDF.

A stable API for templates anywhere in the product (public pages, indicator pages):

- `indicator_chart_svg(ip, forecast=None)`: one indicator over its fiscal years: 現状値 (hatched
  bar), 実績 (solid bars) and 目標 (diamonds on a dashed line), every figure written beside its
  mark; with a `rounds.forecasts.IndicatorForecast` that has a forecast, 見通し（傾向）: a dashed
  line from the latest actual to the linear trend's value in the final FY (a circle), and the
  final target labelled 最終目標.
- `bands_chart_svg(tally_rows, band_names, title)`: one horizontal stacked bar of the bands.
- `goals_bands_chart_svg(rows, band_names, title)`: one stacked bar per goal, for the summary.
- `indicator_chart_table(ip)` / `bands_chart_table(...)`: the data behind a chart as an HTML table.

Every function returns a safe markup string. Every text is escaped (names come from uploaded
data). Each SVG has role="img", an aria-label, <title> and <desc>; colours meet WCAG AA contrast
and each band or series also differs by pattern or shape and is labelled in words, so nothing
relies on colour alone. The labels are Japanese: the charts belong to the Japanese document.
"""

from __future__ import annotations

import functools
import html
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

from shinchoku.core.figures import figure
from shinchoku.core.wareki import era_year_text, fy_era, fy_short

if TYPE_CHECKING:
    from shinchoku.rounds.progress import IndicatorProgress

_ids = itertools.count(1)
_esc = html.escape  # what django.utils.html.escape prints for a text
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


@functools.lru_cache(maxsize=4096)  # charts of the same years share most coordinates
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
    t, d = _esc(str(title)), _esc(str(desc))
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


Points = tuple[Point, ...]


def _points(ip: IndicatorProgress) -> tuple[Points, str]:
    """Every value of the indicator, with figures in one unit (the indicator's: core.figures);
    a figure reported in another unit is labelled with the figure as reported beside it."""
    unit = ip.unit
    values = []
    if ip.baseline is not None:
        values.append(("baseline", ip.baseline))
    values += [("actual", v) for _fy, v in sorted(ip.actuals.items())]
    values += [("target", v) for _fy, v in sorted(ip.targets.items())]
    return tuple(
        Point(role, v.fy, *_shown(v.text, unit), bool(v.estimate)) for role, v in values
    ), unit


@functools.lru_cache(maxsize=16384)
def _shown(text: str, unit: str) -> tuple[str, Decimal | None]:
    """A value's label and figure in the indicator's unit (core.figures), once per text."""
    f = figure(text, unit)
    return f.label, f.number


def _years(points: Points, fy: int, line: ForecastLine | None = None) -> list[int]:
    fys = [p.fy for p in points] + [fy] + ([line.final_fy] if line else [])
    return list(range(min(fys), max(fys) + 1))


# The indicator chart's fixed parts are made once (per language, per year span, per scale) and
# its per-chart parts with plain `html.escape` (what django's `escape` prints, without its lazy
# text check): a report draws one chart per indicator (issue 16). UID stands for the chart's id.
UID = "\x00"
WIDTH, HEIGHT = 520, 250
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 34, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@functools.lru_cache(maxsize=64)
def _fy_text(fy: int) -> str:
    """fy_short, escaped."""
    return _esc(fy_short(fy))


@functools.lru_cache(maxsize=16)
def _words(language: str | None) -> dict[str, str]:
    """The indicator chart's words in the active language (the key), and its legends."""
    w = {role: str(name) for role, name in ROLE_NAMES.items()}
    w |= {f"{role}_html": _esc(name) for role, name in list(w.items())}
    w |= {
        "estimate": gettext("(estimate)"),
        "no_values": gettext("No values."),
        "over_years": gettext("%(name)s over the years"),
        "unit_title": gettext("(unit: %(unit)s)"),
        "unit": gettext("unit: %(unit)s"),
        "no_numbers": gettext("No numeric values: no chart can be drawn."),
        "final_target": _esc(gettext("Final target")),
        "forecast_desc": gettext(
            "%(forecast)s: %(fy)s %(value)s (trend of the actuals up to %(latest)s, "
            "%(judgement)s); final target %(target)s."
        ),
        "values_of": gettext("Values of %(name)s"),
        "series": gettext("Series"),
    }
    marks = [
        (
            "baseline",
            f'<rect width="14" height="10" fill="url(#{UID}-hatch)" stroke="{BASELINE}"/>',
        ),
        ("actual", f'<rect width="14" height="10" fill="{ACTUAL}"/>'),
        (
            "target",
            f'<path d="M0 5H14" stroke="{TARGET}" stroke-dasharray="3 2" stroke-width="1.5"/>'
            f'<path d="M7 0L12 5L7 10L2 5Z" fill="#ffffff" stroke="{TARGET}" stroke-width="1.5"/>',
        ),
        (
            "forecast",
            f'<path d="M0 5H14" stroke="{FORECAST}" stroke-dasharray="4 2" stroke-width="2"/>'
            f'<circle cx="11" cy="5" r="3" fill="#ffffff" stroke="{FORECAST}" '
            'stroke-width="1.5"/>',
        ),
    ]
    for n in (3, 4):  # without and with the forecast
        out = []
        for i, (role, mark) in enumerate(marks[:n]):
            out.append(f'<g transform="translate({LEFT + 74 * i},8)">{mark}')
            out.append(f'<text x="18" y="9" fill="{INK}">{w[role]}</text></g>')
        w[f"legend{n}"] = "".join(out)
    return w


@functools.lru_cache(maxsize=1)
def _patterns_template() -> str:
    return _patterns(UID)


@functools.lru_cache(maxsize=256)
def _year_axis(first: int, last: int, fy: int) -> str:
    """The labels under the years first…last (fy in bold)."""
    cw = PLOT_W / (last - first + 1)
    out = []
    for i, year in enumerate(range(first, last + 1)):
        era, western = _fy_axis(year)
        weight = ' font-weight="bold"' if year == fy else ""
        x = _num(LEFT + cw * (i + 0.5))
        out.append(
            f'<text x="{x}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'fill="{INK}"{weight}>{_esc(era)}</text>'
            f'<text x="{x}" y="{HEIGHT - BOTTOM + 30}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="10"{weight}>({western})</text>'
        )
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _scale(high: Decimal, low: Decimal) -> tuple[Decimal, Decimal, str]:
    """(top value, span, grid and zero axis) of a chart whose values lie in low…high."""
    top_value, step = _nice_max(high * Decimal("1.1"))  # headroom for the labels
    bottom_value = Decimal(0)
    if low < 0:
        neg, _ = _nice_max(-low)
        bottom_value = -neg
    span = top_value - bottom_value or Decimal(1)

    def y(v: Decimal) -> float:
        return TOP + PLOT_H * float((top_value - v) / span)

    out = []
    tick = bottom_value
    while tick <= top_value:
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{_num(y(tick))}" y2="{_num(y(tick))}" '
            f'stroke="#d0d0d0" stroke-width="0.6"/>'
            f'<text x="{LEFT - 6}" y="{_num(y(tick) + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="10">{_figure(tick)}</text>'
        )
        tick += step
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{_num(y(Decimal(0)))}" '
        f'y2="{_num(y(Decimal(0)))}" stroke="{INK}" stroke-width="1"/>'
    )
    return top_value, span, "".join(out)


def _forecast_desc(line: ForecastLine, w: dict[str, str] | None = None) -> str:
    w = w or _words(get_language())
    return w["forecast_desc"] % {
        "forecast": w["forecast"],
        "fy": fy_short(line.final_fy),
        "value": line.text,
        "judgement": line.judgement,
        "latest": fy_short(line.latest_fy),
        "target": line.target_text,
    }


def _indicator_desc(points: Points, w: dict[str, str]) -> str:
    parts = []
    estimate = w["estimate"]
    for role in ("baseline", "actual", "target"):
        mine = [p for p in points if p.role == role]
        if mine:
            texts = "、".join(
                f"{fy_short(p.fy)} {p.text}{estimate if p.estimate else ''}" for p in mine
            )
            parts.append(f"{w[role]}: {texts}")
    if not parts:
        return w["no_values"]
    return "。".join(parts) + "。"


def indicator_chart_svg(ip: IndicatorProgress, forecast=None) -> SafeString:
    """The indicator's baseline, actuals and targets over the fiscal years, as an SVG chart;
    with `forecast` (an IndicatorForecast), its linear trend to the final FY, dashed."""
    points, unit = _points(ip)
    return _chart_svg(ip, points, unit, forecast_line(forecast))


def _indicator_svg(
    uid: str, name: str, fy: int, points: Points, unit: str, line: ForecastLine | None
) -> str:
    w = _words(get_language())
    title = w["over_years"] % {"name": name}
    title += (w["unit_title"] % {"unit": unit}) if unit else ""
    left, top = LEFT, TOP
    plot_w, plot_h = PLOT_W, PLOT_H
    desc = _indicator_desc(points, w) + (_forecast_desc(line, w) if line else "")
    out = [
        _svg_open(uid, WIDTH, HEIGHT, title, desc),
        _patterns_template().replace(UID, uid),
        # Legend: a mark and a word for each series.
        w["legend4" if line else "legend3"].replace(UID, uid),
    ]
    numeric = [p for p in points if p.number is not None]
    if unit:
        out.append(
            f'<text x="{WIDTH - RIGHT}" y="17" text-anchor="end" fill="{MUTED}">'
            + _esc(w["unit"] % {"unit": unit})
            + "</text>"
        )
    years = _years(points, fy, line)
    first = years[0]
    cw = plot_w / len(years)

    def cx(fy: int) -> float:
        return left + cw * (fy - first + 0.5)

    if not numeric:
        out.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            f'fill="{MUTED}">{w["no_numbers"]}</text>'
        )
    extent = [p.number for p in numeric] + ([line.value] if line else [])
    low = min([Decimal(0), *extent])  # type: ignore[misc]
    high = max([Decimal(0), *extent])  # type: ignore[misc]
    top_value, span, grid = _scale(high, low)

    def y(v: Decimal) -> float:
        return top + plot_h * float((top_value - v) / span)

    # Grid and axis, and the years.
    out.append(grid)
    out.append(_year_axis(first, years[-1], fy))
    # Bars: baseline and actuals.
    bar_w = min(cw * 0.5, 40)
    bar_width = _num(bar_w)
    zero = y(Decimal(0))
    bar_tops: dict[int, float] = {}
    hatch = f"url(#{uid}-hatch)"
    for p in numeric:
        if p.role == "target":
            continue
        assert p.number is not None
        y1 = y(p.number)
        x = cx(p.fy)
        baseline = p.role == "baseline"
        fill = hatch if baseline else ACTUAL
        stroke = f' stroke="{BASELINE}"' if baseline else ""
        bar_top = min(zero, y1)
        out.append(
            f'<rect x="{_num(x - bar_w / 2)}" y="{_num(bar_top)}" width="{bar_width}" '
            f'height="{_num(max(abs(zero - y1), 0.5))}" fill="{fill}"{stroke}>'
            f"<title>{w[p.role + '_html']} {_fy_text(p.fy)} {_esc(p.text)}"
            "</title></rect>"
            f'<text x="{_num(x)}" y="{_num(bar_top - 4)}" text-anchor="middle" '
            f'fill="{INK}" font-size="10">{_esc(_figure(p.number))}</text>'
        )
        bar_tops[p.fy] = bar_top
    # Targets: diamonds joined by a dashed line.
    targets = [(p, cx(p.fy), y(p.number)) for p in numeric if p.role == "target"]  # type: ignore[arg-type]
    if len(targets) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_num(tx)} {_num(ty)}"
            for i, (_p, tx, ty) in enumerate(targets)
        )
        out.append(
            f'<path d="{path}" fill="none" stroke="{TARGET}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>'
        )
    final_fy = max((p.fy for p, _x, _y in targets), default=None)
    bottom_y = top + plot_h
    forecast_y = y(line.value) if line else None
    forecast_label = None  # (x, y, anchor) of the forecast's figure
    target_word = w["target"]
    for p, tx, ty in targets:
        assert p.number is not None
        out.append(
            f'<path d="M{_num(tx)} {_num(ty - 6)}L{_num(tx + 6)} {_num(ty)}L{_num(tx)} '
            f'{_num(ty + 6)}L{_num(tx - 6)} {_num(ty)}Z" fill="#ffffff" stroke="{TARGET}" '
            f'stroke-width="1.8"><title>{target_word} {_fy_text(p.fy)} '
            f"{_esc(p.text)}</title>"
            "</path>"
        )
        label = _esc(_figure(p.number))
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
                f'fill="{TARGET}" font-size="10">{w["final_target"]}</text>'
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
        out.append(_forecast_marks(line, cx(line.latest_fy), y(line.latest), x1, forecast_y, at, w))
    out.append("</svg>")
    return "".join(out)


def _forecast_marks(
    line: ForecastLine,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    at: tuple[float, float, str],
    w: dict[str, str] | None = None,
) -> str:
    """The dashed forecast line, its end circle and its figure (at `at`: x, y, anchor)."""
    w = w or _words(get_language())
    tip = _esc(f"{w['forecast']} {fy_short(line.final_fy)} {line.text}")
    label = _esc(_figure(line.value))
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


@functools.lru_cache(maxsize=256)
def _table_head(first: int, last: int) -> str:
    return "".join(
        f'<th scope="col">{_fy_text(fy)}<br><small>({fy})</small></th>'
        for fy in range(first, last + 1)
    )


def indicator_chart_table(ip: IndicatorProgress, forecast=None) -> SafeString:
    """The values behind `indicator_chart_svg`, as a small table (years across)."""
    points, _unit = _points(ip)
    return _chart_table(ip, points, forecast_line(forecast))


def _indicator_table(name: str, fy: int, points: Points, line: ForecastLine | None) -> str:
    w = _words(get_language())
    years = _years(points, fy, line)
    head = _table_head(years[0], years[-1])
    estimate = f"<small>{w['estimate']}</small>"
    none = '<td><span class="none">―</span></td>'
    rows = []
    for role in ("baseline", "actual", "target"):
        mine = {p.fy: p for p in points if p.role == role}
        if not mine:
            continue
        cells = "".join(
            (
                f"<td>{_esc(p.text)}{estimate if p.estimate else ''}</td>"
                if (p := mine.get(fy)) is not None
                else none
            )
            for fy in years
        )
        rows.append(f'<tr><th scope="row">{w[role]}</th>{cells}</tr>')
    if line:
        cells = "".join(
            f"<td>{_esc(line.text)}<small>（{_esc(line.judgement)}）</small></td>"
            if fy == line.final_fy
            else none
            for fy in years
        )
        rows.append(f'<tr><th scope="row">{w["forecast"]}</th>{cells}</tr>')
    caption = _esc(w["values_of"] % {"name": name})
    return (
        f'<table class="chart-data"><caption>{caption}</caption>'
        f'<thead><tr><th scope="col">{w["series"]}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# A chart is a pure function of its indicator's name, unit, values, FY and forecast and of the
# language: drawn once (UID in place of its id) and kept, so that a report made again after a
# change elsewhere in the plan looks up the charts that did not change (issue 16).
@functools.lru_cache(maxsize=1024)
def _kept_svg(
    name: str, fy: int, points: Points, unit: str, line: ForecastLine | None, language
) -> str:
    return _indicator_svg(UID, name, fy, points, unit, line)


@functools.lru_cache(maxsize=1024)
def _kept_table(name: str, fy: int, points: Points, line: ForecastLine | None, language) -> str:
    return _indicator_table(name, fy, points, line)


def _keepable(name: str, unit: str, points: Points, line: ForecastLine | None) -> bool:
    """No text of the chart holds UID (which stands for the chart's id in a kept drawing)."""
    texts = [name, unit, *(p.text for p in points)]
    if line:
        texts += [line.text, line.target_text, line.judgement]
    return not any(UID in t for t in texts)


def _chart_svg(
    ip: IndicatorProgress, points: Points, unit: str, line: ForecastLine | None
) -> SafeString:
    uid = _uid()
    name, fy = ip.indicator.name, ip.fy
    if not _keepable(name, unit, points, line):
        return mark_safe(_indicator_svg(uid, name, fy, points, unit, line))
    return mark_safe(_kept_svg(name, fy, points, unit, line, get_language()).replace(UID, uid))


def _chart_table(ip: IndicatorProgress, points: Points, line: ForecastLine | None) -> SafeString:
    name, fy = ip.indicator.name, ip.fy
    if not _keepable(name, "", points, line):
        return mark_safe(_indicator_table(name, fy, points, line))
    return mark_safe(_kept_table(name, fy, points, line, get_language()))


def indicator_chart_parts(
    ip: IndicatorProgress, forecast=None, table: bool = True
) -> tuple[SafeString, SafeString | str]:
    """`indicator_chart_svg` and (with `table`) `indicator_chart_table`, reading the values once."""
    points, unit = _points(ip)
    line = forecast_line(forecast)
    svg = _chart_svg(ip, points, unit, line)
    return svg, _chart_table(ip, points, line) if table else ""


# --------------------------------------------------------------------------- band charts


def band_style(band: str, band_names: list[str]) -> tuple[str, str, int]:
    """(fill, text colour, pattern index) for a band by its rank; the last name is 判定不可."""
    judged = band_names[:-1]
    if band not in judged:
        return UNDETERMINED_STYLE[0], UNDETERMINED_STYLE[1], len(BAND_STYLES)
    rank = judged.index(band)
    n = len(judged)
    if n in _RANKS:
        rank = _RANKS[n][rank]
    else:
        rank = round(rank * (len(BAND_STYLES) - 1) / (n - 1))
    fill, ink, _ = BAND_STYLES[rank]
    return fill, ink, rank


def _bands_desc(rows: list[tuple[str, list[tuple[str, int]]]]) -> str:
    parts = []
    for label, tally in rows:
        counts = "、".join(gettext("%(band)s %(n)s") % {"band": band, "n": n} for band, n in tally)
        total = sum(n for _b, n in tally)
        total_text = gettext("(%(n)s in all)") % {"n": total}
        parts.append(f"{label + ': ' if label else ''}{counts}{total_text}")
    return "。".join(parts) + "。" if parts else gettext("Nothing to count.")


def goals_bands_chart_svg(
    rows: list[tuple[str, list[tuple[str, int]]]],
    band_names: list[str],
    title: str,
    *,
    empty: str = "",
) -> SafeString:
    """One horizontal stacked bar of bands per row (label, tally rows), with a legend.

    A row with nothing to count is a dashed outline labelled `empty` (指標なし by default; a
    chart of self-evaluations says 報告なし).
    """
    uid = _uid()
    named = any(label for label, _ in rows)
    width = 560
    left = 120 if named else 8
    right = 48
    bar_h, gap, top = 22, 8, 8
    legend_y = top + len(rows) * (bar_h + gap) + 6
    # Legend entries (x, line), wrapped onto a new line when the next one would run off.
    totals: dict[str, int] = {}
    for _label, tally in rows:
        for band, n in tally:
            totals[band] = totals.get(band, 0) + n
    legend: list[tuple[str, str, int, int]] = []  # (band, text, x, line)
    lx, line = 8, 0
    for band in band_names:
        text = gettext("%(band)s %(n)s") % {"band": band, "n": totals.get(band, 0)}
        step = 26 + 12 * len(text)
        if lx > 8 and lx + step - 12 > width:
            lx, line = 8, line + 1
        legend.append((band, text, lx, line))
        lx += step
    height = legend_y + 24 + 18 * line
    plot_w = width - left - right
    out = [_svg_open(uid, width, height, title, _bands_desc(rows)), _patterns(uid)]
    for r, (label, tally) in enumerate(rows):
        y0 = top + r * (bar_h + gap)
        total = sum(n for _b, n in tally)
        if named:
            short = label if len(label) <= 10 else label[:9] + "…"
            out.append(
                f'<text x="{left - 6}" y="{y0 + bar_h / 2 + 4}" text-anchor="end" '
                f'fill="{INK}">{escape(short)}<title>{escape(label)}</title></text>'
            )
        if total == 0:
            out.append(
                f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{bar_h}" fill="none" '
                f'stroke="#9a9a9a" stroke-dasharray="3 2"/><text x="{left + 6}" '
                f'y="{y0 + bar_h / 2 + 4}" fill="{MUTED}">'
                f"{escape(empty or gettext('No indicators'))}</text>"
            )
            continue
        x = float(left)
        for band, n in tally:
            if not n:
                continue
            w = plot_w * n / total
            fill, ink, pattern = band_style(band, band_names)
            out.append(
                f'<rect x="{_num(x)}" y="{y0}" width="{_num(w)}" height="{bar_h}" '
                f'fill="url(#{uid}-b{pattern})" stroke="#ffffff" stroke-width="1">'
                + "<title>"
                + escape(gettext("%(band)s %(n)s") % {"band": band, "n": n})
                + "</title></rect>"
            )
            if w >= 22:
                text = f"{band} {n}" if w >= 14 * (len(band) + 2) else str(n)
                tw = 11 * len(text) - 4 * sum(c.isascii() for c in text) + 8
                out.append(
                    f'<rect x="{_num(x + w / 2 - tw / 2)}" y="{y0 + 4}" width="{tw}" '
                    f'height="{bar_h - 8}" rx="3" fill="{fill}" fill-opacity="0.9"/>'
                )
                out.append(
                    f'<text x="{_num(x + w / 2)}" y="{y0 + bar_h / 2 + 4}" '
                    f'text-anchor="middle" fill="{ink}" font-weight="bold" '
                    f'paint-order="stroke">{escape(text)}</text>'
                )
            x += w
        out.append(
            f'<text x="{left + plot_w + 6}" y="{y0 + bar_h / 2 + 4}" fill="{MUTED}">'
            + escape(gettext("Total %(n)s") % {"n": total})
            + "</text>"
        )
    # Legend with every band, its swatch (colour and pattern) and its total.
    for band, text, lx, line in legend:
        _fill, _ink, pattern = band_style(band, band_names)
        ly = legend_y + 18 * line
        out.append(
            f'<rect x="{lx}" y="{ly}" width="14" height="12" '
            f'fill="url(#{uid}-b{pattern})" stroke="{MUTED}" stroke-width="0.5"/>'
            f'<text x="{lx + 18}" y="{ly + 10}" fill="{INK}">{escape(text)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))


def bands_chart_svg(
    tally_rows: list[tuple[str, int]], band_names: list[str], title: str
) -> SafeString:
    """One horizontal stacked bar of the counts per band (a goal's `tally.rows()`)."""
    return goals_bands_chart_svg([("", list(tally_rows))], band_names, title)


def bands_chart_table(
    rows: list[tuple[str, list[tuple[str, int]]]], band_names: list[str], caption: str
) -> SafeString:
    """The counts behind a band chart as a table: one row per goal, one column per band."""
    head = "".join(f'<th scope="col">{escape(b)}</th>' for b in band_names)
    body = []
    for label, tally in rows:
        counts = dict(tally)
        cells = "".join(f'<td class="num">{counts.get(b, 0)}</td>' for b in band_names)
        total = sum(counts.values())
        body.append(
            f'<tr><th scope="row">{escape(label or gettext("Total"))}</th>{cells}'
            f'<td class="num">{total}</td></tr>'
        )
    return mark_safe(
        f'<table class="chart-data"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">{gettext("Series")}</th>{head}'
        f'<th scope="col">{gettext("Total")}</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
