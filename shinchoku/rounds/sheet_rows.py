"""The rows of a sheet's contents table, written once per request in Python (issue 16).

A department's sheet has a row per content (30–100): drawn by the template, each row cost about
thirty template nodes, half of the page's rendering. The row's markup is written here instead,
the same as the template wrote it: the status (select) and note (text) with their visually
hidden labels naming the row, the refused status's message with aria-invalid and
aria-describedby (ids ``<field>|error`` that sheet.js also writes), and the read-only cells of a
sheet that cannot be edited. tests/rounds/test_sheet_rows.py holds the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape as _html_escape

from django.template.defaultfilters import linebreaksbr
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from shinchoku.core import wareki


def conditional_escape(value) -> str:
    """django.utils.html.conditional_escape without its lazy-text wrapper, the same output: a
    page calls it about two thousand times (issue 16)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


def format_html(template: str, *args) -> SafeString:
    """django.utils.html.format_html with the escape above."""
    return SafeString(template.format(*(conditional_escape(a) for a in args)))


@dataclass(frozen=True)
class Words:
    """The words of every row, translated once per page."""

    status: str
    note: str
    choose: str
    not_needed: str
    not_planned: str

    @classmethod
    def now(cls) -> Words:
        return _words(cls, get_language())

    @classmethod
    def _make(cls) -> Words:
        return cls(
            *(
                conditional_escape(gettext(w))
                for w in (
                    "Status",
                    "Note",
                    "(choose)",
                    "(not needed)",
                    "Not applicable (nothing planned this year)",
                )
            )
        )


@lru_cache(maxsize=64)
def _words(kind: type, language: str | None, *args):
    """A page's words (Words, IndicatorWords, SectionWords), translated once per language (and
    year) in the process: the same for every page (issue 16)."""
    return kind._make(*args)


def status_options(statuses: list[str], chosen: str) -> SafeString:
    """The plan's statuses as options after the empty one, the stored one selected."""
    return _options(tuple(statuses), chosen)


@lru_cache(maxsize=256)
def _options(statuses: tuple[str, ...], chosen: str) -> SafeString:
    return SafeString(
        "".join(
            f"<option selected>{conditional_escape(s)}</option>"
            if s == chosen
            else f"<option>{conditional_escape(s)}</option>"
            for s in statuses
        )
    )


def content_row(
    c, *, prefix: str, label: str, error: str, statuses: list[str], editable: bool, words: Words
) -> SafeString:
    """One content's row: No. and text, the phase planned this year, status and note."""
    esc = conditional_escape
    planned = c.planned
    label = esc(label)
    phase = "phase" if planned else "no-phase"
    row = "<tr>" if planned else '<tr class="not-planned">'
    head = (
        f"{row}\n"
        f'        <th scope="row"><span class="row-no">{label}</span> '
        f"{linebreaksbr(c.content.text)}</th>\n"
        f'        <td class="{phase}">'
        f"{esc(planned) if planned else words.not_planned}</td>\n"
    )
    if not editable:
        return SafeString(
            f"{head}        <td>{esc(c.status or '―')}</td>\n"
            f"        <td>{esc(c.note)}</td>\n      </tr>"
        )
    field = esc(f"{prefix}|status")
    if error:
        invalid = f' aria-invalid="true" aria-describedby="{field}|error"'
        message = f'<span class="field-error" id="{field}|error">{esc(error)}</span>'
    else:
        invalid = message = ""
    note = esc(f"{prefix}|note")
    return SafeString(
        f"{head}        "
        f'<td><label class="visually-hidden" for="{field}">{words.status}: {label}</label>\n'
        f'          <select id="{field}" name="{field}"{invalid}><option value="">'
        f"{words.choose if planned else words.not_needed}</option>"
        f"{status_options(statuses, c.status)}</select>\n"
        f"          {message}\n          </td>\n"
        f'        <td><label class="visually-hidden" for="{note}">{words.note}: {label}</label>'
        f'<input type="text" id="{note}" name="{note}" value="{esc(c.note)}"></td>\n      </tr>'
    )


