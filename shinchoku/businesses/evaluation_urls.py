"""URLs of the evaluation pages (see urls.py)."""

from shinchoku.businesses import rotation_urls

urlpatterns = [*rotation_urls.round_patterns]
