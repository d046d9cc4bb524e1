"""Rounds in the browser (being written)."""

from django.http import Http404


def _stub(request, **kwargs):
    raise Http404


round_list = board = close = reopen = publish = remind = _stub
sheet_page = submit = return_sheet = approve = _stub
