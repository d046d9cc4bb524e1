from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessesConfig(AppConfig):
    name = "shinchoku.businesses"
    verbose_name = _("Business evaluation")

    def ready(self) -> None:
        from shinchoku.businesses.report_progress import indicator_hint
        from shinchoku.businesses.templatetags.register_tags import item_rows
        from shinchoku.plans.item_page import ITEM_ROWS
        from shinchoku.rounds.indicator_hints import register

        # The rotation's progress beside the plan's indicator 評価事務事業数 (report_progress).
        register(indicator_hint)
        # The item's 事務事業, read with the plan on the item page (issue 16).
        ITEM_ROWS["businesses"] = item_rows
