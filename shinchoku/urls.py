from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic.base import RedirectView

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page links: send them to the static file.
    path(
        "favicon.ico",
        # Looked up on the first request, not at import: with the hashed static files of
        # production (docs/production.md) the name is known only after `collectstatic`.
        RedirectView.as_view(url=lazy(static, str)("shinchoku/favicon.ico"), permanent=False),
        name="favicon",
    ),
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
    path("", include("shinchoku.businesses.urls")),
    path("", include("shinchoku.plans.urls")),
]
