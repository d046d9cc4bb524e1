"""The sheet's validation messages speak the UI's language (issue 15 part 3).

In the English UI a refused field of the browser form and a refused cell of the uploaded Excel
sheet are explained in English, still naming the field, the sheet and the cell; in the Japanese
UI (the default) the messages are exactly what they were. Real database (the demo action plan),
the test client and real files; nothing of ours is mocked.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import IndicatorEntry, Report
from shinchoku.rounds.sheet_xlsx import S_CONTENTS, S_INDICATORS, S_ITEMS, InputCell
from tests.conftest import login_client
from tests.rounds.test_sheet_xlsx import at, cells_of, download, fill, first, upload, url

ACTION = "nishitokyo-action-plan-2019"
DEPT = "福祉活動推進課"
JAPANESE = re.compile(r"[\u3040-\u30ff]")  # kana: a Japanese sentence, not a Japanese name


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.deactivate()  # a request in English leaves English active in this thread


@pytest.fixture
def report(db) -> Report:
    admin = login_client("msg-admin", role="admin")
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    return round_.reports.select_related("round__plan", "department").get(department__name=DEPT)


def staff(language: str | None) -> Client:
    client = login_client(f"msg-staff-{language}", role="staff", departments=(DEPT,))
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def in_kai(report: Report):
    """An item and its indicator counted in 回 (出張相談会の実施)."""
    return next(
        (item, ln)
        for item in services.sheet(report)
        for ln in item.indicators
        if ln.indicator.unit == "回"
    )


def bad_form(report: Report) -> tuple[dict[str, str], dict[str, str]]:
    """A form with an unknown status, an unknown self-evaluation and an actual in 万円 for 回;
    and the names of those three fields."""
    item, line = in_kai(report)
    content = item.contents[0]
    names = {
        "status": f"c|{item.node.key}|{content.position}|status",
        "evaluation": f"i|{item.node.key}|evaluation",
        "actual": f"n|{line.indicator.key}|actual",
    }
    post = {
        "version": str(report.version),
        names["status"]: "たぶん",
        names["evaluation"]: "Z",
        names["actual"]: "5万円",
    }
    return post, names


def refused(html: str) -> list[str]:
    """The lines of the summary of refused fields: "where: message"."""
    summary = re.search(
        r'<div class="errors" role="alert" id="refused-summary">(.*?)</div>', html, re.S
    )
    assert summary, "no summary of refused fields"
    return [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", summary.group(1))]


def without_settings(text: str, report: Report) -> str:
    """The message without what is quoted (values as typed, sheet names as in the file) and
    without the plan's own words (its statuses), which stay Japanese in either language."""
    text = re.sub(r"“[^”]*”", "", text)
    for status in services.PlanSettings.of(report.round.plan).content_statuses:
        text = text.replace(status, "")
    return text


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<span class="field-error" id="{re.escape(name)}\|error">([^<]*)', html)
    assert found, name
    return found.group(1)


# --------------------------------------------------------------------------- the browser form


def test_the_form_refuses_fields_in_english_naming_each_field(report):
    item, line = in_kai(report)
    post, names = bad_form(report)
    response = staff("en").post(url("sheet", report), post)
    assert response.status_code == 422
    html = response.content.decode()
    assert '<html lang="en">' in html
    lines = refused(html)
    assert f"{item.node} self-evaluation: The self-evaluation “Z” cannot be used. Use one of " in (
        "\n".join(lines)
    )
    status = field_error(html, names["status"])
    assert status.startswith("The status “たぶん” cannot be used. Use one of 予定どおり, ")
    assert any(ln.startswith(f"{line.indicator.name} actual: ") for ln in lines), lines
    actual = field_error(html, names["actual"])
    assert "万円" in actual and "回" in actual
    for message in lines:
        _where, _sep, text = message.partition(": ")
        assert not JAPANESE.search(without_settings(text, report)), text
    assert not IndicatorEntry.objects.filter(report=report, actual="5万円").exists()


def test_the_form_still_refuses_fields_in_japanese_by_default(report):
    item, line = in_kai(report)
    post, names = bad_form(report)
    response = staff(None).post(url("sheet", report), post)
    assert response.status_code == 422
    html = response.content.decode()
    lines = refused(html)
    assert any(
        ln.startswith(f"{item.node} 自己評価: 自己評価「Z」は使えません。") for ln in lines
    ), lines
    statuses = "・".join(services.PlanSettings.of(report.round.plan).content_statuses)
    assert field_error(html, names["status"]) == (
        f"状況「たぶん」は使えません。{statuses} のいずれかにしてください。"
    )
    assert any(ln.startswith(f"{line.indicator.name} 実績: ") for ln in lines), lines


# --------------------------------------------------------------------------- the Excel upload


def bad_values(client: Client, report: Report) -> tuple[bytes, InputCell, InputCell]:
    """The downloaded sheet with an unknown status and an unknown self-evaluation typed in."""
    data = download(client, report)
    cells = cells_of(data)
    status = first(cells, "content", "status")
    evaluation = first(cells, "item", "evaluation")
    return fill(data, {at(status): "たぶん", at(evaluation): "Z"}), status, evaluation


