"""Helpers shared by the account tests."""

from __future__ import annotations

from django.contrib import auth
from django.test import RequestFactory
from django.urls import reverse


def authenticate(username: str, password: str):
    """Django's authenticate as the login page calls it: with the request, which axes needs."""
    request = RequestFactory().post(reverse("accounts:login"))
    return auth.authenticate(request, username=username, password=password)
