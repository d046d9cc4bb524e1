"""URLs of the register pages (see urls.py)."""

from django.urls import path

from shinchoku.businesses import register_views as views
from shinchoku.businesses import register_xlsx_views as xlsx_views

urlpatterns: list = [
    path("businesses/", views.index, name="index"),
    path("businesses/<slug:org>/", views.register, name="register"),
    path("businesses/<slug:org>/new/", views.business_new, name="business_new"),
    path("businesses/<slug:org>/settings/", views.register_settings, name="register_settings"),
    path("businesses/<slug:org>/register.xlsx", xlsx_views.register_xlsx, name="register_xlsx"),
    path(
        "businesses/<slug:org>/register/upload/",
        xlsx_views.register_upload,
        name="register_upload",
    ),
    path(
        "businesses/<slug:org>/register/apply/<str:token>/",
        xlsx_views.register_apply,
        name="register_apply",
    ),
    path("businesses/<slug:org>/<int:pk>/", views.business, name="business"),
    path("businesses/<slug:org>/<int:pk>/edit/", views.business_edit, name="business_edit"),
    path("businesses/<slug:org>/<int:pk>/years/", views.business_years, name="business_years"),
]
