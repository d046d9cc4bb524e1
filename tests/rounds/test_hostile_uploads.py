"""Every upload either loads or says where and what: a corpus of hostile files, both upload views.

The corpus (tests/hostile_files.py) is generated here from two real downloads: the demo
city plan's workbook and one department's sheet of a round of that plan. Each kind goes through
the plan-workbook upload and the sheet upload with the test client, as the city's 管理者.
For every kind: no server error and no exception; a refusal lists only Japanese messages, shown
on the page; nothing is written (the round's sheets are compared after each kind, every plan's
export after the whole corpus). Sheet uploads that load are rolled back after their kind.
"""

from __future__ import annotations

import json
import logging
import re
import time
import zlib
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from shinchoku.plans.interchange import export_plan
from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import ContentEntry, IndicatorEntry, ItemEntry, Report
from shinchoku.rounds.sheet_xlsx_layout import META, S_CONTENTS, S_IDS, S_INDICATORS, S_ITEMS
from tests import hostile_files as hc
from tests.conftest import CITY_ORG, COUNCIL, login_client

CITY_PLAN = "nishitokyo-chiiki-fukushi-4"
ACTION = "nishitokyo-action-plan-2019"
FY = 2020
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def world(db):
    """A FY2020 round of the city plan and of the council's action plan; the city's 管理者."""
    someone = get_user_model().objects.create_user("同僚", last_name="同僚")
    city = Plan.objects.get(slug=CITY_PLAN)
    city_round = services.open_round(city, FY, date(2021, 5, 31), someone)
    council_round = services.open_round(
        Plan.objects.get(slug=ACTION), FY, date(2021, 5, 31), someone
    )
    admin = login_client("市の管理者", role="admin", org_slug=CITY_ORG)
    reports = list(city_round.reports.select_related("department", "round__plan"))
    report = max(reports, key=lambda r: len(services.sheet(r)))
    other = next(r for r in reports if r.pk != report.pk)
    council_report = council_round.reports.select_related("department").first()
    return {
        "admin": admin,
        "report": report,
        "other": other,
        "council_report": council_report,
        "city_round": city_round,
    }


def sheet_url(report: Report) -> str:
    args = [report.round.plan.slug, report.round.fy, report.department_id]
    return reverse("rounds:sheet_upload", args=args)


def download_sheet(client, report: Report) -> bytes:
    args = [report.round.plan.slug, report.round.fy, report.department_id]
    response = client.get(reverse("rounds:sheet_xlsx", args=args))
    assert response.status_code == 200
    return response.content


def download_plan(client, slug: str) -> bytes:
    response = client.get(reverse("plans:plan_workbook", args=[slug]))
    assert response.status_code == 200
    return response.content


def round_fingerprint(round_) -> str:
    """Everything stored for the round's sheets."""
    reports = Report.objects.filter(round__plan__organization__slug__in=[CITY_ORG, COUNCIL])
    return json.dumps(
        [
            list(reports.order_by("pk").values_list("pk", "status", "version", "updated_by")),
            list(ItemEntry.objects.order_by("pk").values_list()),
            list(ContentEntry.objects.order_by("pk").values_list()),
            list(IndicatorEntry.objects.order_by("pk").values_list()),
        ],
        default=str,
    )


def plans_fingerprint() -> str:
    return json.dumps([export_plan(p) for p in Plan.objects.order_by("slug")], default=str)


def messages_of(response) -> list[str]:
    """The messages a refused upload shows: problems, plain problems, form errors, conflicts."""
    context = response.context
    out: list[str] = []
    for p in context.get("problems") or []:
        out.append(p.message)
    for p in context.get("plain_problems") or []:
        out.append(str(p))
    form = context.get("upload_form")
    if form is not None and form.is_bound:
        out.extend(str(e) for errors in form.errors.values() for e in errors)
    for c in context.get("conflicts") or []:
        out.append(f"{c.label}")
    if context.get("error"):
        out.append(str(context["error"]))
    return out


def check_refusal(kind: str, view: str, response) -> None:
    messages = messages_of(response)
    assert messages, f"{kind} via {view}: refused ({response.status_code}) without a message"
    html = response.content.decode()
    for message in messages:
        assert JAPANESE.search(message), f"{kind} via {view}: not Japanese: {message[:200]}"
        assert escape(message)[:60] in html, f"{kind} via {view}: not on the page: {message[:200]}"


# --------------------------------------------------------------------------- the corpus