@dataclass(frozen=True)
class IndicatorWords:
    """The words of every indicator block, translated once per page (the round's year in some)."""

    unit: str
    lower: str
    baseline: str
    earlier: str
    target_for: str
    final: str
    reported_by: str
    actual_for: str
    required: str
    actual_help: str
    actual_short: str
    done: str
    next: str
    note: str

    @classmethod
    def now(cls, fy: int) -> IndicatorWords:
        return _words(cls, get_language(), int(fy))

    @classmethod
    def _make(cls, fy: int) -> IndicatorWords:
        short, label = wareki.fy_short(int(fy)), wareki.fy_label(int(fy))
        return cls(
            *(
                conditional_escape(w)
                for w in (
                    gettext("unit"),
                    gettext("lower is better"),
                    gettext("Baseline"),
                    gettext("Earlier actuals"),
                    gettext("Target for %(fy)s") % {"fy": short},
                    gettext("Final target"),
                    gettext("Reported by"),
                    gettext("Actual for %(fy)s") % {"fy": label},
                    gettext("required"),
                    gettext(
                        "A number with its unit (e.g. 1,234件; 千円 and 万円 are converted; a "
                        "number alone is read in the indicator's unit), or words when the target "
                        "is in words."
                    ),
                    gettext("Actual for %(fy)s") % {"fy": short},
                    gettext("What was done (取組状況)"),
                    gettext("What comes next (今後の展開)"),
                    gettext("Note"),
                )
            )
        )


def indicator_head(ln, words: IndicatorWords) -> SafeString:
    """An indicator block's legend (name, unit, direction) and its facts: baseline, earlier
    actuals, this year's and the final target, the reporting department."""
    ind = ln.indicator
    unit = format_html(" <small>({}: {})</small>", words.unit, ind.unit) if ind.unit else ""
    down = (
        format_html(' <span class="tag tag-down">{}</span>', words.lower)
        if ind.direction == "down"
        else ""
    )
    earlier = ""
    if ln.earlier:
        earlier = format_html(
            "<dt>{}</dt><dd>{}</dd>",
            words.earlier,
            SafeString(
                "、".join(
                    f"{conditional_escape(wareki.fy_short(int(fy)))} {conditional_escape(text)}"
                    for fy, text in ln.earlier
                )
            ),
        )
    reporter = getattr(ln.reporter, "name", "") if ln.reporter is not None else ""
    return format_html(
        "<legend>{}{}{}</legend>\n"
        '      <dl class="facts">\n'
        "        <dt>{}</dt><dd>{}</dd>\n"
        "        {}\n"
        "        <dt>{}</dt><dd>{}</dd>\n"
        "        <dt>{}</dt><dd>{}</dd>\n"
        '        <dt>{}</dt><dd class="reporter">{}</dd>\n'
        "      </dl>",
        ind.name,
        unit,
        down,
        words.baseline,
        ln.baseline or "―",
        earlier,
        words.target_for,
        ln.target or "―",
        words.final,
        ln.final or "―",
        words.reported_by,
        reporter or "―",
    )


def indicator_actual(ln, prefix: str, words: IndicatorWords) -> SafeString:
    """An editable indicator's actual: label, help, the field (marked when refused)."""
    if ln.error:
        described = format_html(
            ' aria-invalid="true" aria-describedby="{}|actual|error {}|help"', prefix, prefix
        )
        message = format_html(
            '<span class="field-error" id="{}|actual|error">{}</span>', prefix, ln.error
        )
    else:
        described, message = format_html(' aria-describedby="{}|help"', prefix), ""
    return format_html(
        '<div class="field"><label for="{}|actual">{} <span class="required">{}</span></label>\n'
        '        <span class="help" id="{}|help">{}</span>\n'
        '        <input type="text" id="{}|actual" name="{}|actual" value="{}"{}>\n'
        "        {}</div>",
        prefix,
        words.actual_for,
        words.required,
        prefix,
        words.actual_help,
        prefix,
        prefix,
        ln.actual,
        described,
        message,
    )


def indicator_entered(ln, words: IndicatorWords) -> SafeString:
    """A read-only sheet's indicator: the actual and the texts entered."""
    parts = [
        format_html(
            '<dl class="facts"><dt>{}</dt><dd><strong>{}</strong></dd>',
            words.actual_short,
            ln.actual or "―",
        )
    ]
    parts.append(
        format_html('\n        <dt>{}</dt><dd class="pre">{}</dd>', words.done, ln.done)
        if ln.done
        else SafeString("\n        ")
    )
    parts.append(
        format_html('\n        <dt>{}</dt><dd class="pre">{}</dd>', words.next, ln.next)
        if ln.next
        else SafeString("\n        ")
    )
    parts.append(
        format_html("\n        <dt>{}</dt><dd>{}</dd></dl>", words.note, ln.note)
        if ln.note
        else SafeString("\n        </dl>")
    )
    return SafeString("".join(conditional_escape(p) for p in parts))


