"""The product's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from shinchoku.urls import urlpatterns as product_urls


def denied(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a test")


def broken(request):
    raise RuntimeError("a test")


urlpatterns = [
    path("test-errors/403/", denied),
    path("test-errors/400/", suspicious),
    path("test-errors/500/", broken),
    *product_urls,
]
