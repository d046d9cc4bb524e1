from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "shinchoku.public"
    verbose_name = "Public pages"
