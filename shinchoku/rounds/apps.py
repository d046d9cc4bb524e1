from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "shinchoku.rounds"
    verbose_name = _("Progress rounds")

    def ready(self) -> None:
        from shinchoku.rounds import receivers  # noqa: F401 - connects the signal receivers
