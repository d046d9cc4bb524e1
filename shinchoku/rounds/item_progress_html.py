"""The item page's yearly progress written in Python once (issue 16).

`rounds/_item_progress.html` (every FY's indicator table, content statuses and item texts) was
half of the item page's rendering when its cache misses: the template engine resolves each
variable and include per cell. `years_html` prints exactly what that template prints (the
template stays as the specification: tests/rounds/test_item_progress_html.py compares them on
both plan shapes, in both languages), with words translated once per call.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from shinchoku.core.keyed_urls import KeyedUrls
from shinchoku.html_out import e as _e
from shinchoku.html_out import frame
from shinchoku.plans.models import Plan
from shinchoku.plans.templatetags.shinchoku import fy_label, fy_short
from shinchoku.rounds.progress_html import status, withheld
from shinchoku.rounds.templatetags.progress import ItemYear, band_cell


def _words() -> dict[str, str]:
    """The template's words, as `{% translate %}` prints them (escaped)."""
    words = {
        "heading": "Progress by fiscal year",
        "overview": "Overview of the whole plan for this year",
        "indicator": "Indicator",
        "target": "Target",
        "actual": "Actual",
        "rate": "Achievement rate",
        "judgement": "Judgement",
        "progress": "Progress toward the final target",
        "done": "What was done",
        "next": "What comes next",
        "down": "lower is better",
        "final": "final",
        "unapproved": "not approved",
        "contents": "Status of each content as the departments reported it",
        "content": "Content",
        "department": "Department",
        "status": "Status",
        "note": "Note",
        "evaluation": "Self-evaluation",
        "withheld": "Sheets not yet approved (their contents are shown once approved):",
    }
    return {k: _e(gettext(v)) for k, v in words.items()}


def _pending_texts(pending, field: str, w: dict[str, str]) -> str:
    return "".join(
        f'<div class="pending-text"><span class="unapproved">{w["unapproved"]}</span> '
        f"{_e(getattr(e, field))}</div>"
        for e in pending
        if getattr(e, field)
    )


def _indicator_table(y: ItemYear, label: str, band_names, urls: KeyedUrls, w) -> str:
    notes = y.has_notes
    # {% blocktranslate %}: the variable escaped, the translation as it is.
    caption = gettext("Actuals and achievement, %(fy)s") % {"fy": _e(fy_short(y.fy))}
    out = [
        '<table class="data progress-table">\n'
        f"      <caption>{caption}</caption>\n"
        "      <thead><tr>\n"
        f'        <th scope="col">{w["indicator"]}</th>\n'
        f'        <th scope="col">{w["target"]}</th>\n'
        f'        <th scope="col">{w["actual"]}</th>\n'
        f'        <th scope="col">{w["rate"]}</th>\n'
        f'        <th scope="col">{w["judgement"]}</th>\n'
        f'        <th scope="col">{w["progress"]}</th>\n'
        "        "
    ]
    if notes:
        out.append(f'<th scope="col">{w["done"]}</th>\n        <th scope="col">{w["next"]}</th>')
    out.append("\n      </tr></thead>\n      <tbody>")
    for row in y.indicators:
        ip = row.progress
        indicator = ip.indicator
        down = (
            f'<span class="tag tag-down">{w["down"]}</span>'
            if indicator.direction == "down"
            else ""
        )
        if ip.target:
            target = f'<span class="value">{_e(ip.target_shown)}</span>'
        else:
            target = '<span class="none">―</span>'
            if ip.final:
                target += (
                    f"<br><small>{w['final']} {_e(ip.final_shown)}"
                    f"（{_e(fy_short(ip.final.fy))}）</small>"
                )
        if ip.actual:
            actual = f'<span class="value">{_e(ip.actual_shown)}</span>'
        else:
            actual = '<span class="none">―</span>'
        pending = "".join(
            f'<br><span class="unapproved-value"><span class="unapproved">{w["unapproved"]}'
            f"</span> {_e(shown)} <small>({_e(e.report.department.name)}・"
            f"{_e(e.report.get_status_display())})</small></span>"
            for e, shown in row.pending_actuals
        )
        hidden = "".join(f"<br>{withheld(r)}" for r in row.withheld)
        url = _e(urls.url(indicator.key))
        out.append(
            "<tr>\n"
            f'        <th scope="row" class="indicator-name"><a href="{url}">'
            f"{_e(indicator.name)}</a>\n"
            f"          {down}</th>\n"
            f'        <td class="num">{target}</td>\n'
            f'        <td class="num">{actual}\n'
            f"          {pending}\n"
            f"          {hidden}</td>\n"
            f'        <td class="num">{_e(ip.rate_text or "―")}</td>\n'
            f'        <td class="judgement">{band_cell(ip.judgement, band_names)}</td>\n'
            f'        <td class="num">{_e(ip.progress_text or "―")}</td>\n'
            "        "
        )
        if notes:
            note = ip.note
            out.append(
                f'<td class="pre">{_e(note.done) if note else ""}'
                f"{_pending_texts(row.pending, 'done', w)}</td>\n"
                f'        <td class="pre">{_e(note.next) if note else ""}'
                f"{_pending_texts(row.pending, 'next', w)}</td>"
            )
        out.append("\n      </tr>")
    out.append("</tbody>\n    </table>")
    return frame(label, "".join(out))


