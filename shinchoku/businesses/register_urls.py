"""URLs of the register pages (see urls.py)."""

urlpatterns: list = []
