from django.urls import path

from shinchoku.reviews import views

app_name = "reviews"
P = "plans/<slug:slug>/opinions/"
D = P + "<int:fy>/<int:number>/"
urlpatterns = [
    path(P, views.opinion_list, name="list"),
    path(P + "xlsx/", views.opinion_xlsx, name="xlsx"),
    path(P + "new/", views.opinion_new, name="new"),
    path(D, views.opinion_detail, name="detail"),
    path(D + "edit/", views.opinion_edit, name="edit"),
    path(D + "answer/", views.opinion_answer, name="answer"),
    path(D + "status/", views.opinion_status, name="status"),
    path(D + "assign/", views.opinion_assign, name="assign"),
    path(D + "public/", views.opinion_public, name="public"),
]
