"""Fixtures of the public pages: anonymous client, a staff user, a live server for axe-core."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.test import Client

from tests.browser.conftest import _free_port

REPO = Path(__file__).resolve().parents[2]

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
    script = Path(sys.executable).with_name("shinchoku")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHINCHOKU_DATA_DIR"] = str(tmp_path_factory.mktemp("public-data"))
    env["PYTHONPATH"] = str(REPO)
    for args in (
        ["migrate", "--noinput"],
        ["load-demo", "--if-empty"],
        ["shell", "-c", PUBLISH_ACTION_PLAN],
    ):
        subprocess.run([str(script), *args], env=env, cwd=REPO, check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [str(script), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urlopen(base + "/public/", timeout=1)  # noqa: S310 - our own local server
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
