"""The progress view's and the dashboard board's repeated rows written in Python once (issue 16).

On a cache miss of the progress view (rounds:overview) or of a dashboard board, the per-row
loops of their templates were most of the rendering: every indicator twice (off track, every
indicator), the counts per goal, level and department, the contents behind schedule, the 事業 of
a plan without figures, the sheets of the departments. Written here with escape, they print
exactly what the templates printed (tests/rounds/test_progress_html.py renders the old
templates on the same rows and compares byte for byte); words are translated once per table.
"""

from __future__ import annotations

from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext

from shinchoku.core import wareki
from shinchoku.core.keyed_urls import KeyedUrls
from shinchoku.html_out import DASH, LONG_ROWS, frame_open
from shinchoku.html_out import e as _e
from shinchoku.html_out import or_dash as _or_dash
from shinchoku.plans.templatetags.shinchoku import wareki_date
from shinchoku.rounds.progress import band_class
from shinchoku.rounds.templatetags.progress import band_cell, evaluation_class


def _counts(rows) -> str:
    """A count cell per band: `<td class="num{% if n %} has{% endif %}">{{ n }}</td>`."""
    return "".join(
        f'<td class="num has">{n}</td>' if n else f'<td class="num">{n}</td>' for _band, n in rows
    )


def _name(node) -> str:
    """`{{ node.label }} {{ node.title }}`."""
    return f"{_e(node.label)} {_e(node.title)}"


def status(status_text, flagged_: bool) -> str:
    """rounds/progress/_status.html, as its include prints it (with the closing newline)."""
    if flagged_:
        return (
            f'<strong class="status flagged"><span aria-hidden="true">⚠</span> {_e(status_text)}'
            f'<span class="visually-hidden"> ({_e(gettext("needs attention"))})</span></strong>\n'
        )
    return f'<span class="status">{_e(status_text)}</span>\n'


def badge(status_code, label) -> str:
    """`{% status_badge status label %}` (components/status_badge.html, its newline too)."""
    return f'<span class="status status-{_e(status_code)}">{_e(label)}</span>\n'


def withheld(report) -> str:
    """rounds/progress/_withheld.html of one sheet, as its include prints it."""
    title = _e(
        gettext(
            "Until approval, only the department, its approvers and the administrators see the "
            "figures and texts."
        )
    )
    return (
        f'<span class="withheld" title="{title}">{_e(report.department.name)}・'
        f"{_e(report.get_status_display())}</span>\n"
    )


def bar(rows, total, band_names) -> str:
    """rounds/progress/_bar.html, as its include prints it."""
    if not total:
        return "\n"
    names = list(band_names)
    label = "、".join(f"{_e(band)} {n}" for band, n in rows)
    segs = "".join(
        f'<span class="seg {_e(band_class(band, names))}" style="flex-grow: {n}" '
        f'title="{_e(band)} {n}">{n}</span>'
        for band, n in rows
        if n
    )
    return f'<span class="bar" role="img" aria-label="{label}">{segs}</span>\n'


# --- the progress view (_overview_body.html) -----------------------------------------------


def goal_rows(goals, node_urls: KeyedUrls, charts: bool, band_names) -> str:
    """The rows of the table of counts per goal."""
    out = []
    for g in goals:
        rows = g.tally.rows()
        out.append(
            "<tr>\n"
            f'      <th scope="row"><a href="{_e(node_urls.url(g.node.key))}">'
            f"{_name(g.node)}</a></th>\n"
            f"      {_counts(rows)}\n"
            f'      <td class="num">{g.tally.total}</td>\n'
            "      "
        )
        if not charts:
            out.append(f"<td>{bar(rows, g.tally.total, band_names)}</td>")
        out.append("\n    </tr>")
    return "".join(out)


def tree_rows(tree, node_urls: KeyedUrls) -> str:
    """The rows of the table of counts at every level."""
    return "".join(
        f'<tr class="depth-{r.depth}">\n'
        f'      <td class="muted">{_e(r.level_name)}</td>\n'
        f'      <th scope="row"><span class="indent indent-{r.depth}">'
        f'<a href="{_e(node_urls.url(r.node.key))}">{_name(r.node)}</a></span></th>\n'
        f"      {_counts(r.rows)}\n"
        f'      <td class="num">{r.total}</td>\n'
        "    </tr>"
        for r in tree
    )


