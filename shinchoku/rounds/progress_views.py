"""Progress views (being written)."""

from django.http import Http404


def overview_latest(request, slug):
    raise Http404


def overview(request, slug, fy):
    raise Http404


def indicator_page(request, slug, key):
    raise Http404


def dashboard(request):
    raise Http404
