"""The committee report's sections per 基本目標 written in Python once (issue 16).

The goal sections (the indicator table, the items and the contents behind schedule, and a chart
per indicator) are the bulk of the report's rendering when the page's cache misses; written here
with escape, they print exactly what the loop over `report.goals` in reports/_report_body.html
printed, at a fraction of the template engine's cost (tests/reports/test_report_html.py compares
them with that loop, kept as an oracle, byte for byte). The page and the PDF both print them
through `{% goal_sections report %}`. Words are translated once per report.
"""

from __future__ import annotations

import html
import re

from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

from shinchoku.core.wareki import fy_short
from shinchoku.html_out import LONG_ROWS, frame
from shinchoku.html_out import e as _e
from shinchoku.html_out import or_dash as _or_none
from shinchoku.reports.templatetags.charts import indicator_chart

NEWLINES = re.compile(r"\r\n|\r")  # django.utils.text.normalize_newlines


def _br(value) -> str:
    """`{{ value|linebreaksbr }}`."""
    if type(value) is str:
        return html.escape(NEWLINES.sub("\n", value)).replace("\n", "<br>")
    return linebreaksbr(value, autoescape=not isinstance(value, SafeData))


def _frame(label: str, rows, stick: int, table: str) -> str:
    """`{% tableframe label long=rows stick=N %}` around a table (label already escaped)."""
    return frame(label, table, long=len(rows) > LONG_ROWS, stick=stick)


def _words(report) -> dict[str, str]:
    """The report's translated words and the headings shared by every goal."""
    fy = _e(report.fy_short)
    next_fy = _e(report.next_fy_short)
    done_in = gettext("What was done in %(fy)s") % {"fy": fy}
    next_in = gettext("What comes next in %(fy)s") % {"fy": next_fy}
    w = {
        "judgement": gettext("Judgement:"),
        "smaller": gettext("smaller is better"),
        "estimate": gettext("estimate"),
        "as_above": gettext("as above"),
        "no_indicators": gettext("No indicators."),
        "by_item": gettext("What was done (by item)"),
        "behind": gettext("Contents behind schedule"),
        "none_behind": gettext("No content is behind schedule."),
    }
    heads = [
        '<th scope="col" class="c-no">No.</th>',
        f'<th scope="col" class="c-name">{gettext("Indicator")}</th>',
        f'<th scope="col" class="c-dept">{gettext("Department in charge")}</th>',
        f'<th scope="col" class="c-val">{_e(report.baseline_heading_html)}</th>',
    ]
    heads.append(
        "".join(
            f'<th scope="col" class="c-val">{_e(fy_short(y))}</th>' for y in report.earlier_years
        )
    )
    heads.append(f'<th scope="col" class="c-val">{fy}<br>{gettext("Actual")}</th>')
    heads.append(
        f'<th scope="col" class="c-val">{fy}<br>{gettext("Target")}</th>'
        if report.has_fy_target
        else ""
    )
    final = gettext("Final target")
    if report.final_fy:
        final += f"<br>({_e(fy_short(report.final_fy))})"
    heads += [
        f'<th scope="col" class="c-val">{final}</th>',
        f'<th scope="col" class="c-rate">{gettext("Achievement rate")}</th>',
        f'<th scope="col" class="c-prog">{gettext("Progress toward<br>the final target")}</th>',
        f'<th scope="col" class="c-band">{gettext("Judgement")}</th>',
    ]
    if report.has_notes:
        heads.append(
            f'<th scope="col" class="c-text">{done_in}</th>\n'
            f'      <th scope="col" class="c-text">{next_in}</th>'
        )
    else:
        heads.append("")
    w["indicator_head"] = "<thead><tr>\n      " + "\n      ".join(heads) + "\n    </tr></thead>"
    dept = gettext("Department in charge")
    w["items_head"] = (
        f'<thead><tr><th scope="col" class="w-22">{gettext("Plan item")}</th>'
        f'<th scope="col" class="w-10">{dept}</th>'
        f'<th scope="col" class="w-34">{done_in}</th>'
        f'<th scope="col" class="w-26">{next_in}</th>'
        f'<th scope="col" class="w-8">{gettext("Self-evaluation")}</th></tr></thead>'
    )
    w["behind_head"] = (
        f'<thead><tr><th scope="col" class="w-22">{gettext("Plan item")}</th>'
        f'<th scope="col" class="w-34">{gettext("Content")}</th>'
        f'<th scope="col" class="w-10">{dept}</th>'
        f'<th scope="col" class="w-8">{gettext("Status")}</th>'
        f'<th scope="col" class="w-26">{gettext("Explanation")}</th></tr></thead>'
    )
    return w


def _tally(g, w: dict[str, str]) -> str:
    """The goal's judgements: 達成 3・未達成 1(4指標)."""
    rows = g.tally_rows
    parts = []
    last = len(rows) - 1
    for i, (band, n) in enumerate(rows):
        if n:
            parts.append(gettext("%(band)s %(n)s") % {"band": _e(band), "n": _e(n)})
            if i != last:
                parts.append("・")
    count = gettext("%(n)s indicators") % {"n": len(g.rows)}
    return f'<p class="goal-tally">{w["judgement"]} {"".join(parts)}({count})</p>'


