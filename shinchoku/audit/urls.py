from django.urls import path

from shinchoku.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("events.csv", views.event_csv, name="csv"),
]
