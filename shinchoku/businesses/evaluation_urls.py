"""URLs of the evaluation pages (see urls.py)."""

urlpatterns: list = []
