"""URLs of the report pages (see urls.py)."""

urlpatterns: list = []
