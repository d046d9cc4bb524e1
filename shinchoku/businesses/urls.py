"""事務事業: the register, the evaluation rounds and their reports, each in its own module."""

from shinchoku.businesses import evaluation_urls, register_urls, report_urls

app_name = "businesses"
urlpatterns = [
    *register_urls.urlpatterns,
    *evaluation_urls.urlpatterns,
    *report_urls.urlpatterns,
]
