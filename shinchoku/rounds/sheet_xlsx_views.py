"""Download and upload a department's sheet as Excel (being written)."""

from django.http import Http404


def sheet_download(request, slug, fy, dept):
    raise Http404


def sheet_upload(request, slug, fy, dept):
    raise Http404