def department_rows(departments) -> str:
    """The rows of the table of counts per department: (name, tally)."""
    return "".join(
        "<tr>\n"
        f'      <th scope="row">{_or_dash(name)}</th>\n'
        f"      {_counts(tally.rows())}\n"
        f'      <td class="num">{tally.total}</td>\n'
        "    </tr>"
        for name, tally in departments
    )


def indicator_rows(
    rows, band_names, node_urls: KeyedUrls, indicator_urls: KeyedUrls, group=None
) -> str:
    """rounds/progress/_indicator_rows.html of `rows` (IndicatorProgress) in its frame, as its
    include prints it: the indicators of the goal `group`, else those off track."""
    if group:  # blocktranslate: the title escaped into the words
        label = gettext("Indicators of %(goal)s") % {"goal": _e(group.title)}
    else:
        label = _e(gettext("Indicators off track"))
    down = _e(gettext("lower is better"))
    final_word = _e(gettext("final"))
    group_id = group.id if group else ""
    out = [
        frame_open(label, long=len(rows) > LONG_ROWS) + '<table class="data progress-table">\n'
        "  <thead><tr>\n"
        f'    <th scope="col">{_e(gettext("Indicator"))}</th>'
        f'<th scope="col">{_e(gettext("Department"))}</th>\n'
        f'    <th scope="col">{_e(gettext("Baseline"))}</th>'
        f'<th scope="col">{_e(gettext("Target"))}</th>'
        f'<th scope="col">{_e(gettext("Actual"))}</th>\n'
        f'    <th scope="col">{_e(gettext("Achievement rate"))}</th>'
        f'<th scope="col">{_e(gettext("Judgement"))}</th>'
        f'<th scope="col">{_e(gettext("Progress toward the final target"))}</th>\n'
        "  </tr></thead>\n"
        "  <tbody>"
    ]
    for ip in rows:
        indicator = ip.indicator
        tag = f'<span class="tag tag-down">{down}</span>' if indicator.direction == "down" else ""
        where = ""
        if indicator.node_id != group_id:
            node = indicator.node
            where = (
                f'<br><small><a class="muted" href="{_e(node_urls.url(node.key))}#progress">'
                f"{_name(node)}</a></small>"
            )
        baseline = ip.baseline
        if baseline:
            when = _e(baseline.label) if baseline.label else _e(wareki.fy_short(int(baseline.fy)))
            baseline_cell = f"{_e(ip.baseline_shown)}<br><small>{when}</small>"
        else:
            baseline_cell = DASH
        if ip.target:
            target_cell = _e(ip.target_shown)
        else:
            target_cell = DASH
            final = ip.final
            if final:
                target_cell += (
                    f"<br><small>{final_word} {_e(ip.final_shown)}"
                    f"（{_e(wareki.fy_short(int(final.fy)))}）</small>"
                )
        actual_cell = _e(ip.actual_shown) if ip.actual else DASH
        out.append(
            "<tr>\n"
            f'    <th scope="row" class="indicator-name">'
            f'<a href="{_e(indicator_urls.url(indicator.key))}">{_e(indicator.name)}</a>\n'
            f"      {tag}\n"
            f"      {where}</th>\n"
            f"    <td>{_or_dash(ip.department_name)}</td>\n"
            f'    <td class="num">{baseline_cell}</td>\n'
            f'    <td class="num">{target_cell}</td>\n'
            f'    <td class="num">{actual_cell}</td>\n'
            f'    <td class="num">{_or_dash(ip.rate_text)}</td>\n'
            f'    <td class="judgement">{band_cell(ip.judgement, band_names)}</td>\n'
            f'    <td class="num">{_or_dash(ip.progress_text)}</td>\n'
            "  </tr>"
        )
    out.append("</tbody>\n</table></div>\n")
    return "".join(out)


