from django.urls import path

from shinchoku.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("plans/<slug:slug>/next-plan/", views.next_plan, name="next_plan"),
    path("plans/<slug:slug>/adopt/", views.adopt, name="adopt"),
]
