"""The board's report as an A4 landscape PDF, laid out by WeasyPrint like the committee report.

The committee report's page rules (IPAexGothic embedded, running header, 「page / pages」 at the
foot) and its table styles (app.css, section pdf:report) are reused; this report's own column
widths are app.css section pdf:businesses-report, shared with the page.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from shinchoku.businesses.report import EvaluationReport
from shinchoku.reports.pdf import FONT_PATH, html_to_pdf
from shinchoku.stylesheet import app_css_section


def report_html(report: EvaluationReport) -> str:
    """The standalone HTML that becomes the PDF (reads nothing from the database)."""
    return render_to_string(
        "businesses/report_pdf.html",
        {
            "report": report,
            "font_url": FONT_PATH.as_uri(),
            "css": app_css_section("report"),
            "own_css": app_css_section("businesses-report"),
            "header_left": f"{report.organization.name} {report.title}",
            "header_right": f"作成 {report.generated}",
        },
    )


def pdf_bytes(report: EvaluationReport) -> bytes:
    return html_to_pdf(report_html(report))
