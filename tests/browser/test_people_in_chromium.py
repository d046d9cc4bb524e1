"""Issue 14 as a new council would live it, in headless Chromium on a fresh demo server.

The 管理者 lands on the to-do page, loads the staff list (職員名簿) from Excel with a newcomer and
everyone's e-mail address, and opens the FY2019 round of the action plan three days before its
deadline. Only then is the task worker started: it sends the invitation, the round's opening
mail and, from its daily run, the deadline reminder. The newcomer sets a password from the
invitation, finds the sheet on the to-do page, fills it in Excel and submits; the 承認者 is told,
returns it with a comment (the newcomer is told, with the comment), and approves the corrected
sheet (the newcomer is told). Every mail is read from the file backend's folder: each reaches
the right people and nobody else.
"""

from __future__ import annotations

import io
import re
import time
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import (
    DEMO_PASSWORD,
    SKIP_IN_POSTGRESQL_PASS,
    SKIP_WITHOUT_CHROMIUM,
    demo_env,
    log_in,
    start_runserver,
    start_worker,
    stop,
)
from tests.browser.test_round_in_chromium import fill_in_excel

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

PLAN = "nishitokyo-action-plan-2019"
ORG = "nishitokyo-shakyo"
ADMIN = f"{ORG}-admin"
APPROVER = f"{ORG}-approver-2"  # 福祉支援課
OTHER_STAFF = f"{ORG}-staff-3"  # another department: told when the round opens, nothing else
NEWCOMER = "shinjin-hanako"
NEWCOMER_MAIL = "shinjin@example.jp"
NEW_PASSWORD = "hanako-no-pasuwado-2026"


def mails(folder: Path) -> list[dict]:
    """Every mail the file backend wrote: to, subject, body."""
    found = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            msg = message_from_bytes(chunk, policy=policy.default)
            found.append(
                {
                    "to": [a.strip() for a in str(msg["To"]).split(",")],
                    "subject": str(msg["Subject"]),
                    "body": msg.get_body(("plain",)).get_content(),
                }
            )
    return found


def wait_for_mail(folder: Path, to: str, subject_part: str, timeout: float = 90) -> dict:
    """The first mail to `to` whose subject contains `subject_part`, once the worker sent it."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for mail in mails(folder):
            if to in mail["to"] and subject_part in mail["subject"]:
                return mail
        time.sleep(0.5)
    got = [(m["to"], m["subject"]) for m in mails(folder)]
    raise AssertionError(f"no mail to {to} about {subject_part!r}; sent: {got}")


def local_link(body: str, server: str) -> str:
    """The link in a mail, on the test's server (the mail names SHINCHOKU_BASE_URL)."""
    link = re.search(r"https?://\S+", body).group(0)
    parts = urlsplit(link)
    return server + parts.path + (f"?{parts.query}" if parts.query else "")


