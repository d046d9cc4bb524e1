"""The staff list as xlsx: download, bad rows named by cell (nothing stored), preview, apply."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shinchoku.accounts.models import Membership
from shinchoku.jobs.runner import run_pending
from shinchoku.staff.roster import HEADERS, SHEET
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.staff.conftest import dept

User = get_user_model()


def workbook(rows: list[list], headers=HEADERS, title=SHEET) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("職員名簿.xlsx", out.getvalue())


def upload(client, file):
    return client.post(reverse("staff:roster_upload", args=[COUNCIL]), {"file": file})


def snapshot() -> list:
    people = sorted(
        (
            m.user.username,
            m.user.email,
            m.user.last_name,
            m.user.is_active,
            m.role,
            m.version,
            tuple(sorted(d.pk for d in m.departments.all())),
        )
        for m in Membership.objects.select_related("user").prefetch_related("departments")
    )
    return [*people, User.objects.count()]


def test_download_lists_the_organizations_people(admin):
    login_client("dl-staff", role="staff", departments=("総務課", "福祉支援課"))
    login_client("city-person", role="staff", org_slug=CITY_ORG)
    response = admin.get(reverse("staff:roster_download", args=[COUNCIL]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content))[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    by_login = {r[1]: r for r in rows[1:]}
    assert by_login["dl-staff"][3] == "部署担当"
    assert set(by_login["dl-staff"][4].split("、")) == {"総務課", "福祉支援課"}
    assert by_login["dl-staff"][5] == "在職"
    assert by_login["council-admin"][3] == "管理者"
    assert "city-person" not in by_login
    names = [
        r[0]
        for r in load_workbook(io.BytesIO(response.content))["部署一覧"].iter_rows(
            min_row=2, values_only=True
        )
        if r[0]
    ]
    assert {"総務課", "福祉支援課", "福祉活動推進課"} <= set(names)


def test_bad_rows_are_each_named_by_cell_and_nothing_is_stored(admin):
    other = login_client("city-user", role="staff", org_slug=CITY_ORG).user
    other.email = "city@example.jp"
    other.save()
    before = snapshot()
    response = upload(
        admin,
        workbook(
            [
                ["正しい 人", "good", "good@example.jp", "部署担当", "総務課", "在職"],
                ["", "noname", "noname@example.jp", "閲覧", "", ""],  # A3
                [
                    "部署 違い",
                    "dept",
                    "dept@example.jp",
                    "部署担当",
                    "総務課、存在しない課",
                    "",
                ],  # E4
                ["役割 違い", "role", "role@example.jp", "課長", "", ""],  # D5
                ["重複 ID", "good", "dup-id@example.jp", "閲覧", "", ""],  # B6
                ["重複 メール", "dupmail", "GOOD@example.jp", "閲覧", "", ""],  # C7
                ["形式 違い", "badmail", "not-an-address", "閲覧", "", ""],  # C8
                ["他団体 メール", "citymail", "city@example.jp", "閲覧", "", ""],  # C9
                ["他団体 ID", "city-user", "cityid@example.jp", "閲覧", "", ""],  # B10
                ["状態 違い", "state", "state@example.jp", "閲覧", "", "休職"],  # F11
            ]
        ),
    )
    assert response.status_code == 400
    text = response.content.decode()
    cells = {
        "A3": "氏名を入力してください",
        "E4": "存在しない課",
        "D5": "「課長」という役割はありません",
        "B6": "セルB2にもあります",
        "C7": "セルC2にもあります",
        "C8": "メールアドレスとして正しくありません",
        "C9": "ほかの団体の別の利用者",
        "B10": "ほかの団体の別の利用者",
        "F11": "「在職」か「停止」を入力してください",
    }
    rows = text.split("<tbody>")[-1]
    for cell, message in cells.items():
        assert f"<td>{cell}</td>" in rows and message in rows, cell
    assert "<td>A2</td>" not in rows and "<td>B2</td>" not in rows
    assert snapshot() == before
    # nothing pending: applying now does nothing
    apply = admin.post(reverse("staff:roster_apply", args=[COUNCIL]))
    assert apply.status_code == 302 and snapshot() == before


def test_not_a_workbook_and_wrong_headers_are_refused(admin):
    before = snapshot()
    junk = SimpleUploadedFile("職員名簿.xlsx", b"PK\x03\x04 not really a zip")
    response = upload(admin, junk)
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    response = upload(admin, SimpleUploadedFile("list.csv", b"a,b"))
    assert response.status_code == 400
    response = upload(admin, workbook([], headers=("名前", *HEADERS[1:])))
    assert response.status_code == 400 and "<td>A1</td>" in response.content.decode()
    response = upload(admin, workbook([], title="Sheet1"))
    assert response.status_code == 400 and SHEET in response.content.decode()
    assert snapshot() == before


def test_a_good_file_is_previewed_then_applied_with_invitations(
    admin, mailbox, django_capture_on_commit_callbacks
):
    moving = login_client("moving", role="staff", departments=("総務課",)).user
    leaving = login_client("leaving", role="staff", departments=("総務課",)).user
    absent = login_client("absent", role="viewer").user
    before_absent = snapshot()
    rows = [
        ["新人 一郎", "", "ichiro@example.jp", "部署担当", "福祉支援課、総務課", ""],
        ["移動 する", "moving", "moving@example.jp", "承認者", "福祉支援課", "在職"],
        ["退職 する", "leaving", "", "部署担当", "総務課", "停止"],
        ["管理 者", "council-admin", "admin@example.jp", "管理者", "", "在職"],
    ]
    rows[2][2] = "leaving@example.jp"
    preview = upload(admin, workbook(rows))
    text = preview.content.decode()
    assert preview.status_code == 200, text
    assert "追加する職員 1名" in text and "ichiro@example.jp" in text
    assert "変更する職員 3名" in text
    assert "停止（ログインできなくなります）" in text
    assert "absent" in text and "削除も停止もしません" in text
    # nothing stored by the preview
    assert not User.objects.filter(email="ichiro@example.jp").exists()
    digest = text.split('name="digest" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        applied = admin.post(reverse("staff:roster_apply", args=[COUNCIL]), {"digest": digest})
    assert applied.status_code == 302
    new = User.objects.get(email="ichiro@example.jp")
    assert new.username == "ichiro@example.jp" and not new.has_usable_password()
    assert {d.name for d in new.membership.departments.all()} == {"福祉支援課", "総務課"}
    moving.refresh_from_db()
    assert moving.get_full_name() == "移動 する" and moving.membership.role == "approver"
    assert [d.name for d in moving.membership.departments.all()] == ["福祉支援課"]
    leaving.refresh_from_db()
    assert not leaving.is_active
    absent.refresh_from_db()
    assert absent.is_active  # not in the file: untouched
    assert [s for s in snapshot()[:-1] if s[0] == "absent"] == [
        s for s in before_absent[:-1] if s[0] == "absent"
    ]
    run_pending()
    assert [m.to for m in mailbox] == [["ichiro@example.jp"]]
    assert "/accounts/invitation/" in mailbox[0].body


def test_apply_after_someone_else_changed_the_staff_is_shown_again(admin):
    person = login_client("kawaru", role="staff", departments=("総務課",)).user
    rows = [["変わる 人", "kawaru", "kawaru@example.jp", "閲覧", "総務課", ""]]
    text = upload(admin, workbook(rows)).content.decode()
    digest = text.split('name="digest" value="')[1].split('"')[0]
    member = Membership.objects.get(user=person)
    admin.post(
        reverse("staff:person", args=[COUNCIL, person.pk]),
        {
            "name": "別の 変更",
            "email": "other@example.jp",
            "username": "kawaru",
            "role": "staff",
            "departments": [dept("福祉支援課").pk],
            "version": member.version,
        },
    )
    response = admin.post(reverse("staff:roster_apply", args=[COUNCIL]), {"digest": digest})
    assert response.status_code == 409
    assert "ほかの人が職員の情報を変更しました" in response.content.decode()
    person.refresh_from_db()
    assert person.get_full_name() == "別の 変更" and person.membership.role == "staff"


def test_the_file_cannot_remove_the_last_admin_or_deactivate_oneself(admin):
    Membership.objects.filter(organization__slug=COUNCIL, role="admin").exclude(
        user=admin.user
    ).update(role="viewer")
    before = snapshot()
    rows = [["管理 者", "council-admin", "admin@example.jp", "管理者", "", "停止"]]
    response = upload(admin, workbook(rows))
    assert response.status_code == 400
    assert "<td>F2</td>" in response.content.decode()
    assert "在職中の管理者がいなくなります" in response.content.decode()
    assert snapshot() == before


def test_download_upload_and_apply_are_in_the_audit_log(admin):
    from shinchoku.audit.models import AuditEvent

    admin.get(reverse("staff:roster_download", args=[COUNCIL]))
    rows = [["監査 対象", "kansa", "kansa@example.jp", "閲覧", "", ""]]
    text = upload(admin, workbook(rows)).content.decode()
    digest = text.split('name="digest" value="')[1].split('"')[0]
    admin.post(reverse("staff:roster_apply", args=[COUNCIL]), {"digest": digest})
    events = AuditEvent.objects.filter(user=admin.user).order_by("created", "id")
    assert [(e.action, e.url_name) for e in events if e.url_name.startswith("staff:")] == [
        ("download", "staff:roster_download"),
        ("upload", "staff:roster_upload"),
        # each person changed by the list is recorded too, then the list itself
        ("staff_added", "staff:roster_apply"),
        ("invitation_sent", "staff:roster_apply"),
        ("upload", "staff:roster_apply"),
    ]
    assert all(e.organization.slug == COUNCIL for e in events if e.url_name.startswith("staff:"))


def test_the_downloaded_list_uploads_back_unchanged_even_without_addresses(admin):
    login_client("no-address", role="staff", departments=("総務課",))
    data = admin.get(reverse("staff:roster_download", args=[COUNCIL])).content
    before = snapshot()
    response = upload(admin, SimpleUploadedFile("職員名簿.xlsx", data))
    text = response.content.decode()
    assert response.status_code == 200, text
    assert "ファイルに変更はありません" in text and 'name="digest"' not in text
    assert snapshot() == before
    # a new row without an address is refused: the invitation needs one
    ws = load_workbook(io.BytesIO(data))[SHEET]
    ws.append(["新しい 人", "atarashii", "", "閲覧", "", ""])
    out = io.BytesIO()
    ws.parent.save(out)
    response = upload(admin, SimpleUploadedFile("職員名簿.xlsx", out.getvalue()))
    assert response.status_code == 400
    assert f"<td>C{ws.max_row}</td>" in response.content.decode()


def test_hostile_files_are_refused_without_a_server_error(admin, caplog):
    import logging

    from tests import hostile_files as hc

    login_client("hostile-target", role="staff", departments=("総務課",))
    data = admin.get(reverse("staff:roster_download", args=[COUNCIL])).content
    kinds = [
        *hc.not_workbooks(),
        *hc.zip_tricks(data, "roster"),
        *hc.macros(data, "roster"),
        *hc.cell_tricks(data, [SHEET], "roster"),
        *hc.huge(data, SHEET, "roster"),
    ]
    assert len(kinds) > 30
    before = snapshot()
    caplog.set_level(logging.ERROR)
    refused = 0
    for kind, hostile in kinds:
        response = upload(admin, SimpleUploadedFile("hostile.xlsx", hostile))
        assert response.status_code < 500, kind
        if response.status_code == 400:
            refused += 1
            assert response.context["problems"], kind
    assert snapshot() == before
    assert refused > len(kinds) // 2
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_lean_reader_reads_every_staff_list_as_openpyxl_did(admin):
    """Uploads read through plans/xlsx_cells.py (issue 16): the same rows and problems as
    openpyxl for the staff list as downloaded, with values of every type and as hostile files."""
    from shinchoku.plans.xlsx_guard import CANNOT_OPEN
    from shinchoku.staff.roster import read_rows
    from tests import hostile_files as hc

    data = admin.get(reverse("staff:roster_download", args=[COUNCIL])).content
    raw, problems = read_rows(data)
    assert problems == [] and raw
    parts = hc.sheet_parts(data)
    kinds = [
        ("roster:as-downloaded", data),
        *hc.not_workbooks(),
        *hc.part_damage(data, "roster"),
        *hc.zip_tricks(data, "roster"),
        *hc.macros(data, "roster"),
        *hc.cell_tricks(data, [SHEET], "roster"),
        *hc.huge(data, SHEET, "roster"),
        *hc.wrong_types(data, {SHEET: list("ABCDEF")}, 2, "roster"),
    ]
    unread = {part for name, part in parts.items() if name != SHEET}
    assert hc.lean_differences(kinds, read_rows, unread, str(CANNOT_OPEN)) == []
