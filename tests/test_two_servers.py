"""Two web servers behind one load balancer, on one database (docs/production.md).

Two gunicorn processes started with the production settings file, each with a data folder of
its own (so anything kept on one server's disk would be missing on the other), one SQLite
database file and one secret key. A 管理者 logs in on the first, uploads a plan workbook there,
and confirms its preview on the second. The static files are the collected, hashed and
compressed ones, served as immutable (cached for ten years).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from shinchoku.plans.workbook import write_workbook
from tests.factories import plan_doc

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ORG = "two-server-council"
PASSWORD = "kawa-no-nagare-2026"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = f"""
from django.contrib.auth import get_user_model
from shinchoku.accounts.models import Membership
from shinchoku.orgs.models import Department, Organization
org = Organization.objects.create(slug={ORG!r}, name="二台社協", kind="council")
Department.objects.create(organization=org, name="総務課")
user = get_user_model().objects.create_user("two-admin", password={PASSWORD!r})
Membership.objects.create(user=user, organization=org, role="admin")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """One user's browser: one cookie jar for every server (cookies do not depend on the port)."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # straight to 127.0.0.1, whatever http_proxy says
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def request(self, url: str, data: bytes | None = None, headers: dict | None = None):
        # Our own servers on 127.0.0.1 only.
        req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def post(self, url: str, fields: dict, files: dict | None = None):
        if not files:
            body = urllib.parse.urlencode(fields).encode()
            return self.request(url, body, {"Content-Type": "application/x-www-form-urlencoded"})
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            url, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def _run(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "shinchoku"), *args], env=env, check=True, timeout=300)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    base = tmp_path_factory.mktemp("two-servers")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHINCHOKU_", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(ROOT),
        SHINCHOKU_SQLITE=str(base / "shared.sqlite3"),
        SHINCHOKU_SECRET_KEY=secrets.token_urlsafe(50),
        SHINCHOKU_SECURE_COOKIES="0",
        SHINCHOKU_STATIC_MANIFEST="1",
        # The collected static files are part of the release, the same on every server.
        SHINCHOKU_STATIC_ROOT=str(base / "static"),
        SHINCHOKU_DATA_DIR=str(base / "build"),
    )
    _run(env, "migrate", "--noinput", "-v0")
    _run(env, "collectstatic", "--noinput", "-v0")
    _run(env, "shell", "-c", SETUP)
    servers, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        server_env = dict(
            env,
            SHINCHOKU_DATA_DIR=str(base / f"server-{name}"),
            SHINCHOKU_BIND=f"127.0.0.1:{port}",
            SHINCHOKU_WORKERS="1",
            SHINCHOKU_THREADS="2",
            SHINCHOKU_ACCESS_LOG="",
        )
        command = [
            str(BIN / "gunicorn"),
            "-c",
            "python:shinchoku.gunicorn_conf",
            "shinchoku.wsgi:application",
        ]
        servers.append(subprocess.Popen(command, env=server_env, cwd=base, start_new_session=True))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for server, url in zip(servers, urls, strict=True):
            deadline = time.time() + 60
            while True:
                try:
                    status, _h, _b = Browser().request(url + "/accounts/login/")
                    assert status == 200
                    break
                except OSError:
                    if server.poll() is not None or time.time() > deadline:
                        raise
                    time.sleep(0.3)
        yield base, urls
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()


def _csrf(body: bytes) -> str:
    match = CSRF.search(body.decode())
    assert match, body[:500]
    return match.group(1)


def test_an_upload_previewed_on_one_server_is_confirmed_on_the_other(two_servers):
    base, (a, b) = two_servers
    assert not (base / "server-a").exists() or (base / "server-a") != (base / "server-b")
    user = Browser()
    status, _h, page = user.request(a + "/accounts/login/")
    status, headers, _b = user.post(
        a + "/accounts/login/",
        {"csrfmiddlewaretoken": _csrf(page), "username": "two-admin", "password": PASSWORD},
    )
    assert status == 302, headers
    # Signed in on A, the session is known to B.
    status, _h, page = user.request(b + "/workbook/")
    assert status == 200

    doc = plan_doc(slug="two-server-plan", org_slug=ORG)
    status, _h, preview = user.post(
        a + "/workbook/upload/",
        {"csrfmiddlewaretoken": _csrf(page)},
        {"file": ("plan.xlsx", write_workbook(doc))},
    )
    assert status == 200, preview[:2000]
    action = re.search(r'action="(/workbook/upload/[^"]+/)"', preview.decode()).group(1)

    status, headers, body = user.post(b + action, {"csrfmiddlewaretoken": _csrf(preview)})
    assert status == 302, body[:2000]
    assert headers["Location"].endswith("/two-server-plan/")
    status, _h, plan_page = user.request(b + headers["Location"])
    assert status == 200
    assert doc["plan"]["title"] in plan_page.decode()
    status, _h, _page = user.request(a + headers["Location"])
    assert status == 200
    # Neither server wrote anything to its own data folder but what settings keep there.
    for name in ("server-a", "server-b"):
        kept = {p.name for p in (base / name).rglob("*")} if (base / name).exists() else set()
        assert kept <= {"staticfiles"}, kept


def test_static_files_are_hashed_compressed_and_cached_for_good(two_servers):
    _base, (a, _b) = two_servers
    status, _h, page = Browser().request(a + "/accounts/login/")
    css = re.search(r'href="(/static/shinchoku/app\.[0-9a-f]{12}\.css)"', page.decode())
    assert css, "app.css is not linked by its hashed name"
    status, headers, _body = Browser().request(
        a + css.group(1), headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert "max-age=315360000" in headers["Cache-Control"]
    status, headers, _body = Browser().request(a + "/favicon.ico")
    assert status == 302
    assert re.fullmatch(r"/static/shinchoku/favicon\.[0-9a-f]{12}\.ico", headers["Location"])