def add_people(data: bytes) -> bytes:
    """The 管理者's edit of the downloaded staff list: addresses for all, and one newcomer."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["職員名簿"]
    header = [c.value for c in ws[1]]
    login, mail = header.index("ログインID") + 1, header.index("メールアドレス") + 1
    for row in range(2, ws.max_row + 1):
        login_id = ws.cell(row=row, column=login).value
        if login_id:
            ws.cell(row=row, column=mail).value = f"{login_id}@example.jp"
    ws.append(["新人 花子", NEWCOMER, NEWCOMER_MAIL, "部署担当", "福祉支援課", "在職"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def shoot(page, name: str, tmp_path: Path) -> None:
    """A full-page screenshot at 1366 px and 390 px, for a person to look at after a failure.

    The README's screenshots of these pages are made by `make screenshots` (scripts/).
    """
    folder = tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_council_loads_its_staff_runs_a_round_and_everyone_is_told(
    tmp_path: Path, browser
) -> None:
    folder = tmp_path / "mail"
    env = demo_env(tmp_path / "data")
    env.update(
        SHINCHOKU_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        SHINCHOKU_EMAIL_FILE_PATH=str(folder),
        SHINCHOKU_DAILY_AT="00:00",  # the worker's daily run is due as soon as it starts
    )
    web, server = start_runserver(env)
    worker = None
    outside: list[str] = []
    try:

        def new_page():
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.on(
                "request",
                lambda r: None if r.url.startswith(server) else outside.append(r.url),
            )
            return page

        # The 管理者 logs in and lands on the to-do page.
        admin = new_page()
        log_in(admin, server, ADMIN)
        assert admin.url.endswith("/todo/")

        # The staff list: downloaded, edited in Excel, checked, applied.
        with admin.expect_navigation():
            admin.click("header >> text=職員")
        assert ORG in admin.url
        with admin.expect_download() as download:
            admin.click("text=職員名簿をダウンロード")
        roster = tmp_path / "roster.xlsx"
        roster.write_bytes(add_people(Path(download.value.path()).read_bytes()))
        admin.set_input_files("input[type=file][name=file]", str(roster))
        with admin.expect_navigation():
            admin.click("form[enctype] button[type=submit]")
        preview = admin.inner_text("main")
        assert "新人 花子" in preview
        with admin.expect_navigation():
            admin.click("form button.primary")
        assert "新人 花子" in admin.inner_text("main table")
        shoot(admin, "staff-list", tmp_path)

        # The round opens three days before its deadline.
        deadline = date.today() + timedelta(days=3)
        admin.goto(f"{server}/plans/{PLAN}/")
        admin.click("nav.plan-nav >> text=進捗調査")
        admin.select_option("#id_fy", "2019")
        admin.fill("#id_deadline", deadline.isoformat())
        with admin.expect_navigation():
            admin.click("text=開始する")
        assert "令和元年度(2019年度) 進捗調査" in admin.inner_text("h1")
        assert mails(folder) == []  # nothing is sent by the web server itself

        # The worker starts: invitation, opening, reminder (its daily run).
        worker = start_worker(env, tmp_path / "worker.log")
        invitation = wait_for_mail(folder, NEWCOMER_MAIL, "からの招待")
        opened = wait_for_mail(folder, NEWCOMER_MAIL, "が始まりました")
        assert "令和元年度" in opened["body"] and "福祉支援課" in opened["body"]
        reminder = wait_for_mail(folder, NEWCOMER_MAIL, "提出期限まであと3日")
        assert "福祉支援課" in reminder["body"]
        other = f"{OTHER_STAFF}@example.jp"
        wait_for_mail(folder, other, "が始まりました")

        # The newcomer chooses a password from the invitation and finds the sheet.
        newcomer = new_page()
        newcomer.goto(local_link(invitation["body"], server))
        newcomer.fill("#id_new_password1", NEW_PASSWORD)
        newcomer.fill("#id_new_password2", NEW_PASSWORD)
        with newcomer.expect_navigation():
            newcomer.click("main button[type=submit]")
        if "/accounts/login/" in newcomer.url:
            newcomer.fill("#id_username", NEWCOMER)
            newcomer.fill("#id_password", NEW_PASSWORD)
            with newcomer.expect_navigation():
                newcomer.click("main button[type=submit]")
        newcomer.goto(f"{server}/todo/")
        todo = newcomer.inner_text("main")
        assert "福祉支援課" in todo and "あと3日" in todo
        shoot(newcomer, "todo-staff", tmp_path)
        with newcomer.expect_navigation():
            newcomer.click("main a:has-text('福祉支援課')")
        assert "福祉支援課" in newcomer.inner_text("h1")

        # The newcomer fills the sheet in Excel and submits it.
        with newcomer.expect_download() as download:
            newcomer.click("section.sheet-xlsx a.button")
        filled = tmp_path / download.value.suggested_filename
        filled.write_bytes(fill_in_excel(Path(download.value.path()).read_bytes()))
        newcomer.set_input_files("section.sheet-xlsx input[type=file]", str(filled))
        with newcomer.expect_navigation():
            newcomer.click("section.sheet-xlsx button[type=submit]")
        with newcomer.expect_navigation():
            newcomer.click("text=提出する")
        assert "提出済" in newcomer.inner_text("dl.facts")

        # The 承認者 is told, returns it with a comment from the to-do page.
        submitted = wait_for_mail(folder, f"{APPROVER}@example.jp", "調査票を提出しました")
        assert "福祉支援課" in submitted["body"]
        approver = new_page()
        log_in(approver, server, APPROVER)
        assert "福祉支援課" in approver.inner_text("main")
        shoot(approver, "todo-approver", tmp_path)
        approver.goto(local_link(submitted["body"], server))
        approver.fill("#return-comment", "実績の単位を確認してください。")
        with approver.expect_navigation():
            approver.click("text=差し戻す")
        returned = wait_for_mail(folder, NEWCOMER_MAIL, "調査票が差し戻されました")
        assert "実績の単位を確認してください。" in returned["body"]

        # The newcomer sees the comment, submits again; the 承認者 approves.
        newcomer.goto(f"{server}/todo/")
        assert "実績の単位を確認してください。" in newcomer.inner_text("main")
        badge = newcomer.inner_text("header")
        assert re.search(r"\d", badge)  # unread notifications counted in the header
        with newcomer.expect_navigation():
            newcomer.click("main a:has-text('福祉支援課')")
        with newcomer.expect_navigation():
            newcomer.click("text=提出する")
        approver.goto(f"{server}/todo/")
        with approver.expect_navigation():
            approver.click("main a:has-text('福祉支援課')")
        with approver.expect_navigation():
            approver.click("text=承認する")
        assert "承認済" in approver.inner_text("dl.facts")
        wait_for_mail(folder, NEWCOMER_MAIL, "調査票が承認されました")
        newcomer.goto(f"{server}/notifications/")
        shoot(newcomer, "notifications", tmp_path)
        admin.goto(f"{server}/todo/")
        shoot(admin, "todo-admin", tmp_path)
    finally:
        stop(web)
        if worker is not None:
            stop(worker)
    assert outside == []

    # Each mail reached the right people and nobody else.
    sent = mails(folder)

    def to(subject_part: str) -> set[str]:
        return {a for m in sent if subject_part in m["subject"] for a in m["to"]}

    staff_2 = {NEWCOMER_MAIL, f"{ORG}-staff-2@example.jp"}  # 福祉支援課's 部署担当
    assert to("が始まりました（") >= staff_2 | {other}
    assert f"{ADMIN}@example.jp" not in to("が始まりました（")
    assert to("提出期限まであと3日") >= staff_2
    assert to("調査票を提出しました") == {f"{APPROVER}@example.jp"}
    assert to("調査票が差し戻されました") == staff_2
    assert to("調査票が承認されました") == staff_2
    assert to("からの招待") == {NEWCOMER_MAIL}  # existing people keep their passwords
    assert DEMO_PASSWORD not in "".join(m["body"] for m in sent)