def textarea(name: str, label: str, value: str, rows: int) -> SafeString:
    """components.field_group(name, label, value, kind="textarea", rows=rows) for a str value
    and label, written here (tests/rounds/test_sheet_rows.py compares the two)."""
    name, label = conditional_escape(name), conditional_escape(label)
    shown = conditional_escape(value) if value else ""
    return SafeString(
        f'<div class="field">\n  <label for="{name}">{label}</label>\n'
        f'  <textarea name="{name}" cols="40" rows="{rows}" id="{name}">\n{shown}</textarea>\n'
        "</div>"
    )


def text_input(name: str, label: str, value: str) -> SafeString:
    """components.field_group(name, label, value) for a str value and label, written here."""
    name, label = conditional_escape(name), conditional_escape(label)
    shown = f' value="{conditional_escape(value)}"' if value else ""
    return SafeString(
        f'<div class="field">\n  <label for="{name}">{label}</label>\n'
        f'  <input type="text" name="{name}"{shown} id="{name}">\n</div>'
    )


def join_fields(*fields: str) -> SafeString:
    """Field groups (components.field_group) one under another, as the template wrote them."""
    return SafeString("\n      ".join(fields))


def _text(value) -> str:
    """A value as the template printed it (localized, escaped)."""
    return conditional_escape(localize(value))


def scale_radios(scale: list[dict], name: str, chosen, invalid: bool) -> SafeString:
    """An item's self-evaluation: a radio per grade of the plan's scale, the stored one checked."""
    field = conditional_escape(name)
    marked = ' aria-invalid="true"' if invalid else ""
    return SafeString(
        "".join(
            f'<label><input type="radio" name="{field}" value="{_text(s.get("code", ""))}"'
            f"{' checked' if s.get('code', '') == chosen else ''}{marked}> "
            f"<strong>{_text(s.get('code', ''))} {_text(s.get('name', ''))}</strong> "
            f"<small>{_text(s.get('definition', ''))}</small></label>"
            for s in scale
        )
    )


@lru_cache(maxsize=64)
def _last_words(language: str | None, fy: int) -> tuple[str, ...]:
    """The words of last year's blocks, translated once per language and year (issue 16)."""
    esc = conditional_escape
    return (
        esc(gettext("What was done (取組状況)")),
        esc(gettext("What comes next (今後の展開)")),
        gettext("Last year (%(fy)s)") % {"fy": esc(wareki.fy_short(fy))},
        esc(gettext("This field already has text. Replace it with last year’s text?")),
        esc(gettext("Copy last year's text")),
    )


def last_year_block(line, prefix: str, own: str, editable: bool) -> SafeString:
    """Last year's approved texts of an item or indicator (once rounds/_last_year.html), read
    only: each department's 取組状況 and 今後の展開, headed by the department when there are
    several or it is another one (`own` is this sheet's department), and on an editable sheet
    the button that copies them into the empty fields named by prefix (JS in app.js; without
    JS the form's 「前年度の内容を空欄に写す」 button does it on the server)."""
    texts = line.last_year
    if not texts:
        return SafeString("")
    esc = conditional_escape
    field = esc(prefix)
    done, next_, title, confirm, copy = _last_words(get_language(), int(line.last_fy))
    parts = [
        f'\n<div class="last-year" role="group" aria-labelledby="{field}|last">\n'
        f'  <p class="last-year-title" id="{field}|last">{title}</p>\n'
    ]
    for t in texts:
        dept = (
            f'<p class="last-year-dept">{esc(t.department)}</p>'
            if t.department and (len(texts) > 1 or t.department != own)
            else ""
        )
        parts.append(
            f'  {dept}\n  <dl class="facts">\n'
            f'    <dt>{done}</dt><dd class="pre">{esc(t.done or "―")}</dd>\n'
            f'    <dt>{next_}</dt><dd class="pre">{esc(t.next or "―")}</dd>\n  </dl>\n'
        )
    if editable:
        parts.append(
            '  <p class="last-year-copy"><button type="button" class="small" hidden '
            f'data-copy-last="{field}" data-done="{esc(line.last_done)}" '
            f'data-next="{esc(line.last_next)}" data-confirm="{confirm}">'
            f"{copy}</button></p>\n"
        )
    parts.append("</div>\n")
    return SafeString("".join(parts))


