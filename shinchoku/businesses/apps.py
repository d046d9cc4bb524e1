from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessesConfig(AppConfig):
    name = "shinchoku.businesses"
    verbose_name = _("Business evaluation")
