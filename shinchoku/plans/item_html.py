"""The item page's repeated rows written in Python once (issue 16).

The contents table (each content with its schedule cells and goal links) and the levels below
the node are the bulk of the item page's rendering when its cache misses; written here with
escape, they print exactly what plans/_content_table.html, _goal_ref.html and _subtree.html
print, at a fraction of the template engine's cost. Words are translated once per table.
"""

from __future__ import annotations

import functools
import re

from django.template.defaultfilters import linebreaksbr
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext

from shinchoku.core import wareki
from shinchoku.html_out import LONG_ROWS, frame
from shinchoku.html_out import e as _e
from shinchoku.plans.models import Plan
from shinchoku.plans.templatetags.shinchoku import shown_label, tag_class, wareki_date

PLAIN = re.compile(r"[A-Za-z0-9_.~-]+")  # what reverse() leaves as it is in a path


@functools.lru_cache(maxsize=256)
def _node_url_parts(prefix: str, slug: str) -> tuple[str, str]:
    """plans:node of the plan `slug` around its key, reversed once per script prefix (the
    urls change only on a restart)."""
    head, _, tail = reverse("plans:node", args=[slug, "KEY"]).rpartition("KEY")
    return head, tail


def _node_url(slug: str, key: str) -> str:
    """{% url 'plans:node' slug key %}, reversed once per plan for plain keys."""
    if PLAIN.fullmatch(key) and PLAIN.fullmatch(slug):
        head, tail = _node_url_parts(get_script_prefix(), slug)
        return _e(f"{head}{key}{tail}")
    return _e(reverse("plans:node", args=[slug, key]))


def _goal_ref(cg, words: dict[str, str]) -> str:
    """plans/_goal_ref.html."""
    state = getattr(cg, "ref_state", None)
    if state == "link":
        node = cg.node
        return (
            f'<a href="{_node_url(node.plan.slug, node.key)}" title="{_e(node.title)}">'
            f"{_e(node.label or node.title)}</a>"
        )
    if state == "text":
        node = cg.node
        return (
            f'<span title="{_e(node.title)}">{_e(node.plan.title)} '
            f"{_e(node.label or node.title)}</span>"
        )
    if state == "missing":
        return (
            f'<span class="ref-missing">{_e(cg.plan_slug)}:{_e(cg.node_key)}'
            f"（{words['missing']}）</span>"
        )
    return (
        f'<span class="ref-pending">{_e(cg.plan_slug)}:{_e(cg.node_key)}'
        f"（{words['pending']}）</span>"
    )


def content_table(
    entries: list[dict], caption: str, show_item: bool, fys: list[int], plan: Plan
) -> str:
    """plans/_content_table.html of `entries` ({"content", "rows"}), as its include prints it."""
    item_th = f'<th scope="col">{_e(gettext("Item"))}</th>' if show_item else ""
    words = {
        "no": _e(gettext("No.")),
        "content": _e(gettext("Content")),
        "goals": _e(gettext("Goals served")),
        "shared_title": _e(gettext("Shared content")),
        "shared": _e(gettext("shared")),
        "again": _e(gettext("listed again")),
        "no_schedule": _e(gettext("No schedule")),
        "missing": _e(gettext("the linked goal is not found")),
        "pending": _e(gettext("shown once the other organization accepts the link")),
    }
    out = [
        '<div class="table-wrap"><table class="data schedule">\n'
        f"  <caption>{_e(caption)}</caption>\n"
        "  <thead><tr>\n"
        f'    <th scope="col">{words["no"]}</th>\n'
        f"    {item_th}\n"
        f'    <th scope="col">{words["content"]}</th>\n'
        f'    <th scope="col">{words["goals"]}</th>\n'
        "    "
    ]
    for fy in fys:
        out.append(
            f'<th scope="col" class="fy">{_e(wareki.fy_short(fy))}<br>'
            f"<small>({_e(wareki.fy_western(fy))})</small></th>"
        )
    out.append("\n  </tr></thead>\n  <tbody>")
    no_schedule = f'<td colspan="{len(fys)}" class="no-phase">{words["no_schedule"]}</td>'
    for entry in entries:
        c = entry["content"]
        rows = entry["rows"]
        span = len(rows)
        out.append("\n    ")
        for i, row in enumerate(rows):
            out.append("<tr>\n      ")
            if i == 0:
                shared = (
                    f'<span class="shared" title="{words["shared_title"]}">{words["shared"]}</span>'
                    if c.shared
                    else ""
                )
                out.append(
                    f'\n      <th scope="row" rowspan="{span}">{_e(c.label)}{shared}</th>\n      '
                )
                if show_item:
                    node = c.node
                    name = f"{_e(node.label)} {_e(node.title)}"
                    if node.plan.organization_id == plan.organization_id:
                        name = f'<a href="{_node_url(node.plan.slug, node.key)}">{name}</a>'
                    out.append(
                        f'<td rowspan="{span}">{name}<br><small>{_e(node.plan.title)}</small></td>'
                    )
                tag = c.effective_tag
                tag_html = f'<span class="tag {_e(tag_class(tag))}">{_e(tag)}</span>' if tag else ""
                again = f'<span class="tag tag-repost">{words["again"]}</span>' if c.repost else ""
                goals = c.contentgoal_set.all()
                refs = "、".join(_goal_ref(cg, words) for cg in goals) or (
                    '<span class="none">―</span>'
                )
                out.append(
                    f'\n      <td rowspan="{span}">{linebreaksbr(c.text, autoescape=True)}\n'
                    f"        {tag_html}\n"
                    f"        {again}</td>\n"
                    f'      <td rowspan="{span}">{refs}</td>\n      '
                )
            out.append("\n      ")
            if row.cells:
                track = f"<small>{_e(row.track)}</small><br>" if row.track else ""
                for cell in row.cells:
                    if cell.phase:
                        out.append(
                            f'<td colspan="{cell.colspan}" class="phase">{track}'
                            f"{_e(cell.phase)}</td>"
                        )
                    else:
                        out.append(f'<td colspan="{cell.colspan}" class="no-phase"></td>')
                out.append("\n      ")
            elif fys:
                out.append(no_schedule)
            out.append("\n    </tr>")
        out.append("\n  ")
    out.append("</tbody>\n</table></div>\n")
    return "".join(out)