def at_risk_rows(at_risk, indicator_urls: KeyedUrls) -> str:
    """The rows of the table of final targets at risk (rounds.forecasts.IndicatorForecast)."""
    return "".join(
        "<tr>\n"
        f'      <th scope="row"><a href="{_e(indicator_urls.url(f.indicator.key))}">'
        f"{_e(f.indicator.name)}</a></th>\n"
        f'      <td class="num">{_or_dash(f.linear_text)}</td>\n'
        f'      <td class="num">{_or_dash(f.target_text)}</td>\n'
        f"      <td>{_e(wareki.fy_label(int(f.forecast.final_fy)))}</td>\n"
        f"      <td>{badge(f.status, f.label)}</td>\n"
        "    </tr>"
        for f in at_risk
    )


def behind_rows(behind, node_urls: KeyedUrls) -> str:
    """The rows of the table of contents behind schedule (ContentProgress)."""
    unapproved = f' <span class="unapproved">{_e(gettext("not approved"))}</span>'
    return "".join(
        '<tr class="flagged-row">\n'
        f'      <td><a href="{_e(node_urls.url(c.node.key))}#progress">{_name(c.node)}</a></td>\n'
        f"      <td>{_e(c.entry.text or c.entry.position)}</td>\n"
        f"      <td>{_e(c.department)}{'' if c.approved else unapproved}</td>\n"
        f"      <td>{status(c.entry.status, c.flagged)}</td>\n"
        f'      <td class="pre">{_e(c.entry.note)}</td>\n'
        "    </tr>"
        for c in behind
    )


def withheld_list(reports) -> str:
    """`{% for report in reports %}{% include "…/_withheld.html" %}{% if not forloop.last %}、…`."""
    return "、".join(withheld(r) for r in reports)


def project_rows(projects, pp, project_level, node_urls: KeyedUrls) -> str:
    """rounds/progress/_project_rows.html of the 事業 `projects` (ProjectProgress), as its
    include prints it."""
    words = {  # each msgid written out, for makemessages
        "Department": _e(gettext("Department")),
        "Self-evaluation": _e(gettext("Self-evaluation")),
        "What was done": _e(gettext("What was done")),
        "What comes next": _e(gettext("What comes next")),
        "Contents": _e(gettext("Contents")),
        "not approved": _e(gettext("not approved")),
        "not evaluated": _e(gettext("not evaluated")),
        "Sheet not yet approved:": _e(gettext("Sheet not yet approved:")),
        "Not reported on any sheet.": _e(gettext("Not reported on any sheet.")),
        "No progress round for this year.": _e(gettext("No progress round for this year.")),
    }
    out = [
        '<div class="table-wrap"><table class="data projects-table">\n'
        f'  <thead><tr><th scope="col" class="c-project">{_e(project_level)}</th>'
        f'<th scope="col" class="c-dept">{words["Department"]}</th>'
        f'<th scope="col" class="c-eval">{words["Self-evaluation"]}</th>'
        f'<th scope="col" class="c-text">{words["What was done"]}</th>'
        f'<th scope="col" class="c-text">{words["What comes next"]}</th>'
        f'<th scope="col" class="c-contents">{words["Contents"]}</th></tr></thead>\n'
        "  <tbody>"
    ]
    scale = pp.scale
    for p in projects:
        node = p.node
        link = f'<a href="{_e(node_urls.url(node.key))}#progress">{_name(node)}</a>'
        for i, it in enumerate(p.items):
            out.append("<tr>\n    ")
            if i == 0:
                out.append(f'<th scope="row" rowspan="{len(p.items)}">{link}</th>')
            unapproved = (
                "" if it.approved else f' <span class="unapproved">{words["not approved"]}</span>'
            )
            code = it.entry.evaluation
            if code:
                evaluation = (
                    f'<span class="band {_e(evaluation_class(code, scale))}">'
                    f"{_e(it.evaluation)}</span>"
                )
            else:
                evaluation = f'<span class="muted">{words["not evaluated"]}</span>'
            if p.contents:
                contents = "".join(
                    f"<div>{_e(truncatechars(c.entry.text, 40) or c.entry.position)}: "
                    f"{status(c.entry.status, c.flagged)}</div>"
                    for c in p.contents
                    if c.department == it.department
                )
            else:
                contents = DASH
            out.append(
                f'\n    <td data-label="{words["Department"]}">'
                f"{_e(it.department)}{unapproved}</td>\n"
                f'    <td data-label="{words["Self-evaluation"]}">{evaluation}</td>\n'
                f'    <td class="pre" data-label="{words["What was done"]}">'
                f"{_or_dash(it.entry.done)}</td>\n"
                f'    <td class="pre" data-label="{words["What comes next"]}">'
                f"{_or_dash(it.entry.next)}</td>\n"
                f'    <td data-label="{words["Contents"]}">{contents}</td>\n'
                "  </tr>"
            )
        if not p.items:
            if p.withheld:
                why = f"{words['Sheet not yet approved:']} {withheld_list(p.withheld)}"
            elif pp.round:
                why = f'<span class="muted">{words["Not reported on any sheet."]}</span>'
            else:
                why = f'<span class="muted">{words["No progress round for this year."]}</span>'
            out.append(
                "<tr>\n"
                f'    <th scope="row">{link}</th>\n'
                f"    <td>{_or_dash(p.departments)}</td>\n"
                f'    <td colspan="4">{why}</td>\n'
                "  </tr>"
            )
    out.append("</tbody>\n</table></div>\n")
    return "".join(out)


