"""Shared for the browser tests: a real server on a fresh SQLite file with the demo data.

Chromium is Debian's (never downloaded by Playwright); the tests skip with a message when it or
Playwright is missing.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen
from urllib.request import urlopen

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
SKIP_WITHOUT_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"
)
# A browser test serves the product from its own SQLite file (demo_server drops DATABASE_URL), so
# the PostgreSQL pass of the suite would run exactly the same thing again: it runs in the SQLite
# pass only. The PostgreSQL behaviour of the same flows is covered by the test-client tests.
SKIP_IN_POSTGRESQL_PASS = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="browser tests serve SQLite whatever the database; they run in the SQLite pass",
)


SERVER_START_TIMEOUT = 120  # seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shinchoku_script() -> Path:
    script = Path(sys.executable).with_name("shinchoku")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    return script


def _product_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHINCHOKU_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(REPO)
    return env


def _run(env: dict[str, str], args: list[str]) -> None:
    subprocess.run(
        [str(shinchoku_script()), *args], env=env, cwd=REPO, check=True, capture_output=True
    )


_TEMPLATE: list[Path] = []  # this test process's migrated data directory with the demo


def _demo_template() -> Path:
    """A data directory that `migrate` and `load-demo` made, once per test process.

    Every demo server starts from a copy of it: the two commands take about 15 s of CPU, and
    the suite starts a dozen servers. The copy is the same SQLite file the commands would write.
    """
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="shinchoku-demo-template-"))
        atexit.register(shutil.rmtree, template, True)
        env = _product_env(template)
        for args in (["migrate", "--noinput"], ["load-demo", "--if-empty"]):
            _run(env, args)
        _TEMPLATE.append(template)
    return _TEMPLATE[0]


def demo_env(data_dir: Path, *extra: list[str]) -> dict[str, str]:
    """The environment of a product on a fresh SQLite file in data_dir, migrated, with the demo
    (a copy of the process's template), then the extra commands run in order."""
    env = _product_env(data_dir)
    if (data_dir / "shinchoku.sqlite3").exists():  # made by the caller: bring it up to date
        commands = [["migrate", "--noinput"], ["load-demo", "--if-empty"], *extra]
    else:
        shutil.copytree(_demo_template(), data_dir, dirs_exist_ok=True)
        commands = list(extra)
    for args in commands:
        _run(env, args)
    return env


def start_runserver(env: dict[str, str], ready: str = "/accounts/login/") -> tuple[Popen, str]:
    """`shinchoku runserver` on a free port, once it answers; (process, base URL)."""
    port = _free_port()
    process = subprocess.Popen(
        [str(shinchoku_script()), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    # Until it answers: a few seconds, more on a loaded machine (a CI run beside other work).
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urlopen(base + ready, timeout=5)  # noqa: S310 - our own local server
            break
        except OSError:
            time.sleep(0.2)
    return process, base


def start_worker(env: dict[str, str], log: Path | None = None) -> Popen:
    """`shinchoku worker` (report PDFs, e-mail, housekeeping), its output in `log`."""
    out = log.open("ab") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            [str(shinchoku_script()), "worker", "--interval", "0.2"],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finally:
        if log:
            out.close()


def stop(process: Popen) -> None:
    """Stop a server or worker we started: SIGTERM, then SIGKILL if it does not stop."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def demo_server(
    data_dir: Path, *extra: list[str], ready: str = "/accounts/login/"
) -> Iterator[str]:
    """Serve the product on a fresh SQLite file with the demo data (and extra commands),
    with a `shinchoku worker` beside the web server (report PDFs are made by the worker)."""
    env = demo_env(data_dir, *extra)
    worker = start_worker(env, data_dir / "worker.log")
    process, base = start_runserver(env, ready)
    try:
        yield base
    finally:
        stop(process)
        stop(worker)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("browser-data")) as base:
        yield base


DEMO_PASSWORD = "shinchoku-demo"  # the documented demo-only password


def log_in(page, server: str, username: str) -> None:
    page.goto(server + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
