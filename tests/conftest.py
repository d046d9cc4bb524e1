"""Shared fixtures: the demo plans are loaded once per test session, as real data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


def pytest_configure(config):
    """Hash test passwords with a fast hasher: hundreds of test users, each made in a few ms.

    The product's own hashers (PBKDF2 first) are what `make run` and production use; the
    browser tests run the product in its own process with them.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --------------------------------------------------------------------------- scheduling

# The slowest test modules, slowest first (measured with `pytest -n 2 --durations=40`): they start
# first, so that under pytest-xdist the short tests fill in around them and no long module is
# left running alone on one worker at the end. Without this the browser tests, which use no
# database, would run last (pytest-django runs the tests without a database after the others).
SLOW_FIRST = (
    "tests/test_every_page_language.py",
    "tests/browser/test_act_in_chromium.py",
    "tests/browser/test_tables_in_chromium.py",
    "tests/browser/test_people_in_chromium.py",
    "tests/browser/test_council_round_in_chromium.py",
    "tests/browser/test_a11y_in_chromium.py",
    "tests/browser/test_print_in_chromium.py",
    "tests/browser/",
    "tests/public/test_public_a11y.py",
    "tests/test_bundle.py",
    "tests/test_two_servers.py",
)


# Tests that cannot behave differently on PostgreSQL, so the PostgreSQL pass of `make test` skips
# them (they run in the SQLite pass): tests/core calls shinchoku/core (plain Python without
# Django; tests check that it imports none) and two pure string helpers, on plain values. None
# of them asks for the database (pytest-django would refuse any query), reads the settings'
# DATABASES or starts a process. A test added there that needs the database belongs elsewhere.
# The bundle and two-server tests start their own processes on a SQLite file of their own,
# whatever DATABASE_URL says (they remove it from the processes' environment), so they too
# run the same in both passes.
DATABASE_AGNOSTIC = ("tests/core/", "tests/test_bundle.py", "tests/test_two_servers.py")
SKIP_DATABASE_AGNOSTIC = pytest.mark.skip(
    reason="no database in these tests: they run in the SQLite pass (tests/conftest.py)"
)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def pytest_itemcollected(item: pytest.Item) -> None:
    """The PostgreSQL pass skips the tests that cannot behave differently there."""
    if os.environ.get("DATABASE_URL") and item.nodeid.startswith(DATABASE_AGNOSTIC):
        item.add_marker(SKIP_DATABASE_AGNOSTIC)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    """After the other plugins (pytest-django has put the tests with a database first, the
    transactional ones after those), the SLOW_FIRST modules move to the front, except
    transactional tests, which stay after every test that needs the demo data (they empty the
    database). `make test` hands the modules to the xdist workers whole and in this order
    (`--dist loadfile --no-loadscope-reorder`): a module's servers and parsed workbooks are
    made once, and the long modules start first while the short ones fill in around them."""
    yield

    def rank(item: pytest.Item) -> int:
        if not _transactional(item):
            for i, prefix in enumerate(SLOW_FIRST):
                if item.nodeid.startswith(prefix):
                    return i
        return len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the order is kept within each rank


# --------------------------------------------------------------------------- one Chromium


class SharedChromium:
    """One Playwright driver and one Chromium (Debian's) per test process, for every browser test.

    Started by the first test that asks for it, kept while the tests that follow use it too, and
    stopped before any other test runs: while the Playwright sync API is alive its event loop is
    marked as running, so Django would refuse database calls (SynchronousOnlyOperation).
    Each test gets fresh browser contexts (see `browser`); the product under test runs in its own
    server process, so nothing of it lives in the browser between tests.
    """

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def get(self) -> Any:
        if self._browser is None or not self._browser.is_connected():
            self.stop()
            from playwright.sync_api import sync_playwright

            from tests.browser.conftest import CHROMIUM

            self._playwright = sync_playwright().start()
            try:
                self._browser = self._playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
            except Exception as error:  # any launch failure means: no usable browser
                self.stop()
                pytest.skip(f"Chromium does not start: {error}")
        return self._browser

    def stop(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None and browser.is_connected():
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


_CHROMIUM = SharedChromium()


@pytest.fixture(scope="session")
def chromium() -> Iterator[SharedChromium]:
    """The process's Chromium: `chromium.get()` in a module-scoped fixture, else `browser`."""
    yield _CHROMIUM
    _CHROMIUM.stop()


@pytest.fixture
def browser(chromium: SharedChromium) -> Iterator[Any]:
    """The shared Chromium; every context the test opens (also by browser.new_page()) is closed
    after it, so each test starts with fresh contexts: no cookies, storage or pages of another."""
    shared = chromium.get()
    before = set(shared.contexts)
    yield shared
    for context in shared.contexts:
        if context not in before:
            context.close()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Stop the shared Chromium before a test that does not use it (see SharedChromium)."""
    if "chromium" not in getattr(item, "fixturenames", ()):
        _CHROMIUM.stop()


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
    """Each test starts with an empty cache: a rolled-back test's plan versions start again,
    and its ids are given out again (SQLite), so the plans remembered for parent rows go too."""
    from django.core.cache import cache

    from shinchoku.plans.cache_version import forget_parents

    cache.clear()
    forget_parents()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (ja): LocaleMiddleware activates the language of
    a request made with the English cookie and leaves it active in the thread afterwards, so
    without this a test's outcome would depend on which test ran before it on the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
