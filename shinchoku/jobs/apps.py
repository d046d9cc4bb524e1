from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "shinchoku.jobs"
    label = "jobs"
    verbose_name = _("Background work")

    def ready(self) -> None:
        from shinchoku.jobs import checks  # noqa: F401 - registers the system checks
