from django.urls import path

from shinchoku.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.staff_list, name="list"),
    path("<slug:slug>/add/", views.add, name="add"),
    path("<slug:slug>/roster.xlsx", views.roster_download, name="roster_download"),
    path("<slug:slug>/roster/upload/", views.roster_upload, name="roster_upload"),
    path("<slug:slug>/roster/apply/", views.roster_apply, name="roster_apply"),
    path("<slug:slug>/<int:user_id>/", views.person, name="person"),
    path("<slug:slug>/<int:user_id>/active/", views.set_active, name="set_active"),
    path("<slug:slug>/<int:user_id>/invitation/", views.resend, name="resend"),
    path("<slug:slug>/<int:user_id>/transfer/", views.transfer, name="transfer"),
    path(
        "<slug:slug>/<int:user_id>/transfer/<int:pk>/cancel/",
        views.cancel_transfer,
        name="cancel_transfer",
    ),
]
