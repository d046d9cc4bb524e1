from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "shinchoku.search"
    verbose_name = _("Search")


# The header's search box is in the shared base.html; its label is in this app's catalogue.
HEADER_LABEL = _("Search the plans")
