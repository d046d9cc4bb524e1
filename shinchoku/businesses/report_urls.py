"""URLs of the report pages (see urls.py): the board's report of a round, the 施策評価 view."""

from django.urls import path

from shinchoku.businesses import policy_views, report_views

R = "businesses/<slug:org>/evaluations/<int:fy>/report"
urlpatterns = [
    path(R + "/", report_views.report_page, name="report"),
    path(R + ".pdf", report_views.report_pdf, name="report_pdf"),
    path(R + ".xlsx", report_views.report_xlsx, name="report_xlsx"),
    path("plans/<slug:slug>/policies/", policy_views.policies, name="policies"),
]
