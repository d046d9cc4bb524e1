"""Which URL names are uploads and downloads (from shinchoku/*/urls.py), with their labels.

The middleware records by URL name after the response, so the views themselves do not change.
Add a row here when a view that sends or receives a file is added.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shinchoku.audit.models import Action


class Route(NamedTuple):
    action: str
    label: Promise


ROUTES: dict[str, Route] = {
    # A department's progress sheet (rounds/urls.py).
    "rounds:sheet_xlsx": Route(Action.DOWNLOAD, _("Department sheet (Excel)")),
    "rounds:sheet_upload": Route(Action.UPLOAD, _("Department sheet (Excel)")),
    "rounds:final_sheet_xlsx": Route(Action.DOWNLOAD, _("Final evaluation sheet (Excel)")),
    "rounds:final_sheet_upload": Route(Action.UPLOAD, _("Final evaluation sheet (Excel)")),
    # The committee report (reports/urls.py); the PDFs are made by the worker,
    # pdf_file and final_pdf_file send them.
    "reports:xlsx": Route(Action.DOWNLOAD, _("Committee report (Excel)")),
    "reports:pdf_file": Route(Action.DOWNLOAD, _("Committee report (PDF)")),
    # The committee's opinions of a plan, filtered (reviews/urls.py).
    "reviews:xlsx": Route(Action.DOWNLOAD, _("Committee opinions (Excel)")),
    "reports:final_xlsx": Route(Action.DOWNLOAD, _("Final evaluation report (Excel)")),
    "reports:final_pdf_file": Route(Action.DOWNLOAD, _("Final evaluation report (PDF)")),
    # Plan workbooks (plans/urls.py): a plan, the blank template, upload and its confirmation.
    "plans:plan_workbook": Route(Action.DOWNLOAD, _("Plan workbook (Excel)")),
    "plans:workbook_template": Route(Action.DOWNLOAD, _("Blank plan workbook")),
    "plans:workbook_upload": Route(Action.UPLOAD, _("Plan workbook (checked)")),
    "plans:workbook_confirm": Route(Action.UPLOAD, _("Plan workbook (loaded)")),
    # The consistency matrix and SDG table of a plan (plans/urls.py, consistency_views).
    "plans:matrix_xlsx": Route(Action.DOWNLOAD, _("Consistency matrix (Excel)")),
    "plans:sdgs_xlsx": Route(Action.DOWNLOAD, _("SDGs per goal (Excel)")),
    # Open data (public/urls.py), usually anonymous.
    "public:csv": Route(Action.DOWNLOAD, _("Open data (CSV)")),
    "public:csv_fy": Route(Action.DOWNLOAD, _("Open data (CSV)")),
    "public:json": Route(Action.DOWNLOAD, _("Open data (JSON)")),
    "public:json_fy": Route(Action.DOWNLOAD, _("Open data (JSON)")),
    "public:summary_pdf": Route(Action.DOWNLOAD, _("Summary of the year (PDF)")),
    # The audit log itself (audit/urls.py).
    "audit:csv": Route(Action.DOWNLOAD, _("Audit log (CSV)")),
}


def label(url_name: str) -> str:
    route = ROUTES.get(url_name)
    return str(route.label) if route else ""
