"""The one-page summary as an A4 portrait PDF, ready to go into 社協だより.

The page is the summary's HTML (`public/_summary_body.html`, the same as the public page) laid
out by WeasyPrint with the vendored IPAexGothic (reports.pdf). It must be exactly one page
whatever the plan: it is laid out with the most generous `Fit` first, and with each next one
(fewer achievements and opinions, shorter texts, a smaller chart and type) while it runs over.
Should even the last not fit (a plan with very many goals), the first page alone is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone, translation

from shinchoku.core.digest import shorten
from shinchoku.public.no_figures import heads
from shinchoku.public.summary import YearSummary
from shinchoku.stylesheet import app_css_section


@dataclass(frozen=True)
class Fit:
    """How much of the summary one layout shows."""

    achievements: int
    achievement_chars: int
    opinions: int
    opinion_chars: int
    chart_mm: int  # the chart's width on paper
    font_pt: float


FITS = (
    Fit(6, 160, 4, 160, 165, 9.5),
    Fit(5, 120, 4, 120, 150, 9),
    Fit(4, 90, 3, 90, 135, 8.5),
    Fit(3, 70, 2, 70, 120, 8),
    Fit(2, 50, 2, 50, 105, 7.5),
    Fit(1, 40, 1, 40, 90, 7),
)
WEB = FITS[0]  # the public page shows what the first layout shows


def page_context(s: YearSummary, fit: Fit, full_url: str, made_on: date) -> dict:
    """What `_summary_body.html` shows for one fit: texts cut to its lengths."""
    achievements = [
        {
            "item": a.item,
            "goal": a.goal,
            "department": a.department,
            "grade": a.grade,
            "text": shorten(a.text, fit.achievement_chars),
        }
        for a in s.achievements[: fit.achievements]
    ]
    opinions = [
        {
            "number": o.number,
            "concerns": o.concerns,
            "department": o.department,
            "status": o.status,
            "closed": o.closed,
            "text": shorten(o.text, fit.opinion_chars),
            "answer": shorten(o.answer, fit.opinion_chars),
        }
        for o in s.opinions[: fit.opinions]
    ]
    grades = s.goals[0].grades if s.goals else []
    return {
        "s": s,
        "fit": fit,
        "grade_heads": heads([label for _c, label, _n, _cls in grades], [c for c, *_ in grades]),
        "chart": s.chart(),
        "achievements": achievements,
        "opinions": opinions,
        "published_on": timezone.localdate(s.published_at) if s.published_at else None,
        "made_on": made_on,
        "full_url": full_url,
    }


def summary_html(s: YearSummary, fit: Fit, full_url: str, made_on: date) -> str:
    """The standalone HTML of the PDF for one fit (reads nothing more from the database)."""
    from shinchoku.reports.pdf import FONT_PATH

    context = page_context(s, fit, full_url, made_on)
    context.update(font_url=FONT_PATH.as_uri(), css=app_css_section("summary"))
    return render_to_string("public/summary_pdf.html", context)


def summary_pdf(s: YearSummary, full_url: str, made_on: date | None = None) -> bytes:
    """One A4 portrait page, in Japanese whatever the reader's language (it goes to print)."""
    from shinchoku.reports.pdf import layout

    made_on = made_on or timezone.localdate()
    with translation.override("ja"):
        document = None
        for fit in FITS:
            document = layout(summary_html(s, fit, full_url, made_on))
            if len(document.pages) == 1:
                return document.write_pdf()
    assert document is not None
    return document.copy(document.pages[:1]).write_pdf()