def _contents_table(y: ItemYear, label: str, w: dict[str, str]) -> str:
    out = [
        '<table class="data progress-table">\n'
        f"      <caption>{w['contents']}</caption>\n"
        f'      <thead><tr><th scope="col">{w["content"]}</th><th scope="col">'
        f'{w["department"]}</th><th scope="col">{w["status"]}</th><th scope="col">'
        f"{w['note']}</th></tr></thead>\n"
        "      <tbody>"
    ]
    for c in y.contents:
        entry = c["entry"]
        flagged = c["flagged"]
        unapproved = (
            ""
            if c["approved"]
            else f' <span class="unapproved" title="{_e(c["report"].get_status_display())}">'
            f"{w['unapproved']}</span>"
        )
        row_class = ' class="flagged-row"' if flagged else ""
        out.append(
            f"<tr{row_class}>\n"
            f'        <th scope="row">{_e(entry.text or entry.position)}</th>\n'
            f"        <td>{_e(c['department'])}{unapproved}</td>\n"
            f"        <td>{status(entry.status, flagged)}</td>\n"
            f'        <td class="pre">{_e(entry.note)}</td>\n'
            "      </tr>"
        )
    out.append("</tbody>\n    </table>")
    return frame(label, "".join(out))


def _item_report(it: dict, w: dict[str, str]) -> str:
    entry = it["entry"]
    unapproved = (
        ""
        if it["approved"]
        else f' <span class="unapproved" title="{_e(it["report"].get_status_display())}">'
        f"{w['unapproved']}</span>"
    )
    return (
        "\n"
        '    <div class="item-report">\n'
        f"      <h4>{_e(it['department'])}{unapproved}</h4>\n"
        '      <dl class="facts">\n'
        f'        <dt>{w["done"]}</dt><dd class="pre">{_e(entry.done or "―")}</dd>\n'
        f'        <dt>{w["next"]}</dt><dd class="pre">{_e(entry.next or "―")}</dd>\n'
        f"        <dt>{w['evaluation']}</dt><dd>{_e(it['evaluation'] or '―')}</dd>\n"
        "      </dl>\n"
        "    </div>\n"
        "    "
    )


def years_html(plan: Plan, years: list[ItemYear], band_names) -> str:
    """What rounds/_item_progress.html renders for these years."""
    if not years:
        return "\n"
    w = _words()
    urls = KeyedUrls("rounds:indicator", plan.slug)
    out = [f'\n<section class="progress-years" id="progress">\n  <h2>{w["heading"]}</h2>\n  ']
    for y in years:
        label = _e(fy_label(y.fy))
        overview = _e(reverse("rounds:overview", args=[plan.slug, y.fy]))
        out.append(
            "\n"
            '  <section class="progress-year">\n'
            f'    <h3>{label} <small class="row-actions"><a href="{overview}">'
            f"{w['overview']}</a></small></h3>\n"
            "    "
        )
        if y.indicators:
            out.append(f"\n    {_indicator_table(y, label, band_names, urls, w)}\n    ")
        out.append("\n    ")
        if y.contents:
            out.append(f"\n    {_contents_table(y, label, w)}\n    ")
        out.append("\n    ")
        out.extend(_item_report(it, w) for it in y.items)
        out.append("\n    ")
        if y.withheld:
            sheets = "、".join(withheld(r) for r in y.withheld.values())
            out.append(f'<p class="help withheld-sheets">{w["withheld"]} {sheets}</p>')
        out.append("\n  </section>\n  ")
    out.append("\n</section>\n\n")
    return "".join(out)
