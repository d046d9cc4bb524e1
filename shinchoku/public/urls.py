"""Public pages and open data (no login): /public/…"""

from django.urls import path

from shinchoku.public import downloads, views

app_name = "public"
P = "<slug:slug>/"
urlpatterns = [
    path("", views.index, name="index"),
    path(P, views.plan_page, name="plan"),
    path(P + "nodes/<str:key>/", views.node_page, name="node"),
    path(P + "indicators/<str:key>/", views.indicator_page, name="indicator"),
    # Open data: the whole plan, or one published FY.
    path(P + "data.csv", downloads.plan_csv, name="csv"),
    path(P + "data.json", downloads.plan_json_view, name="json"),
    path(P + "<int:fy>/data.csv", downloads.plan_csv, name="csv_fy"),
    path(P + "<int:fy>/data.json", downloads.plan_json_view, name="json_fy"),
]
