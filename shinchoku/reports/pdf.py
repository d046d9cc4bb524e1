"""The committee report as PDF: the report's HTML laid out by WeasyPrint on A4 landscape.

IPAexGothic (vendored in `fonts/`, IPA Font License) is embedded as a subset; the table
headers repeat on every page, and every page carries the plan, the FY and "page / pages".
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from shinchoku.reports.report import CommitteeReport
from shinchoku.stylesheet import app_css_section

HERE = Path(__file__).resolve().parent
FONT_PATH = HERE / "fonts" / "ipaexg.ttf"


def report_html(report: CommitteeReport) -> str:
    """The standalone HTML that becomes the PDF (reads nothing from the database)."""
    return render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "font_url": FONT_PATH.as_uri(),
            "css": app_css_section("report"),
            "header_left": f"{report.plan.title} {report.fy_label} 進捗状況",
            "header_right": f"作成 {report.generated_text}",
        },
    )


def layout(html: str):
    """Lay out the HTML into pages (a weasyprint Document: count its pages, then write it).

    Only files under this app are fetched (no network, no other files).
    """
    import weasyprint  # imported late: it loads Pango, which the web pages don't need

    class AppFiles(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(HERE.as_uri() + "/"):
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    fetcher = AppFiles(allowed_protocols=["file"], fail_on_errors=True)
    return weasyprint.HTML(string=html, base_url=HERE.as_uri(), url_fetcher=fetcher).render()


def html_to_pdf(html: str) -> bytes:
    """The HTML as PDF bytes."""
    return layout(html).write_pdf()


def report_pdf(report: CommitteeReport) -> bytes:
    return html_to_pdf(report_html(report))
