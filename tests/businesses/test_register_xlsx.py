"""The register workbook: download, upload back unchanged (no change), changes previewed and
applied in one go, bad cells named by sheet and cell with nothing stored, hostile files refused,
a preview made stale by another change refused; and a register of the fixture council."""

from __future__ import annotations

import io
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.businesses.models import Business, BusinessYear, RegisterSettings
from shinchoku.businesses.register_xlsx import HEADERS, NOTE, SETTINGS_SHEET, SHEET
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import BusinessKind, PendingUpload
from tests.businesses.register_setup import (
    apply,
    download,
    edited,
    load_register,
    snapshot,
    upload,
)
from tests.conftest import COUNCIL, login_client

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"


@pytest.fixture
def admin():
    load_register()
    return login_client("xlsx-admin", role="admin")


def rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data))[SHEET].iter_rows(values_only=True))


def test_the_download_holds_every_business_in_operation_and_the_rate(admin):
    Business.objects.filter(organization__slug=COUNCIL, code="25").update(active=False)
    data = download(admin)
    found = rows(data)
    assert found[0][0] == NOTE and "計画ID/キー" in NOTE
    assert found[1][: len(HEADERS)] == HEADERS
    assert found[1][len(HEADERS)] == "2019年度 予算（千円）"
    by_code = {r[0]: r for r in found[2:]}
    assert len(by_code) == 24 and "25" not in by_code
    assert by_code["15"][1:4] == ("事務事業評価の実施", "総務課", "独自事業")
    assert by_code["15"][8] == "item-15"
    settings = load_workbook(io.BytesIO(data))[SETTINGS_SHEET]
    assert settings["B2"].value == 8000
    viewer = login_client("xlsx-viewer", role="viewer")
    assert download(viewer) == data or rows(download(viewer)) == found


def test_a_downloaded_register_uploaded_unchanged_changes_nothing(admin):
    before = snapshot()
    response = upload(admin, download(admin))
    assert response.status_code == 200, response.context["problems"]
    plan = response.context["plan"]
    assert (len(plan.added), len(plan.changed), len(plan.ended), plan.unchanged) == (0, 0, 0, 25)
    assert response.context["pending"] is None
    assert "ファイルに変更はありません" in response.content.decode()
    assert snapshot() == before


def test_changes_are_previewed_then_applied_in_one_go(admin):
    data = download(admin)
    found = rows(data)
    line = {r[0]: i + 1 for i, r in enumerate(found)}  # code → sheet row
    fy2021_settlement = found[1].index("2021年度 決算（千円）") + 1
    from openpyxl.utils import get_column_letter

    column = get_column_letter(fy2021_settlement)
    changed = edited(
        data,
        {
            (SHEET, f"B{line['3']}"): "ふれあいのまちづくり事業（改）",
            (SHEET, f"D{line['3']}"): "県委託事業",
            (SHEET, f"{column}{line['3']}"): 5000,
            (SHEET, f"I{line['3']}"): "item-3、item-4",
            (SHEET, f"A{len(found) + 1}"): "新-1",
            (SHEET, f"B{len(found) + 1}"): "新しい事業",
            (SHEET, f"C{len(found) + 1}"): "総務課",
            (SETTINGS_SHEET, "B2"): 7600,
        },
        delete_rows=[line["25"]],
    )
    before = snapshot()
    response = upload(admin, changed)
    assert response.status_code == 200, response.context["problems"]
    plan = response.context["plan"]
    assert [c.code for c in plan.added] == ["新-1"]
    assert [c.code for c in plan.changed] == ["3"]
    assert [c.code for c in plan.ended] == ["25"]
    assert plan.new_kinds == ["県委託事業"] and plan.rate == Decimal("7600")
    labels = [f[0] for f in plan.changed[0].fields]
    assert labels == ["事業名", "種別", "計画の項目", "2021年度 決算額"]
    page = response.content.decode()
    assert "追加する事業: 1件" in page and "「終了」にする事業: 1件" in page
    assert snapshot() == before  # nothing stored by the preview
    assert apply(admin, response).status_code == 302
    three = Business.objects.get(organization__slug=COUNCIL, code="3")
    assert three.name == "ふれあいのまちづくり事業（改）" and three.kind.name == "県委託事業"
    assert [n.key for n in three.nodes.order_by("businessnode__order")] == ["item-3", "item-4"]
    assert BusinessYear.objects.get(business=three, fiscal_year=2021).settlement == Decimal("5000")
    ended = Business.objects.get(organization__slug=COUNCIL, code="25")
    assert ended.active is False and ended.years.count() == 3  # kept, not deleted
    assert Business.objects.get(organization__slug=COUNCIL, code="新-1").department.name == "総務課"
    assert RegisterSettings.of(three.organization).staff_rate == Decimal("7600")
    assert not PendingUpload.objects.filter(user=admin.user).exists()
    # Uploaded again, the same file changes nothing more.
    again = upload(admin, changed)
    assert again.context["pending"] is None and again.context["plan"].unchanged == 25


