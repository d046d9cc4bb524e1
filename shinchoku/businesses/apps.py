from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessesConfig(AppConfig):
    name = "shinchoku.businesses"
    verbose_name = _("Business evaluation")

    def ready(self) -> None:
        from shinchoku.businesses.report_progress import indicator_hint
        from shinchoku.rounds.indicator_hints import register

        # The rotation's progress beside the plan's indicator 評価事務事業数 (report_progress).
        register(indicator_hint)
