"""Public pages and open data (no login): /public/…"""

from django.urls import path

from shinchoku.public import downloads, summary_views, views

app_name = "public"
P = "<slug:slug>/"
urlpatterns = [
    path("", views.index, name="index"),
    path(P, views.plan_page, name="plan"),
    path(P + "nodes/<str:key>/", views.node_page, name="node"),
    path(P + "indicators/<str:key>/", views.indicator_page, name="indicator"),
    # The one-page summary of a published year, for citizens (社協だより).
    path(P + "<int:fy>/summary/", summary_views.summary, name="summary"),
    path(P + "<int:fy>/summary.pdf", summary_views.summary_pdf_view, name="summary_pdf"),
    # Open data: the whole plan, or one published FY.
    path(P + "data.csv", downloads.plan_csv, name="csv"),
    path(P + "data.json", downloads.plan_json_view, name="json"),
    path(P + "<int:fy>/data.csv", downloads.plan_csv, name="csv_fy"),
    path(P + "<int:fy>/data.json", downloads.plan_json_view, name="json_fy"),
]
