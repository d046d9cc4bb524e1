"""Shared fixtures: the demo plans are loaded once per test session, as real data."""

from __future__ import annotations

import pytest


def pytest_configure(config):
    """Hash test passwords with a fast hasher: hundreds of test users, each made in a few ms.

    The product's own hashers (PBKDF2 first) are what `make run` and production use; the
    browser tests run the product in its own process with them.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from shinchoku.plans.demo import load_demo

    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def empty_db(db):
    """A database with no plans and no organizations (rolled back after the test)."""
    from shinchoku.orgs.models import Organization
    from shinchoku.plans.models import Content, ContentGoal, Plan

    ContentGoal.objects.all().delete()
    Content.objects.all().delete()
    Plan.objects.all().delete()
    Organization.objects.all().delete()
    return db


COUNCIL = "nishitokyo-shakyo"
CITY_ORG = "nishitokyo-city"


def login_client(
    username: str,
    *,
    role: str | None = None,
    org_slug: str = COUNCIL,
    superuser: bool = False,
    departments: tuple[str, ...] = (),
):
    """A test client logged in as a new user with the given role in the organization."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from shinchoku.accounts.models import Membership
    from shinchoku.orgs.models import Organization

    user = get_user_model().objects.create_user(
        username, password="x", is_superuser=superuser, last_name=username
    )
    if role:
        org = Organization.objects.get(slug=org_slug)
        member = Membership.objects.create(user=user, organization=org, role=role)
        member.departments.set(org.departments.filter(name__in=departments))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def federation_client(db):
    """Logged in as a federation operator (superuser): sees every organization."""
    return login_client("federation", superuser=True)


@pytest.fixture
def admin_client_council(db):
    """Logged in as 管理者 of the Nishitokyo council (owner of the activity and action plans)."""
    return login_client("council-admin", role="admin")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test's plan versions start again."""
    from django.core.cache import cache

    cache.clear()
    yield
