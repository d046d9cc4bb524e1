"""Production serving (docs/production.md): sessions that are not written on every page, the
password hasher left at its strength, persistent connections and static files from the
environment, and the gunicorn settings file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login_client

ROOT = Path(__file__).resolve().parents[1]
SHINCHOKU = Path(sys.executable).with_name("shinchoku")


def _settings_in_production(tmp_path: Path, expression: str, **env: str) -> object:
    """Evaluate `expression` on the settings of a fresh process started as production starts."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SHINCHOKU_", "DATABASE_URL", "DJANGO_"))
    }
    environ.update(
        PYTHONPATH=str(ROOT), SHINCHOKU_DATA_DIR=str(tmp_path), SHINCHOKU_SECRET_KEY="k" * 50
    )
    environ.update(env)
    code = f"import json; from django.conf import settings as s; print(json.dumps({expression}))"
    out = subprocess.run(
        [str(SHINCHOKU), "shell", "-c", code],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db
def test_a_signed_in_page_view_does_not_write_the_session_row(admin_client_council):
    client = admin_client_council
    client.get(reverse("plans:list"))  # the first request stamps the session
    before = Session.objects.get().expire_date
    for url in (reverse("plans:list"), reverse("todo:page"), reverse("plans:list")):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert _session_writes(queries.captured_queries) == [], url
    assert Session.objects.get().expire_date == before


@pytest.mark.django_db
def test_the_session_is_stamped_again_only_after_a_minute():
    from shinchoku.accounts import sessions
    from shinchoku.accounts.middleware import STAMP_EVERY_SECONDS

    client = login_client("stamped", role="staff")
    client.get(reverse("todo:page"))
    session = client.session
    session[sessions.LAST_SEEN] -= STAMP_EVERY_SECONDS + 1
    session.save()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("todo:page"))
    assert len(_session_writes(queries.captured_queries)) == 1


def test_sessions_are_cached_only_in_a_cache_every_server_shares(tmp_path):
    engine = "SESSION_ENGINE"
    assert _settings_in_production(tmp_path, f"s.{engine}") == (
        "django.contrib.sessions.backends.db"
    )
    with_redis = _settings_in_production(
        tmp_path, f"s.{engine}", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert with_redis == "django.contrib.sessions.backends.cached_db"


def test_the_password_hasher_is_django_s_default_pbkdf2_at_full_strength(tmp_path):
    # The test suite hashes with MD5 for speed (tests/conftest.py); the product must not.
    algorithm, iterations, hashers = _settings_in_production(
        tmp_path,
        "[__import__('django.contrib.auth.hashers').contrib.auth.hashers.get_hasher().algorithm,"
        " __import__('django.contrib.auth.hashers').contrib.auth.hashers.get_hasher().iterations,"
        " s.PASSWORD_HASHERS]",
        SHINCHOKU_DEBUG="0",
    )
    from django.conf import global_settings

    assert algorithm == "pbkdf2_sha256"
    assert iterations >= 1_000_000
    assert hashers == global_settings.PASSWORD_HASHERS


def test_postgresql_connections_persist_and_are_checked_by_default(tmp_path):
    url = "postgres://u@db.example:5432/shinchoku"
    default = _settings_in_production(
        tmp_path,
        "[s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS']]",
        DATABASE_URL=url,
    )
    assert default == [600, True]
    chosen = _settings_in_production(
        tmp_path,
        "[s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS']]",
        DATABASE_URL=url,
        SHINCHOKU_CONN_MAX_AGE="0",
        SHINCHOKU_CONN_HEALTH_CHECKS="0",
    )
    assert chosen == [0, False]


def test_static_files_are_hashed_and_compressed_only_when_asked(tmp_path):
    expression = "[s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS]"
    assert _settings_in_production(tmp_path, expression) == [
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        True,
    ]
    assert _settings_in_production(tmp_path, expression, SHINCHOKU_STATIC_MANIFEST="1") == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        False,
    ]


def test_the_gunicorn_settings_file_loads_with_threads_per_worker(tmp_path):
    from gunicorn.config import Config

    config = Config()
    namespace: dict = {}
    code = (ROOT / "shinchoku" / "gunicorn_conf.py").read_text()
    exec(compile(code, "gunicorn_conf.py", "exec"), namespace)  # noqa: S102
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    assert config.worker_class_str == "gthread"
    assert config.threads >= 2
    assert config.workers >= 2
    assert config.preload_app
