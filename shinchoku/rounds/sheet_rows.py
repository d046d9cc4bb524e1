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

from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


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


def status_options(statuses: list[str], chosen: str) -> SafeString:
    """The plan's statuses as options after the empty one, the stored one selected."""
    return mark_safe(
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
    planned = c.planned
    head = format_html(
        '<tr{}>\n        <th scope="row"><span class="row-no">{}</span> {}</th>\n'
        '        <td class="{}">{}</td>\n',
        "" if planned else mark_safe(' class="not-planned"'),
        label,
        linebreaksbr(c.content.text),
        "phase" if planned else "no-phase",
        planned if planned else words.not_planned,
    )
    if not editable:
        return format_html(
            "{}        <td>{}</td>\n        <td>{}</td>\n      </tr>", head, c.status or "―", c.note
        )
    field = f"{prefix}|status"
    invalid = (
        format_html(' aria-invalid="true" aria-describedby="{}|error"', field) if error else ""
    )
    message = (
        format_html('<span class="field-error" id="{}|error">{}</span>', field, error)
        if error
        else ""
    )
    status = format_html(
        '<td><label class="visually-hidden" for="{}">{}: {}</label>\n'
        '          <select id="{}" name="{}"{}><option value="">{}</option>{}</select>\n'
        "          {}\n          </td>",
        field,
        words.status,
        label,
        field,
        field,
        invalid,
        words.choose if planned else words.not_needed,
        status_options(statuses, c.status),
        message,
    )
    note = f"{prefix}|note"
    return format_html(
        "{}        {}\n"
        '        <td><label class="visually-hidden" for="{}">{}: {}</label>'
        '<input type="text" id="{}" name="{}" value="{}"></td>\n      </tr>',
        head,
        status,
        note,
        words.note,
        label,
        note,
        note,
        c.note,
    )
