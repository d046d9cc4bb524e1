"""Public pages and open data (no login): /public/…"""

from django.urls import path

from shinchoku.public import downloads, summary_views, views
from shinchoku.public.cache import cached_index, cached_plan_page

app_name = "public"
P = "<slug:slug>/"
# Every page here is served from the cache until its plan changes (public.cache, issue 16).
urlpatterns = [
    path("", cached_index(views.index), name="index"),
    path(P, cached_plan_page(views.plan_page), name="plan"),
    path(P + "nodes/<str:key>/", cached_plan_page(views.node_page), name="node"),
    path(P + "indicators/<str:key>/", cached_plan_page(views.indicator_page), name="indicator"),
    # The one-page summary of a published year, for citizens (社協だより).
    path(P + "<int:fy>/summary/", cached_plan_page(summary_views.summary), name="summary"),
    path(
        P + "<int:fy>/summary.pdf",
        cached_plan_page(summary_views.summary_pdf_view),
        name="summary_pdf",
    ),
    # Open data: the whole plan, or one published FY.
    path(P + "data.csv", cached_plan_page(downloads.plan_csv), name="csv"),
    path(P + "data.json", cached_plan_page(downloads.plan_json_view), name="json"),
    path(P + "<int:fy>/data.csv", cached_plan_page(downloads.plan_csv), name="csv_fy"),
    path(P + "<int:fy>/data.json", cached_plan_page(downloads.plan_json_view), name="json_fy"),
]