def subtree(items: list[dict], plan: Plan) -> str:
    """plans/_subtree.html of `items` ({"node", "children"}), as its include prints it."""
    out = ['<ul class="tree">']
    for t in items:
        node = t["node"]
        number = shown_label(node.label)
        label = f'<span class="label">{_e(number)}</span> ' if number else ""
        below = subtree(t["children"], plan) if t["children"] else ""
        out.append(
            f'\n  <li><a href="{_node_url(plan.slug, node.key)}">{label}{_e(node.title)}</a>\n'
            f"    {below}</li>"
        )
    out.append("\n</ul>\n")
    return "".join(out)


def indicator_table(rows: list, years: list[int], caption: str, plan: Plan) -> str:
    """plans/_indicator_table.html of the item's `rows` (views.IndicatorRow), without the item
    column, as its include prints it."""
    words = {
        "down": _e(gettext("lower is better")),
        "target": _e(gettext("Target")),
        "final": _e(gettext("final")),
        "actual": _e(gettext("Actual")),
        "none": _e(gettext("none")),
    }
    out = [
        '<table class="data indicators">\n'
        f"  <caption>{_e(caption)}</caption>\n"
        "  <thead><tr>\n"
        f'    <th scope="col" class="col-name">{_e(gettext("Indicator"))}</th>\n'
        "    \n"
        f'    <th scope="col" class="col-base">{_e(gettext("Baseline"))}</th>\n'
        "    "
    ]
    for fy in years:
        out.append(
            f'<th scope="col" class="fy">{_e(wareki.fy_short(fy))}<br>'
            f"<small>({_e(wareki.fy_western(fy))})</small></th>"
        )
    out.append("\n  </tr></thead>\n  <tbody>")
    for r in rows:
        ind = r.indicator
        label = f'<span class="row-no">{_e(ind.label)}</span> ' if ind.label else ""
        url = _e(reverse("rounds:indicator", args=[plan.slug, ind.key]))
        dept = f"<br><small>{_e(ind.department.name)}</small>" if ind.department else ""
        down = (
            f'<span class="tag tag-down">{words["down"]}</span>' if ind.direction == "down" else ""
        )
        notes = (
            f'<br><small class="note">{linebreaksbr(ind.notes, autoescape=True)}</small>'
            if ind.notes
            else ""
        )
        b = r.baseline
        if b:
            when = _e(b.label) if b.label else _e(wareki.fy_label(int(b.fy)))
            if b.as_of:
                when += "・" + gettext("as of %(d)s") % {"d": _e(wareki_date(b.as_of))}
            base = f'<span class="value">{_e(r.baseline_html)}</span><br><small>{when}</small>'
        else:
            base = '<span class="none">―</span>'
        out.append(
            f'<tr>\n    <th scope="row">{label}<a href="{url}">{_e(ind.name)}</a>{dept}\n'
            f"      {down}\n"
            f"      {notes}</th>\n"
            "    \n"
            f"    <td>{base}</td>\n    "
        )
        for _fy, target, actual, target_html, actual_html in r.cells_shown:
            out.append('<td class="fy-cell">\n      ')
            if target:
                text = " text-value" if target.kind == "text" else ""
                final = (
                    f' <small class="final">{words["final"]}</small>' if target == r.final else ""
                )
                out.append(
                    f'<span class="target"><small>{words["target"]}</small> '
                    f'<span class="value{text}">{_e(target_html)}</span>{final}</span>'
                )
            out.append("\n      ")
            if actual:
                note = f" <small>({_e(actual.note)})</small>" if actual.note else ""
                out.append(
                    f'<span class="actual"><small>{words["actual"]}</small> '
                    f'<span class="value">{_e(actual_html)}</span>{note}</span>'
                )
            out.append("\n      ")
            if not target and not actual:
                out.append(f'<span class="none" aria-label="{words["none"]}">―</span>')
            out.append("\n    </td>")
        out.append("\n  </tr>")
    out.append("</tbody>\n</table>")
    return frame(_e(caption), "".join(out), long=len(rows) > LONG_ROWS) + "\n"
