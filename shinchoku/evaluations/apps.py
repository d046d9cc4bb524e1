from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "shinchoku.evaluations"
    verbose_name = _("Final evaluation and the next plan")

    def ready(self) -> None:
        from shinchoku.evaluations import signals

        signals.connect()