def _indicator_row(r, report, w: dict[str, str], estimate_note: bool) -> str:
    ip = r.ip
    name = f"<small>{_e(r.policy)}</small><br>" if r.policy else ""
    name += _e(r.name)
    if ip.indicator.direction == "down":
        name += f"<br><small>({w['smaller']})</small>"
    baseline = _e(r.baseline_cell)
    if estimate_note and ip.baseline is not None and ip.baseline.estimate:
        baseline += f"<small>({w['estimate']})</small>"
    earlier = "".join(f'<td class="val">{_e(v)}</td>' for v in r.earlier_cells)
    target = f'<td class="val">{_e(r.target_cell)}</td>' if report.has_fy_target else ""
    band = _e(r.band)
    reason = r.reason
    if reason:
        band += f"<br><small>{_e(reason)}</small>"
    if report.has_notes:
        done = w["as_above"] if r.done_same else _br(r.done)
        nxt = w["as_above"] if r.next_same else _br(r.next)
        notes = f'<td class="text">{done}</td>\n      <td class="text">{nxt}</td>'
    else:
        notes = ""
    return (
        "<tr>\n"
        f'      <td class="num">{_e(r.number)}</td>\n'
        f'      <th scope="row" class="c-name">{name}</th>\n'
        f"      <td>{_e(r.department)}</td>\n"
        f'      <td class="val">{baseline}</td>\n'
        f"      {earlier}\n"
        f'      <td class="val strong">{_e(r.actual_cell)}</td>\n'
        f"      {target}\n"
        f'      <td class="val">{_e(r.final_cell)}</td>\n'
        f'      <td class="num">{_or_none(r.rate)}</td>\n'
        f'      <td class="num">{_or_none(r.progress)}</td>\n'
        f'      <td class="band {_e(r.band_class)}">{band}</td>\n'
        f"      {notes}\n"
        "    </tr>"
    )


def _indicator_table(g, report, w: dict[str, str], heading: str) -> str:
    label = gettext("Indicators of %(goal)s") % {"goal": heading}
    estimate_note = not report.baseline_says_estimate
    body = "".join(_indicator_row(r, report, w, estimate_note) for r in g.rows)
    table = (
        f'<table class="report-table goal-table{"" if report.has_notes else " no-notes"}">\n'
        f'    <caption class="visually-hidden">{label}</caption>\n'
        f"    {w['indicator_head']}\n"
        f"    <tbody>{body}</tbody>\n"
        "  </table>"
    )
    return _frame(label, g.rows, 2, table)


def _items_table(g, w: dict[str, str], heading: str) -> str:
    label = gettext("What was done in %(goal)s") % {"goal": heading}
    body = "".join(
        f'<tr><th scope="row">{_e(it.node.label)} {_e(it.node.title)}</th>'
        f"<td>{_e(it.department)}</td>"
        f'<td class="text">{_br(it.entry.done)}</td>'
        f'<td class="text">{_br(it.entry.next)}</td>'
        f"<td>{_or_none(it.entry.evaluation)}</td></tr>"
        for it in g.items
    )
    table = (
        '<table class="report-table items-table">\n'
        f'    <caption class="visually-hidden">{w["by_item"]}</caption>\n'
        f"    {w['items_head']}\n"
        f"    <tbody>{body}</tbody>\n"
        "  </table>"
    )
    return (
        f'\n  <h3 class="table-title">{w["by_item"]}</h3>\n  {_frame(label, g.items, 1, table)}\n  '
    )


def _behind_table(g, w: dict[str, str], heading: str) -> str:
    label = gettext("Contents behind schedule in %(goal)s") % {"goal": heading}
    if g.behind:
        body = "".join(
            f'<tr><th scope="row">{_e(c.node.label)} {_e(c.node.title)}</th>'
            f'<td class="text">{_e(c.entry.text)}</td><td>{_e(c.department)}</td>'
            f'<td class="band band-2">{_e(c.entry.status)}</td>'
            f'<td class="text">{_br(c.entry.note)}</td></tr>'
            for c in g.behind
        )
        inner = f"\n    {w['behind_head']}\n    <tbody>{body}</tbody>\n    "
    else:
        inner = f"<tbody><tr><td>{w['none_behind']}</td></tr></tbody>"
    table = (
        '<table class="report-table behind-table">\n'
        f'    <caption class="visually-hidden">{w["behind"]}</caption>\n'
        f"    {inner}\n"
        "  </table>"
    )
    return (
        f'  <h3 class="table-title">{w["behind"]}</h3>\n'
        f"  {_frame(label, g.behind, 1 if g.behind else 0, table)}\n"
    )


def _goal(number: int, g, report, w: dict[str, str], no_figures_goal) -> str:
    heading = _e(g.heading)
    out = [f'\n<section class="report-goal" id="goal-{number}">\n  <h2>{heading}</h2>\n  ']
    if g.rows:
        out.append(_tally(g, w))
    out.append("\n  ")
    if g.rows:
        out.append(f"\n  {_indicator_table(g, report, w, heading)}\n  ")
    elif report.has_figures:
        out.append(f'<p class="none">{w["no_indicators"]}</p>')
    out.append("\n  ")
    if not report.has_figures:
        out.append(no_figures_goal.render({"g": g, "report": report}))
    out.append("\n  ")
    if g.items and report.has_figures:
        out.append(_items_table(g, w, heading))
    out.append("\n")
    out.append(_behind_table(g, w, heading))
    out.append("  ")
    if g.rows:
        charts = "".join(indicator_chart(r.ip) for r in g.rows)
        out.append(f'\n  <div class="chart-grid">\n    {charts}\n  </div>\n  ')
    out.append("\n</section>\n")
    return "".join(out)


def goal_sections(report) -> SafeString:
    """Every goal's section of the report, as reports/_report_body.html printed them."""
    w = _words(report)
    no_figures_goal = None if report.has_figures else get_template("reports/_no_figures_goal.html")
    return mark_safe(
        "".join(_goal(n, g, report, w, no_figures_goal) for n, g in enumerate(report.goals, 1))
    )
