"""URLs of the evaluation pages (see urls.py)."""

from shinchoku.businesses import sheet_urls

urlpatterns = [*sheet_urls.sheet_patterns]
