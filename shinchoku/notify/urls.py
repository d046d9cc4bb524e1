from django.urls import path

from shinchoku.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("rounds/<slug:slug>/<int:fy>/retry/", views.round_retry, name="round_retry"),
    path("rounds/<slug:slug>/final/retry/", views.final_retry, name="final_retry"),
]
