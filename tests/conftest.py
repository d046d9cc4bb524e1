"""Shared fixtures: the demo plans are loaded once per test session, as real data."""

from __future__ import annotations

import pytest


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
