"""End to end, in real processes: a committee-report PDF job started over HTTP survives the web
server being killed right after the request, and a worker killed with SIGKILL mid-render. The
next worker runs it again (once); killed a second time, it is failed with a message. Never left
"running".

The product runs on its own SQLite file (tests/browser/conftest.py), so this runs in the SQLite
pass only; the same recovery on PostgreSQL is covered by tests/reports/test_pdf_jobs.py.
"""

from __future__ import annotations

import http.cookiejar
import re
import signal
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

from tests.browser.conftest import (
    DEMO_PASSWORD,
    SKIP_IN_POSTGRESQL_PASS,
    demo_env,
    start_runserver,
    start_worker,
    stop,
)

pytestmark = [SKIP_IN_POSTGRESQL_PASS]
CITY = "nishitokyo-chiiki-fukushi-4"
USER = "nishitokyo-city-admin"


class Browser:
    """A logged-in HTTP session (cookies and CSRF token) against a runserver."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=60) as r:
            return r.geturl(), r.read().decode()

    def post(self, form_page: str, action: str, data: dict[str, str]) -> tuple[str, str]:
        """Submit the form of `form_page` that posts to `action`, as the browser would."""
        _url, html = self.get(form_page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, f"no form on {form_page}"
        body = urlencode({**data, "csrfmiddlewaretoken": token.group(1)}).encode()
        referer = {"Referer": self.base + form_page}
        request = Request(self.base + action, data=body, headers=referer)  # noqa: S310 - ours
        with self.opener.open(request, timeout=60) as r:
            return r.geturl(), r.read().decode()

    def log_in(self) -> None:
        login = "/accounts/login/"
        url, _ = self.post(login, login, {"username": USER, "password": DEMO_PASSWORD})
        assert login not in url, "the demo user could not log in"

    def start_pdf(self) -> str:
        """Press 「PDFをダウンロード」 on the report page; the job's token (from the page URL)."""
        report = f"/plans/{CITY}/report/2019/"
        url, html = self.post(report, report + "pdf/", {})
        assert 'id="pdf-status"' in html
        return url.rstrip("/").rsplit("/", 1)[1]


class Db:
    """Reads the product's SQLite file directly (nothing of this process's Django)."""

    def __init__(self, path: Path):
        self.path = path

    def job(self, token: str) -> dict:
        with sqlite3.connect(self.path, timeout=30) as c:
            c.row_factory = sqlite3.Row
            row = c.execute(
                "SELECT id, state, attempts, message, size, task_id FROM jobs_reportjob "
                "WHERE token = ?",
                (token,),
            ).fetchone()
            assert row is not None, f"no job {token}"
            return dict(row)

    def task_status(self, task_id: str) -> str:
        with sqlite3.connect(self.path, timeout=30) as c:
            row = c.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?",
                (task_id.replace("-", ""),),
            ).fetchone()
            if row is None:
                row = c.execute(
                    "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?",
                    (task_id,),
                ).fetchone()
            return row[0] if row else ""

    def wait(self, token: str, pred, timeout: float = 120) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.job(token)
            if pred(job):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {token} never got there: {self.job(token)}")


def kill(process) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)  # reaped: its pid is gone


def test_a_report_job_survives_a_killed_web_server_and_a_killed_worker(tmp_path):
    env = demo_env(tmp_path)
    env["SHINCHOKU_SECURE_COOKIES"] = "0"  # plain HTTP: urllib keeps no Secure cookies for it
    db = Db(tmp_path / "shinchoku.sqlite3")
    log = tmp_path / "worker.log"
    workers = []
    server = None
    try:
        # 1. The job is started over HTTP; the web server is killed right after the request.
        server, base = start_runserver(env)
        browser = Browser(base)
        browser.log_in()
        first = browser.start_pdf()
        kill(server)
        assert db.job(first)["state"] == "queued"

        # 2. A worker takes it and is killed with SIGKILL in the middle of the layout.
        workers.append(start_worker(env, log))
        db.wait(first, lambda j: j["state"] == "running")
        kill(workers[-1])
        assert db.job(first)["state"] == "running"  # what the dead worker leaves behind

        # 3. The next worker finds it on start, runs it again, and finishes it.
        workers.append(start_worker(env, log))
        done = db.wait(first, lambda j: j["state"] in ("done", "failed"))
        assert (done["state"], done["attempts"]) == ("done", 1), log.read_text()
        assert done["size"] > 50_000

        # 4. Another job, killed twice: failed with the message, not running for ever.
        server, base = start_runserver(env)
        browser = Browser(base)
        browser.log_in()
        # The restarted web server shows the first job done and sends its file.
        _url, html = browser.get(f"/plans/{CITY}/report/2019/pdf/{first}/")
        assert "PDFができました" in html and "hx-get" not in html
        with browser.opener.open(f"{base}/plans/{CITY}/report/2019/pdf/{first}/file/") as r:
            assert r.read(5) == b"%PDF-"
        # The plan's title changes (it is printed on every page), so the next click lays the
        # report out again instead of taking the first job's PDF (the same content).
        with sqlite3.connect(db.path, timeout=30) as c:
            c.execute("UPDATE plans_plan SET title = title || '（改訂）' WHERE slug = ?", (CITY,))
            c.execute("UPDATE plans_plancacheversion SET version = version + 1")
        second = browser.start_pdf()
        db.wait(second, lambda j: j["state"] == "running")
        kill(workers[-1])
        workers.append(start_worker(env, log))
        db.wait(second, lambda j: j["state"] == "running" and j["attempts"] == 1)
        kill(workers[-1])
        workers.append(start_worker(env, log))
        failed = db.wait(second, lambda j: j["state"] in ("done", "failed"), timeout=60)
        assert failed["state"] == "failed", failed
        assert "PDFの作成が2回中断されました" in failed["message"]
        assert "管理者に連絡してください" in failed["message"]
        assert db.task_status(failed["task_id"]) == "FAILED"
        # Its page says so, with the retry button, and stops polling.
        _url, html = browser.get(f"/plans/{CITY}/report/2019/pdf/{second}/")
        assert "PDFの作成が2回中断されました" in html and "もう一度PDFを作成する" in html
        assert "hx-get" not in html
    finally:
        for process in [server, *workers]:
            if process is not None:
                stop(process)