# --- the dashboard's board (_dashboard_board.html) -----------------------------------------


def board_goal_rows(goals, band_names) -> str:
    """The rows of a board's table of counts per goal, each with its bar."""
    out = []
    for g in goals:
        rows = g.tally.rows()
        out.append(
            "<tr>\n"
            f'        <th scope="row">{_name(g.node)}</th>\n'
            f"        {_counts(rows)}\n"
            f"        <td>{bar(rows, g.tally.total, band_names)}</td>\n"
            "      </tr>"
        )
    return "".join(out)


def board_sheet_rows(departments) -> str:
    """The rows of a board's table of the departments' sheets (progress_views.DeptStatus)."""
    flagged_row = ' class="flagged-row"'
    overdue = f' <strong class="status flagged">⚠ {_e(gettext("overdue"))}</strong>'
    out = []
    for d in departments:
        report = d.report
        out.append(
            f"<tr{flagged_row if d.late else ''}>\n"
            f'        <th scope="row">{_e(report.department.name)}</th>\n'
            f"        <td>{badge(report.status, report.get_status_display())}"
            f"{overdue if d.late else ''}</td>\n"
            f"        <td>{_or_dash(wareki_date(report.submitted_at))}</td>\n"
            f"        <td>{_or_dash(wareki_date(report.approved_at))}</td>\n"
            "      </tr>"
        )
    return "".join(out)


def off_track_alerts(off_track, band_names, indicator_urls: KeyedUrls) -> str:
    """The items of a board's list of indicators off track."""
    actual = _e(gettext("Actual"))
    target = _e(gettext("Target"))
    return "".join(
        f'<li><a href="{_e(indicator_urls.url(ip.indicator.key))}">{_e(ip.indicator.name)}</a>: '
        f"{actual} {_e(ip.actual_shown)}（{target} {_e(ip.target_shown)}） "
        f"{band_cell(ip.judgement, band_names)} <small>{_e(ip.rate_text)}</small></li>"
        for ip in off_track
    )


def behind_alerts(behind, node_urls: KeyedUrls) -> str:
    """The items of a board's list of contents behind schedule."""
    unapproved = f' <span class="unapproved">{_e(gettext("not approved"))}</span>'
    return "".join(
        f'<li><a href="{_e(node_urls.url(c.node.key))}#progress">{_name(c.node)}</a>: '
        f"{_e(truncatechars(c.entry.text, 60))} — {_e(c.department)} "
        f"{status(c.entry.status, c.flagged)}{'' if c.approved else unapproved}</li>"
        for c in behind
    )
