from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "shinchoku.plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # Every write to what a cached page shows raises the plan's cache version (issue 16).
        from shinchoku.plans import cache_version

        cache_version.install()