# --- an item's whole section (issue 16): once the loop body of rounds/sheet.html -----------


@dataclass(frozen=True)
class SectionWords:
    """The words of every item's section, translated once per page."""

    caption: str  # the contents table's caption (the round's year in it)
    content: str
    planned: str
    status: str
    note: str
    required: str
    next: str
    done_year: str
    self_evaluation: str
    no_rows: str
    to_top: str
    not_approved: str
    entered_before: str
    kept: str
    approved_for: str  # with the year

    @classmethod
    def now(cls, fy: int) -> SectionWords:
        return _words(cls, get_language(), int(fy))

    @classmethod
    def _make(cls, fy: int) -> SectionWords:
        esc = conditional_escape
        return cls(
            gettext("Contents and their status in %(fy)s") % {"fy": esc(wareki.fy_label(fy))},
            *(
                esc(gettext(w))
                for w in (
                    "Content",
                    "Planned this year",
                    "Status",
                    "Note",
                    "required",
                    "What comes next (今後の展開)",
                    "What was done this year (取組状況)",
                    "Self-evaluation",
                    "This item has no contents or indicators: report its status for the year "
                    "as the self-evaluation, with what was done and what comes next.",
                    "Back to the top of the page",
                    "(not approved yet)",
                    "Entered by this department before",
                    "(kept; the approver compares it with the reporting department's value)",
                )
            ),
            gettext("Approved actual for %(fy)s") % {"fy": esc(wareki.fy_short(fy))},
        )


@dataclass(frozen=True)
class Section:
    """What every item's section of a page shares."""

    words: SectionWords
    editable: bool
    scale: list
    node_url: object  # node key → the item page's URL
    opinions: object  # a list of opinion rows → their HTML (reviews/_sheet_opinions.html)


def item_section(item, page: Section) -> SafeString:
    """An item's section of the sheet as the loop body of rounds/sheet.html wrote it, byte for
    byte: its heading, contents table, indicator blocks, texts and self-evaluation."""
    esc, w, node = conditional_escape, page.words, item.node
    out = [
        f'\n  <section class="sheet-item" id="item-{esc(node.key)}">\n'
        f'    <h2><a href="{esc(page.node_url(node.key))}">{_text(node.label)} '
        f"{_text(node.title)}</a></h2>\n    ",
    ]
    if getattr(item, "opinions", None):
        out.append(page.opinions(item.opinions))
    out.append("\n    ")
    if not item.contents and not item.indicators:
        out.append(f'<p class="help">{w.no_rows}</p>')
    out.append("\n    ")
    if item.contents:
        label = gettext("Contents of %(item)s") % {"item": _text(node.title)}
        rows = "".join(c.row for c in item.contents)
        out.append(
            "\n    \n    "
            f'<div class="table-frame stick-1" tabindex="0" role="region" aria-label="{label}">'
            '<table class="data sheet-contents">\n'
            f"      <caption>{w.caption}</caption>\n"
            f'      <thead><tr><th scope="col" class="col-name">{w.content}</th>'
            f'<th scope="col">{w.planned}</th><th scope="col">{w.status}</th>'
            f'<th scope="col">{w.note}</th></tr></thead>\n'
            f"      <tbody>{rows}</tbody>\n    </table></div>\n    "
        )
    out.append("\n    ")
    for ln in item.indicators:
        out.append(_indicator_block(ln, page))
    out.append("\n    \n    ")
    out.append(getattr(item, "last_block", ""))
    out.append("\n    ")
    prefix = esc(f"i|{node.key}")
    if page.editable:
        error = getattr(item, "error", "")
        described = f' aria-describedby="{prefix}|evaluation|error"' if error else ""
        message = (
            f'<span class="field-error" id="{prefix}|evaluation|error">{esc(error)}</span>'
            if error
            else ""
        )
        out.append(
            f"\n    {item.fields}\n"
            f'    <fieldset class="scale"{described}><legend>{w.self_evaluation} '
            f'<span class="required">{w.required}</span></legend>\n'
            f"      {item.scale}\n      {message}\n    </fieldset>\n    "
        )
    else:
        chosen = "".join(
            f"{_text(s.code)} {_text(s.name)}" if _get(s, "code") == item.evaluation else ""
            for s in map(_Grade, page.scale)
        )
        out.append(
            '\n    <dl class="facts">\n'
            f'      <dt>{w.done_year}</dt><dd class="pre">{esc(item.done) if item.done else "―"}'
            "</dd>\n"
            f'      <dt>{w.next}</dt><dd class="pre">{esc(item.next) if item.next else "―"}</dd>\n'
            f"      <dt>{w.self_evaluation}</dt><dd>{chosen}"
            f"{'' if item.evaluation else '―'}</dd>\n    </dl>\n    "
        )
    out.append(f'\n    <p class="to-top"><a href="#main">{w.to_top}</a></p>\n\n  </section>\n  ')
    return SafeString("".join(out))


