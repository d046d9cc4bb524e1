from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shinchoku.reports"
    verbose_name = "Reports"
