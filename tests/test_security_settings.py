"""Secure by default: the settings read from the environment, the production settings of the
README passing `check --deploy`, the Content-Security-Policy, and the Japanese error pages
(the tests run with DEBUG off, as pytest-django sets it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.views.defaults import server_error

from tests.conftest import login_client

REPO = Path(__file__).resolve().parents[1]
SETTINGS_ENV = [k for k in os.environ if k.startswith("SHINCHOKU_") and k != "SHINCHOKU_DATA_DIR"]


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV and k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(REPO), SHINCHOKU_DATA_DIR=str(tmp_path), **extra)
    return env


def settings_in_a_new_process(tmp_path: Path, names: list[str], **env: str) -> dict:
    """The settings as a fresh process reads them from the given environment."""
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'shinchoku.settings'\n"
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_clean_env(tmp_path, **env),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


# --------------------------------------------------------------------------- settings


def test_debug_is_off_and_cookies_secure_unless_the_developer_asks(tmp_path):
    names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "ALLOWED_HOSTS"]
    default = settings_in_a_new_process(tmp_path, names)
    assert default["DEBUG"] is False
    assert default["SESSION_COOKIE_SECURE"] is True and default["CSRF_COOKIE_SECURE"] is True
    assert {"127.0.0.1", "localhost", "testserver"} <= set(default["ALLOWED_HOSTS"])
    developer = settings_in_a_new_process(tmp_path, names, SHINCHOKU_DEBUG="1")
    assert developer["DEBUG"] is True and developer["SESSION_COOKIE_SECURE"] is False


def test_make_run_turns_debug_on_for_the_development_server():
    makefile = (REPO / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    # One shell with SHINCHOKU_DEBUG=1 starts the worker and the development server.
    assert "SHINCHOKU_DEBUG=1 bash -c" in run
    debug_shell = run.split("SHINCHOKU_DEBUG=1 bash -c", 1)[1]
    assert "$(BIN)/shinchoku runserver" in debug_shell and "$(BIN)/shinchoku worker" in debug_shell


def test_https_lockout_and_session_settings_come_from_the_environment(tmp_path):
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "SESSION_IDLE_MINUTES",
        "SESSION_COOKIE_AGE",
    ]
    default = settings_in_a_new_process(tmp_path, names)
    assert default["SECURE_SSL_REDIRECT"] is False and default["SECURE_HSTS_SECONDS"] == 0
    assert default["SECURE_PROXY_SSL_HEADER"] is None
    assert default["AXES_FAILURE_LIMIT"] == 5 and default["AXES_COOLOFF_TIME"] == "0:30:00"
    assert default["SESSION_IDLE_MINUTES"] == 30 and default["SESSION_COOKIE_AGE"] == 36000
    chosen = settings_in_a_new_process(
        tmp_path,
        names,
        SHINCHOKU_SECURE_SSL_REDIRECT="1",
        SHINCHOKU_HSTS_SECONDS="600",
        SHINCHOKU_HSTS_INCLUDE_SUBDOMAINS="1",
        SHINCHOKU_SECURE_PROXY_SSL_HEADER="1",
        SHINCHOKU_LOGIN_FAILURE_LIMIT="10",
        SHINCHOKU_LOGIN_COOLOFF_MINUTES="0",
        SHINCHOKU_SESSION_IDLE_MINUTES="15",
        SHINCHOKU_SESSION_MAX_HOURS="8",
    )
    assert chosen == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "AXES_FAILURE_LIMIT": 10,
        "AXES_COOLOFF_TIME": None,  # only an administrator unlocks
        "SESSION_IDLE_MINUTES": 15,
        "SESSION_COOKIE_AGE": 8 * 3600,
    }


def test_a_bad_value_stops_the_start_with_the_variable_named(tmp_path):
    env = _clean_env(tmp_path, SHINCHOKU_SESSION_IDLE_MINUTES="0")
    out = subprocess.run(
        [sys.executable, "-m", "shinchoku.cli", "check"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "SHINCHOKU_SESSION_IDLE_MINUTES must be at least 1, got 0" in out.stderr


def _readme_production_env() -> dict[str, str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Production settings", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    found = dict(re.findall(r"^export (SHINCHOKU_[A-Z_]+)=(\S+)", block, flags=re.M))
    assert "SHINCHOKU_HSTS_SECONDS" in found and "SHINCHOKU_ALLOWED_HOSTS" in found
    return found


def test_check_deploy_is_clean_with_the_production_settings_of_the_readme(tmp_path):
    env = _clean_env(tmp_path, **_readme_production_env())
    out = subprocess.run(
        [sys.executable, "-m", "shinchoku.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout
    assert "WARNINGS" not in out.stdout + out.stderr


def test_check_deploy_warns_without_them(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "shinchoku.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "security.W004" in out.stderr + out.stdout  # no HSTS
    assert "security.W008" in out.stderr + out.stdout  # no SSL redirect


@pytest.mark.django_db
def test_hsts_and_the_ssl_redirect_when_set():
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000):
        response = Client().get(reverse("accounts:login"))
        assert response.status_code == 301
        assert response["Location"] == "https://testserver/accounts/login/"
        secure = Client().get(reverse("accounts:login"), secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.django_db
def test_the_forwarded_proto_is_trusted_only_when_opted_in():
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        response = Client().get(reverse("accounts:login"), headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200


def test_passwords_have_the_documented_rules():
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= set(names)
    assert "NumericPasswordValidator" in names
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] == 12


# --------------------------------------------------------------------------- CSP


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_without_inline_script():
    client = login_client("csp-reader", role="admin")
    for url in (reverse("accounts:login"), reverse("plans:list"), "/public/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert "unsafe" not in directives["script-src"] + directives["style-src"]


# Rendered only for WeasyPrint, never served to a browser: its <style> is not under the CSP.
# Rendered only by WeasyPrint into PDFs, never served to a browser: their <style> meets no CSP.
PDF_ONLY = {"report_pdf.html", "final_pdf.html", "summary_pdf.html"}


def _templates() -> list[Path]:
    found = sorted((REPO / "shinchoku").rglob("templates/**/*.html"))
    return [path for path in found if path.name not in PDF_ONLY]


def test_templates_have_no_inline_script_style_element_or_event_handler():
    assert len(_templates()) > 20
    for path in _templates():
        html = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{path}: inline <script>"
        assert "<style" not in html, f"{path}: <style> element"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{path}: on…= handler"
        assert "javascript:" not in html, f"{path}: javascript: URL"


def test_htmx_is_told_to_inject_no_style_and_evaluate_no_script():
    base = (REPO / "shinchoku/templates/base.html").read_text()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', base).group(1)
    assert json.loads(config) == {"includeIndicatorStyles": False, "allowEval": False}


# --------------------------------------------------------------------------- error pages

ERROR_URLS = "tests.error_urls"


def _assert_product_page(html: str, heading: str) -> None:
    assert '<html lang="ja">' in html
    assert f"<h1>{heading}</h1>" in html
    assert 'class="site"' in html and "app.css" in html  # the product's layout
    assert "計画の一覧へ" in html
    for english in ("Traceback", "Django", "Forbidden", "Not Found", "Server Error"):
        assert english not in html


@pytest.mark.django_db
def test_404_is_japanese_in_the_product_layout():
    client = login_client("lost-user", role="viewer")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _assert_product_page(html, "ページが見つかりません")
    assert "lost-user" in html  # the user menu is there for a logged-in user


@pytest.mark.django_db
def test_404_of_a_plan_the_user_may_not_see_is_the_same_page():
    client = login_client("outsider", role="viewer", org_slug="nishitokyo-city")
    response = client.get(reverse("plans:edit", args=["no-such-plan"]))
    assert response.status_code == 404
    _assert_product_page(response.content.decode(), "ページが見つかりません")


@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_403_is_japanese_in_the_product_layout():
    client = login_client("denied-user", role="viewer")
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    html = response.content.decode()
    _assert_product_page(html, "この操作はできません")
    assert "組織の管理者に依頼してください" in html


@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_400_is_japanese_in_the_product_layout():
    response = Client().get("/test-errors/400/")
    assert response.status_code == 400
    _assert_product_page(response.content.decode(), "リクエストを処理できませんでした")


@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_500_is_japanese_in_the_product_layout(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    _assert_product_page(html, "サーバーでエラーが起きました")
    assert "この操作の内容は保存されていません" in html


def test_500_renders_without_a_request_context_or_database():
    # no django_db mark: any query would fail the test
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>" in html and "app.css" in html
    assert 'action="/i18n/setlang/"' not in html  # no form that could not be sent


@pytest.mark.django_db
def test_csrf_failure_is_explained_in_japanese():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    _assert_product_page(html, "送信できませんでした")
    assert "ページを再読み込みしてから、もう一度送信してください" in html
    assert "ブラウザーでこのサイトのクッキーを許可してください" in html