def _indicator_block(ln, page: Section) -> str:
    esc, w = conditional_escape, page.words
    out = ['\n    <fieldset class="indicator-entry">\n      ', ln.head, "\n      "]
    if getattr(ln, "opinions", None):
        out.append(page.opinions(ln.opinions))
    out.append("\n      ")
    if ln.readonly:
        reporter = getattr(ln.reporter, "name", "") if ln.reporter is not None else ""
        reports = gettext(
            "%(dept)s reports this indicator. It is shown here for reference and is not "
            "entered on this sheet."
        ) % {"dept": esc(reporter)}
        pending = "" if ln.approved else f" <small>{w.not_approved}</small>"
        earlier = (
            f"<dt>{w.entered_before}</dt><dd>{esc(ln.earlier_entry)} <small>{w.kept}</small></dd>"
            if ln.earlier_entry
            else ""
        )
        out.append(
            "\n"
            f'      <p class="help readonly-note">{reports}</p>\n'
            f'      <dl class="facts"><dt>{w.approved_for}</dt><dd><strong>'
            f"{esc(ln.approved) if ln.approved else '―'}</strong>{pending}</dd>\n"
            f"        {earlier}</dl>\n      "
        )
    elif page.editable:
        hints = "".join(
            f'<p class="help indicator-hint"><a href="{esc(h.url)}">{esc(h.text)}</a></p>'
            if _get(h, "url")
            else f'<p class="help indicator-hint">{esc(h.text)}</p>'
            for h in ln.hints
        )
        out.append(
            f"\n      {ln.actual_field}\n      {hints}\n      {getattr(ln, 'last_block', '')}\n"
            f"      {ln.fields}\n      "
        )
    else:
        out.append(f"\n      {getattr(ln, 'last_block', '')}\n      {ln.entered}\n      ")
    out.append("\n    </fieldset>\n    ")
    return "".join(out)


def _get(obj, name: str):
    """A template variable's lookup: a key of a dict, else an attribute ("" when missing)."""
    if isinstance(obj, dict):
        return obj.get(name, "")
    return getattr(obj, name, "")


class _Grade:
    """A grade of the evaluation scale (a dict) read as the template read it."""

    __slots__ = ("code", "name")

    def __init__(self, grade) -> None:
        self.code, self.name = _get(grade, "code"), _get(grade, "name")


def toc_list(toc) -> SafeString:
    """The sheet's in-page contents (rounds/_sheet_toc.html's list): each goal with its items
    linked to their sections."""
    parts = ["<ol>"]
    for g in toc:
        goal = f"{_text(g.goal.label)} {_text(g.goal.title)}" if g.goal else ""
        rows = "".join(
            f'<li><a href="#item-{conditional_escape(item.node.key)}">{_text(item.node.label)} '
            f"{_text(item.node.title)}</a></li>"
            for item in g.rows
        )
        parts.append(f"<li>{goal}\n  <ul>{rows}</ul></li>")
    parts.append("</ol>")
    return SafeString("".join(parts))


def list_items(texts: list[str]) -> SafeString:
    """Texts as the items of a list (<li>…</li> each)."""
    return SafeString("".join(f"<li>{conditional_escape(t)}</li>" for t in texts))
