"""Fixtures of the public pages: anonymous client, a staff user, a live server for axe-core."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from tests.browser.conftest import demo_server

# Publishes a FY2019 round of the action plan too, so that the live server has an item page with
# contents, a schedule and reported progress to check.
PUBLISH_ACTION_PLAN = """
from django.contrib.auth import get_user_model
from tests.public.rounds import ACTION, published_round
user = get_user_model().objects.create_user("a11y-publisher", last_name="公開")
published_round(ACTION, 2019, user)
"""


@pytest.fixture
def city_round(db):
    """The demo city plan's FY2019 round: approved, closed and published (資料2)."""
    from shinchoku.rounds.demo import load_demo_round
    from shinchoku.rounds.models import Round

    return load_demo_round() or Round.objects.get(plan__slug="nishitokyo-chiiki-fukushi-4")


@pytest.fixture
def anonymous(city_round) -> Client:
    """A visitor who is not logged in; the city plan is published."""
    return Client()


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("総務", last_name="総務")


@pytest.fixture(scope="session")
def public_server(tmp_path_factory) -> Iterator[str]:
    """A real server on a fresh SQLite file with the demo data and two published plans."""
    data_dir = tmp_path_factory.mktemp("public-data")
    with demo_server(data_dir, ["shell", "-c", PUBLISH_ACTION_PLAN], ready="/public/") as base:
        yield base
