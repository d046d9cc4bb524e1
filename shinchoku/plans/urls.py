from django.urls import path

from shinchoku.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("plans/<slug:slug>/", views.plan_detail, name="detail"),
    path("plans/<slug:slug>/roadmap/", views.roadmap, name="roadmap"),
    path("plans/<slug:slug>/indicators/", views.indicator_list, name="indicators"),
    path("plans/<slug:slug>/nodes/<str:key>/", views.node_detail, name="node"),
]
