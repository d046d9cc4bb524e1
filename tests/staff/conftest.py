"""Helpers of the staff tests: the council's departments, people made through the product."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shinchoku.orgs.models import Department
from tests.conftest import COUNCIL, login_client

STRONG = "Kawa-no-nagare-2026"


def dept(name: str, org: str = COUNCIL) -> Department:
    return Department.objects.get(organization__slug=org, name=name)


def link_in(body: str) -> str:
    """The path of the first link of an e-mail body (absolute links start with the base URL)."""
    found = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert found, body
    return found.group(1)


def log_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    client.ok = response.status_code == 302
    return client


@pytest.fixture
def admin(db):
    return login_client("council-admin", role="admin")


@pytest.fixture
def operator(db):
    return login_client("operator", superuser=True)


@pytest.fixture
def mailbox(db):
    mail.outbox.clear()
    return mail.outbox
