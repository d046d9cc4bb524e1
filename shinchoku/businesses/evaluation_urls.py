"""URLs of the evaluation pages (see urls.py): the rotation and rounds, then the sheets."""

from shinchoku.businesses import rotation_urls, sheet_urls

urlpatterns = [*rotation_urls.round_patterns, *sheet_urls.sheet_patterns]
