from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("shinchoku.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("public/", include("shinchoku.public.urls")),
    path("audit/", include("shinchoku.audit.urls")),
    path("", include("shinchoku.todo.urls")),
    path("staff/", include("shinchoku.staff.urls")),
    path("notifications/", include("shinchoku.notify.urls")),
    path("", include("shinchoku.search.urls")),
    path("", include("shinchoku.reports.urls")),
    path("", include("shinchoku.rounds.urls")),
    path("", include("shinchoku.reviews.urls")),
    path("", include("shinchoku.evaluations.urls")),
    path("", include("shinchoku.plans.urls")),
]