def test_bad_cells_are_each_named_by_sheet_and_cell_and_nothing_is_stored(admin):
    data = download(admin)
    found = rows(data)
    budget = "J"  # the first figure column: 2019年度 予算
    edits = {
        (SHEET, "C4"): "存在しない課",
        (SHEET, "A5"): found[2][0],  # the number of the business in row 3
        (SHEET, "B6"): None,
        (SHEET, "I7"): "item-999",
        (SHEET, "I8"): "G1",  # a key of the activity plan: fine
        (SHEET, f"{budget}9"): "abc",
        (SHEET, f"{budget}10"): -5,
        (SHEET, "M11"): 0.123,  # 2019年度 活動実績: two decimals at most
        (SETTINGS_SHEET, "B2"): "たくさん",
    }
    before = snapshot()
    response = upload(admin, edited(data, edits))
    assert response.status_code == 400
    problems = {(p.sheet, p.cell): p.message for p in response.context["problems"]}
    assert (
        problems[(SHEET, "C4")] == "担当課「存在しない課」がありません。部署名を確認してください。"
    )
    assert "セルA3にもあります" in problems[(SHEET, "A5")]
    assert "事業名を入力してください" in problems[(SHEET, "B6")]
    assert "item-999" in problems[(SHEET, "I7")]
    assert "数値を入力してください" in problems[(SHEET, f"{budget}9")]
    assert "0以上" in problems[(SHEET, f"{budget}10")]
    assert "小数点以下は2桁まで" in problems[(SHEET, "M11")]
    assert (SETTINGS_SHEET, "B2") in problems
    assert (SHEET, "I8") not in problems
    page = response.content.decode()
    assert "<td>事務事業</td><td>C4</td>" in page
    assert snapshot() == before
    assert not PendingUpload.objects.filter(user=admin.user).exists()


def test_a_formula_or_a_wrong_heading_is_refused(admin):
    data = download(admin)
    response = upload(admin, edited(data, {(SHEET, "J3"): "=1+1", (SHEET, "B2"): "名前"}))
    assert response.status_code == 400
    problems = {(p.sheet, p.cell): p.message for p in response.context["problems"]}
    assert "=1+1" in problems[(SHEET, "J3")]
    assert "「事業名」" in problems[(SHEET, "B2")]
    response = upload(admin, edited(data, {(SHEET, "ZZ2"): "メモ", (SHEET, "ZZ3"): "x"}))
    assert response.status_code == 400


def test_a_file_that_is_not_a_register_is_refused_with_a_message(admin):
    for name, content in (
        ("台帳.xls", b"x"),
        ("台帳.xlsx", b"not a zip"),
    ):
        response = upload(admin, content, name=name)
        assert response.status_code == 400 and response.context["problems"], name
    response = admin.post(reverse("businesses:register_upload", args=[COUNCIL]), {})
    assert response.status_code == 400
    assert "ファイルを選んでから" in response.content.decode()


def test_hostile_files_are_refused_without_a_server_error(admin, caplog):
    from tests import hostile_files as hc

    data = download(admin)
    kinds = [
        *hc.not_workbooks(),
        *hc.zip_tricks(data, "register"),
        *hc.macros(data, "register"),
        *hc.cell_tricks(data, [SHEET, SETTINGS_SHEET], "register"),
        *hc.huge(data, SHEET, "register"),
        *hc.wrong_types(data, {SHEET: list("ABCDEFGHIJKLM")}, 3, "register"),
    ]
    assert len(kinds) > 50
    before = snapshot()
    caplog.set_level(logging.ERROR)
    refused = 0
    for kind, hostile in kinds:
        response = upload(admin, hostile)
        assert response.status_code < 500, kind
        if response.status_code == 400:
            refused += 1
            assert response.context["problems"], kind
        else:  # read as text (a number typed as a name…): previewed, never stored
            assert response.context["plan"] is not None, kind
    assert snapshot() == before
    assert refused > len(kinds) // 2
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_applying_a_preview_made_stale_by_another_change_is_refused(admin):
    data = download(admin)
    response = upload(admin, edited(data, {(SHEET, "B3"): "変えた名前"}))
    assert response.status_code == 200
    code = rows(data)[2][0]
    business = Business.objects.get(organization__slug=COUNCIL, code=code)
    Business.objects.filter(pk=business.pk).update(name="ほかの人が変えた", version=9)
    before = snapshot()
    stale = apply(admin, response)
    assert stale.status_code == 409
    assert "ほかの人が事務事業台帳を変更しました" in stale.content.decode()
    assert snapshot() == before
    other = login_client("xlsx-other-admin", role="admin")
    token = response.context["pending"].token
    url = reverse("businesses:register_apply", args=[COUNCIL, token])
    assert other.post(url).status_code == 404  # another person's preview