def sheet_layout(data: bytes) -> tuple[dict[str, list[str]], int]:
    """Input columns of each data sheet and the first input row, from the identifiers sheet."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    columns: dict[str, set[str]] = {}
    first_row = {}
    for row in wb[S_IDS].iter_rows(min_row=2, min_col=4, max_col=5, values_only=True):
        sheet, cell = row
        if sheet and cell:
            letters, number = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
            columns.setdefault(sheet, set()).add(letters)
            first_row[sheet] = min(first_row.get(sheet, 10**6), int(number))
    wb.close()
    rows = {s: first_row[s] for s in columns}
    return {s: sorted(c) for s, c in columns.items()}, rows


def identifier_edits(data: bytes, world: dict) -> list[hc.Kind]:
    """The hidden identifiers edited: other department, round, plan, organization; bad cells."""
    labels = {key: f"B{i}" for i, (_label, key) in enumerate(META, start=1)}
    other, council = world["other"], world["council_report"]
    edits = {
        "department-id-of-another-department": {labels["department_id"]: str(other.department_id)},
        "report-id-of-another-department": {labels["report_id"]: str(other.pk)},
        "both-ids-of-another-department": {
            labels["department_id"]: str(other.department_id),
            labels["report_id"]: str(other.pk),
        },
        "ids-of-another-organization": {
            labels["department_id"]: str(council.department_id),
            labels["report_id"]: str(council.pk),
        },
        "department-id-huge": {labels["department_id"]: "99999999999999999999"},
        "department-id-abc": {labels["department_id"]: "abc"},
        "plan-of-another-organization": {labels["plan"]: ACTION},
        "plan-unknown": {labels["plan"]: "no-such-plan"},
        "fy-other": {labels["fy"]: "2021"},
        "fy-huge": {labels["fy"]: "99999999999"},
        "fy-text": {labels["fy"]: "令和二年度"},
        "format-edited": {labels["format"]: "something-else"},
        "format-empty": {labels["format"]: None},
        "input-address-ZZZ": {"E2": "ZZZ"},
        "input-address-ZZZZ9999999": {"E2": "ZZZZ9999999"},
        "input-address-A0": {"E2": "A0"},
        "input-address-far": {"E2": "XFD1048576"},
        "input-sheet-unknown": {"D2": "存在しないシート"},
        "input-kind-unknown": {"F2": "bogus"},
        "input-field-unknown": {"H2": "bogus"},
        "input-key-empty": {"G2": None},
        "input-key-other-plan": {"G2": "1-1-1-x"},
        "locked-row-huge": {"L2": "99999999"},
        "locked-json-number": {"N2": "5"},
        "locked-json-broken": {"N2": '["a"'},
        "locked-json-object": {"N2": '{"a": 1}'},
        "locked-json-long": {"N2": json.dumps(["x"] * 5000)},
        "identifiers-far-row": {"D20000": "実施内容", "E20000": "C5"},
    }
    out = [
        (f"sheet:ids:{name}", hc.typed(data, {(S_IDS, k): v for k, v in e.items()}))
        for name, e in edits.items()
    ]
    other_sheet = download_sheet(world["admin"], other)
    out.append(("sheet:ids:another-departments-whole-sheet", other_sheet))
    return out


def plan_edits(data: bytes) -> list[hc.Kind]:
    edits = {
        "org-of-another-organization": {("計画", "B2"): COUNCIL},
        "plan-of-another-organization": {("計画", "B5"): ACTION},
        "plan-id-climbing": {("計画", "B5"): "../x"},
        "first-fy-text": {("計画", "B8"): "abc"},
        "first-fy-huge": {("計画", "B8"): 99999999999},
        "last-before-first": {("計画", "B9"): 1900},
        "level-names-empty": {("計画", "B11"): None},
        "relation-unknown": {("関連計画", "B2"): "no-such-plan"},
        "parent-cycle": {("体系", "B2"): "x", ("体系", "A3"): "x", ("体系", "B3"): None},
    }
    out = [(f"plan:edit:{name}", hc.typed(data, e)) for name, e in edits.items()]
    out.append(("plan:deep:3000-level-chain", chain(data, 3000)))
    out.append(("plan:deep:13-level-chain", chain(data, 13)))
    out.append(("plan:wide:5001-nodes", many_nodes(data, 5001)))
    return out


def chain(data: bytes, depth: int) -> bytes:
    """The 体系 sheet with a parent chain `depth` levels deep appended."""
    rows = {}
    for i in range(depth):
        r = 1000 + i
        rows[f"A{r}"] = f"deep-{i}"
        rows[f"B{r}"] = f"deep-{i - 1}" if i else None
        rows[f"E{r}"] = f"深さ{i}"
    return hc.typed(data, {("体系", ref): v for ref, v in rows.items() if v is not None})


def many_nodes(data: bytes, n: int) -> bytes:
    rows = {}
    for i in range(n):
        rows[f"A{1000 + i}"] = f"many-{i}"
        rows[f"E{1000 + i}"] = f"項目{i}"
    return hc.typed(data, {("体系", ref): v for ref, v in rows.items()})


def corpus(plan_wb: bytes, sheet: bytes, world: dict) -> list[hc.Kind]:
    columns, first_rows = sheet_layout(sheet)
    kinds: list[hc.Kind] = [("plan:as-downloaded", plan_wb), ("sheet:as-downloaded", sheet)]
    for prefix, data in (("plan", plan_wb), ("sheet", sheet)):
        kinds += hc.part_damage(data, prefix)
        kinds += hc.macros(data, prefix)
        kinds += hc.zip_tricks(data, prefix)
    kinds += hc.cell_tricks(plan_wb, ["計画", "体系", "指標", "実績"], "plan")
    kinds += hc.cell_tricks(sheet, [S_IDS, S_CONTENTS, S_INDICATORS, S_ITEMS], "sheet")
    kinds += hc.wrong_types(plan_wb, hc.PLAN_COLUMNS, 2, "plan")
    for name in columns:
        kinds += hc.wrong_types(sheet, {name: columns[name]}, first_rows[name], "sheet")
    kinds += hc.huge(plan_wb, "実績", "plan")
    kinds += hc.huge(sheet, S_INDICATORS, "sheet")
    kinds += plan_edits(plan_wb)
    kinds += identifier_edits(sheet, world)
    kinds += hc.not_workbooks()
    return kinds


GENERIC = re.compile(r"^raw:|:zip:|:macro-")


def views_for(kind: str) -> list[tuple[str, str]]:
    """A kind made from the plan workbook goes to the plan upload, one made from the sheet to the
    sheet upload; files that are no workbook, zip tricks and macros (and a sample of the rest,
    one in five) to both."""
    plan = ("plan", reverse("plans:workbook_upload"))
    sheet = ("sheet", None)
    if GENERIC.search(kind) or zlib.crc32(kind.encode()) % 5 == 0:
        return [plan, sheet]
    return [plan] if kind.startswith("plan:") else [sheet]


def test_no_hostile_file_gives_a_server_error_or_changes_anything(world, caplog):
    admin, report = world["admin"], world["report"]
    plan_wb = download_plan(admin, CITY_PLAN)
    sheet = download_sheet(admin, report)
    kinds = corpus(plan_wb, sheet, world)
    names = [name for name, _data in kinds]
    assert len(set(names)) == len(names), "kind names must be unique"
    assert len(kinds) >= 300, len(kinds)
    plans_before = plans_fingerprint()
    rounds_before = round_fingerprint(world["city_round"])
    caplog.set_level(logging.ERROR)
    outcomes: dict[str, list[str]] = {}
    slow: list[tuple[float, str]] = []
    for kind, data in kinds:
        for view, url in views_for(kind):
            url = url or sheet_url(report)
            started = time.monotonic()
            with transaction.atomic():
                response = admin.post(url, {"file": SimpleUploadedFile("hostile.xlsx", data)})
                assert response.status_code < 500, f"{kind} via {view}: {response.status_code}"
                refused = response.status_code >= 400
                if refused:
                    check_refusal(kind, view, response)
                    assert round_fingerprint(world["city_round"]) == rounds_before, (
                        f"{kind} via {view}: refused but the round's sheets changed"
                    )
                transaction.set_rollback(True)
            slow.append((time.monotonic() - started, f"{kind} via {view}"))
            outcomes.setdefault(f"{view}:{response.status_code}", []).append(kind)
    assert plans_fingerprint() == plans_before
    assert round_fingerprint(world["city_round"]) == rounds_before
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], f"a fault reached the last-resort handler: {errors[:5]}"
    slowest = max(slow)  # generous: the machine running the suite may be busy
    assert slowest[0] < 20, f"{slowest[1]} took {slowest[0]:.1f} s"
    # The corpus is hostile: the broken and unsafe kinds are refused by both views.
    assert "plan:xl/workbook.xml:truncated" in outcomes["plan:400"]
    assert "sheet:xl/workbook.xml:truncated" in outcomes["sheet:400"]
    for kind in ("plan:macro-part:xl/vbaProject1.bin", "sheet:macro-part:xl/vbaProject1.bin"):
        assert kind in outcomes["plan:400"] and kind in outcomes["sheet:400"], kind


def test_a_sheet_of_another_department_names_both_departments(world):
    admin, report, other = world["admin"], world["report"], world["other"]
    response = admin.post(
        sheet_url(report),
        {"file": SimpleUploadedFile("x.xlsx", download_sheet(admin, other))},
    )
    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert f"このファイルは「{other.department.name}」の調査票です" in problem.message
    assert f"ここは「{report.department.name}」の調査票" in problem.message


def test_an_edited_department_id_is_reported_as_edited_identifiers(world):
    admin, report, council = world["admin"], world["report"], world["council_report"]
    row = next(i for i, (_label, key) in enumerate(META, start=1) if key == "department_id")
    for department_id in (str(world["other"].department_id), str(council.department_id)):
        data = hc.typed(download_sheet(admin, report), {(S_IDS, f"B{row}"): department_id})
        response = admin.post(sheet_url(report), {"file": SimpleUploadedFile("x.xlsx", data)})
        assert response.status_code == 400
        (problem,) = response.context["problems"]
        assert problem.sheet == S_IDS and "書き換えられています" in problem.message
        assert council.department.name not in problem.message


def test_an_anonymous_post_to_the_confirm_url_goes_to_log_in(client, db):
    response = client.post(reverse("plans:workbook_confirm", args=["some-token"]))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "login" in response["Location"]