def bad_cells(client: Client, report: Report) -> tuple[bytes, InputCell, str]:
    """The downloaded sheet with a formula in an actual and a protected cell overwritten."""
    data = download(client, report)
    _item, line = in_kai(report)
    actual = cells_of(data)[("indicator", line.indicator.key, "actual")]
    row = int(first(cells_of(data), "content", "status").cell[1:])
    protected = f"E{row}"
    values = {at(actual): "=1+1", (S_CONTENTS, protected): "書き換えた実施内容"}
    return fill(data, values), actual, protected


def problems_by_cell(response) -> dict[tuple[str, str], str]:
    assert response.status_code == 400, response.status_code
    return {(p.sheet, p.cell): p.message for p in response.context["problems"]}


def test_the_upload_explains_each_value_in_english_with_sheet_and_cell(report):
    client = staff("en")
    data, status, evaluation = bad_values(client, report)
    response = upload(client, report, data)
    found = problems_by_cell(response)
    assert found[(S_CONTENTS, status.cell)].startswith(
        "The status “たぶん” cannot be used. Choose one of 予定どおり, "
    )
    assert found[(S_ITEMS, evaluation.cell)].startswith("The self-evaluation “Z” cannot be used.")
    assert "(the criteria are on the sheet “説明”)" in found[(S_ITEMS, evaluation.cell)]
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert f"<td>{S_CONTENTS}</td><td>{status.cell}</td><td>The status" in html
    for message in found.values():
        assert not JAPANESE.search(without_settings(message, report)), message
    assert not IndicatorEntry.objects.filter(report=report).exists()


def test_the_upload_explains_each_cell_in_english(report):
    client = staff("en")
    data, actual, protected = bad_cells(client, report)
    found = problems_by_cell(upload(client, report, data))
    assert found[(S_INDICATORS, actual.cell)] == (
        f"The cell {actual.cell} holds the formula “=1+1”. Type the text or number itself."
    )
    assert found[(S_CONTENTS, protected)].startswith("A protected cell has been changed (it was “")
    for message in found.values():
        assert not JAPANESE.search(without_settings(message, report)), message


def test_the_upload_names_a_moved_row_and_a_wrong_file_in_english(report):
    client = staff("en")
    data = download(client, report)
    row = int(first(cells_of(data), "content", "status").cell[1:])
    moved = fill(data, {(S_CONTENTS, f"A{row}"): "content:item-99#1"})
    (problem,) = upload(client, report, moved).context["problems"]
    assert (problem.sheet, problem.cell) == (S_CONTENTS, f"row {row}")
    assert problem.message.startswith("The rows have been moved")
    (problem,) = upload(client, report, b"PK", name="memo.txt").context["problems"]
    assert problem.message.startswith("Choose an Excel workbook (.xlsx).")


def test_the_upload_explains_each_cell_in_japanese_as_before(report):
    client = staff(None)
    data, status, evaluation = bad_values(client, report)
    found = problems_by_cell(upload(client, report, data))
    statuses = "・".join(services.PlanSettings.of(report.round.plan).content_statuses)
    assert found[(S_CONTENTS, status.cell)] == (
        f"状況「たぶん」は使えません。{statuses} のいずれかを一覧から選んでください。"
    )
    assert found[(S_ITEMS, evaluation.cell)].startswith("自己評価「Z」は使えません。")
    assert found[(S_ITEMS, evaluation.cell)].endswith(
        " のいずれかを一覧から選んでください（基準は「説明」シートにあります）。"
    )
    data, actual, protected = bad_cells(client, report)
    found = problems_by_cell(upload(client, report, data))
    assert found[(S_INDICATORS, actual.cell)] == (
        f"セル{actual.cell}に数式「=1+1」が入っています。文字や数値をそのまま入力してください。"
    )
    assert found[(S_CONTENTS, protected)].startswith("保護された欄が変更されています（")
    data = download(client, report)
    row = int(status.cell[1:])
    moved = fill(data, {(S_CONTENTS, f"A{row}"): "content:item-99#1"})
    (problem,) = upload(client, report, moved).context["problems"]
    assert (problem.sheet, problem.cell) == (S_CONTENTS, f"{row}行目")
    assert problem.message == (
        "行の並びが変わっています（行の挿入・削除・並べ替え）。"
        "調査票をダウンロードし直して、入力し直してください。"
    )


# --------------------------------------------------------------------------- services


def test_round_refusals_follow_the_active_language(report):
    plan = report.round.plan
    with translation.override("en"):
        with pytest.raises(
            services.RoundError, match=r"^The progress round of .+ already exists\.$"
        ):
            services.open_round(plan, 2020, date(2021, 5, 31), None)
        with pytest.raises(services.RoundError, match="Some fields are still empty: "):
            services.submit(report, None)
    with pytest.raises(
        services.RoundError, match=r"^令和2年度\(2020年度\)の進捗調査は既にあります。$"
    ):
        services.open_round(plan, 2020, date(2021, 5, 31), None)
    with pytest.raises(services.RoundError, match=r"^まだ入力されていない欄があります: .+、"):
        services.submit(report, None)