def test_a_register_for_the_fixture_council_of_another_shape(db):
    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    admin = login_client("midori-reg", role="admin", org_slug="midori-shakyo")
    response = admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    empty = admin.get(reverse("businesses:register", args=["midori-shakyo"]))
    assert "事務事業台帳にはまだ事業がありません" in empty.content.decode()
    data = download(admin, "midori-shakyo")
    assert rows(data)[1] == HEADERS  # no figures yet: no FY columns
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    ws.append(
        ["M-1", "小地域見守りネットワーク事業", "相談係", "市補助事業", "", "", "", "", "j02"]
    )
    ws["J2"] = "2024年度 決算（千円）"
    ws["K2"] = "2024年度 人工"
    ws["L2"] = "2024年度 活動実績"
    ws["J3"], ws["K3"], ws["L3"] = 1200, 0.5, 40
    out = io.BytesIO()
    wb.save(out)
    response = upload(admin, out.getvalue(), org_slug="midori-shakyo")
    assert response.status_code == 200, [str(p) for p in response.context["problems"]]
    assert apply(admin, response, "midori-shakyo").status_code == 302
    business = Business.objects.get(organization__slug="midori-shakyo", code="M-1")
    assert business.department.name == "相談係" and business.nodes.get().key == "j02"
    assert BusinessKind.objects.filter(organization__slug="midori-shakyo", name="市補助事業")
    page = admin.get(reverse("businesses:register", args=["midori-shakyo"])).content.decode()
    assert "小地域見守りネットワーク事業" in page and "5,200" in page  # 1,200 + 0.5 × 8,000
    node_page = admin.get(reverse("plans:node", args=["midori-katsudo-3", "j02"]))
    assert "小地域見守りネットワーク事業" in node_page.content.decode()
    assert reverse("businesses:business", args=["midori-shakyo", business.pk]) in (
        node_page.content.decode()
    )


def test_a_previewed_register_is_never_taken_for_a_plan_workbook(admin):
    data = download(admin)
    changed = edited(data, {(SETTINGS_SHEET, "B2"): 7600})
    response = upload(admin, changed)
    assert response.status_code == 200
    pending = PendingUpload.objects.get(user=admin.user)
    # Its token posted to the plan workbook's confirmation: no such upload there.
    confirm = admin.post(reverse("plans:workbook_confirm", args=[pending.token]))
    assert confirm.status_code == 404
    assert apply(admin, response).status_code == 302  # still the register's own


def test_the_lean_reader_reads_every_register_as_openpyxl_did(admin):
    """Uploads read through plans/xlsx_cells.py (issue 16): the same rows, rate and problems as
    openpyxl for the register as downloaded, with values of every type and as hostile files."""
    from shinchoku.businesses.register_read import read_register
    from shinchoku.plans.xlsx_guard import CANNOT_OPEN
    from tests import hostile_files as hc

    data = download(admin)
    raw, problems = read_register(data)
    assert problems == [] and raw["rows"] and raw["fys"] and raw["rate"]
    parts = hc.sheet_parts(data)
    kinds = [
        ("register:as-downloaded", data),
        *hc.not_workbooks(),
        *hc.part_damage(data, "register"),
        *hc.zip_tricks(data, "register"),
        *hc.macros(data, "register"),
        *hc.cell_tricks(data, [SHEET, SETTINGS_SHEET], "register"),
        *hc.huge(data, SHEET, "register"),
        *hc.wrong_types(data, {SHEET: list("ABCDEFGHIJKLM"), SETTINGS_SHEET: ["B"]}, 3, "register"),
    ]
    unread = {part for name, part in parts.items() if name not in (SHEET, SETTINGS_SHEET)}
    assert hc.lean_differences(kinds, read_register, unread, str(CANNOT_OPEN)) == []
