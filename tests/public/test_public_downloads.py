"""Open data: CSV for Excel (BOM, plain numbers, 和暦 column, no formulas) and JSON."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from shinchoku.plans.models import Indicator, IndicatorValue, Node
from shinchoku.public.downloads import CSV_HEADER, JSON_FORMAT, plain_number, safe_text
from tests.public.rounds import CITY


def read_csv(response) -> list[dict[str, str]]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == CSV_HEADER
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def rows_of(rows, name: str, kind: str | None = None) -> list[dict[str, str]]:
    return [r for r in rows if r["指標"] == name and (kind is None or r["区分"] == kind)]


def test_the_csv_opens_in_excel_with_a_japanese_header(anonymous):
    response = anonymous.get(f"/public/{CITY}/data.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{CITY}.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert "指標" in CSV_HEADER and "年度（和暦）" in CSV_HEADER and "記載どおりの値" in CSV_HEADER
    assert len(rows) > 40


def test_numbers_are_plain_with_the_unit_and_the_text_in_their_own_columns(anonymous):
    rows = read_csv(anonymous.get(f"/public/{CITY}/data.csv"))
    actual = rows_of(rows, "自治会・町内会等の加入世帯数", "実績")
    assert len(actual) == 1  # FY2019 only; FY2018 (参考値) is not published
    row = actual[0]
    assert (
        row["数値"] == "20135" and row["単位"] == "世帯" and row["記載どおりの値"] == "20,135世帯"
    )
    assert row["年度"] == "2019" and row["年度（和暦）"] == "令和元年度"
    assert row["担当部署"] == "協働コミュニティ課"
    assert row["取組状況"].startswith("補助金制度の活用周知")
    baseline = rows_of(rows, "自治会・町内会等の加入世帯数", "現状値")[0]
    assert baseline["年度"] == "2017" and baseline["年度（和暦）"] == "平成29年度"
    assert baseline["基準日"] == "2018-03-31" and baseline["値の見出し"] == "平成29年度(現状値)"
    target = rows_of(rows, "自治会・町内会等の加入世帯数", "目標値")[0]
    assert target["年度"] == "2023" and target["数値"] == "20186"
    for r in rows:
        if r["数値"]:
            Decimal(r["数値"])  # every number cell is a plain number
            assert "," not in r["数値"]


def test_the_csv_of_one_year_holds_that_years_targets_and_actuals(anonymous):
    rows = read_csv(anonymous.get(f"/public/{CITY}/2019/data.csv"))
    assert {r["年度"] for r in rows if r["区分"] != "現状値"} <= {"2019"}
    assert rows_of(rows, "自治会・町内会等の加入世帯数", "実績")


def test_formula_injection_is_neutralised_but_negative_numbers_stay_numbers(anonymous):
    node = Node.objects.get(plan__slug=CITY, key="C1")
    ind = Indicator.objects.create(
        node=node, key="evil", name='=HYPERLINK("http://example.invalid","x")', unit="件"
    )
    IndicatorValue(indicator=ind, role="baseline", fy=2017, text="@SUM(1+1)").save()
    IndicatorValue(indicator=ind, role="target", fy=2023, text="+10件").save()
    IndicatorValue(indicator=ind, role="actual", fy=2019, text="-5件").save()
    ind.reports.create(fy=2019, done="\t=cmd|' /C calc'!A0", next="\r-2+3")
    rows = read_csv(anonymous.get(f"/public/{CITY}/data.csv"))
    mine = [r for r in rows if r["指標キー"] == "evil"]
    assert {r["指標"] for r in mine} == {'\'=HYPERLINK("http://example.invalid","x")'}
    by_kind = {r["区分"]: r for r in mine}
    assert by_kind["現状値"]["記載どおりの値"] == "'@SUM(1+1)"
    assert by_kind["目標値"]["記載どおりの値"] == "'+10件"
    actual = by_kind["実績"]
    assert actual["記載どおりの値"] == "'-5件"
    assert actual["数値"] == "-5"  # a negative NUMBER stays a number
    assert actual["取組状況"].startswith("'\t=") and actual["今後の展開"].startswith("'\r")
    for r in rows:
        for header, cell in r.items():
            if header not in ("数値", "数値（上限）", "達成率（%）", "最終目標への進捗（%）"):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (header, cell)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-5件", "'-5件"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("△5件", "△5件"),
        ("", ""),
        ("通常", "通常"),
    ],
)
def test_safe_text(text, expected):
    assert safe_text(text) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (Decimal("20135.000000"), "20135"),
        (Decimal("48.400000"), "48.4"),
        (Decimal("-5"), "-5"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.000000"), "0"),
        (None, ""),
    ],
)
def test_plain_number(number, expected):
    assert plain_number(number) == expected


def test_the_json_parses_and_matches_the_data(anonymous):
    response = anonymous.get(f"/public/{CITY}/data.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    doc = json.loads(response.content)
    assert doc["format"] == JSON_FORMAT and doc["version"] == 1
    assert doc["plan"]["slug"] == CITY and doc["organization"]["name"] == "西東京市"
    assert [p["fy"] for p in doc["published"]] == [2019]
    assert doc["published"][0]["fy_label"] == "令和元年度(2019年度)"
    ind = next(i for i in doc["indicators"] if i["name"] == "自治会・町内会等の加入世帯数")
    assert ind["baseline"]["number"] == 19177 and ind["baseline"]["as_of"] == "2018-03-31"
    assert [(a["fy"], a["text"], a["number"], a["unit"]) for a in ind["actuals"]] == [
        (2019, "20,135世帯", 20135, "世帯")
    ]
    assert [t["fy"] for t in ind["targets"]] == [2023]
    assert ind["reports"][0]["fy"] == 2019 and ind["reports"][0]["done"]
    assert ind["judgements"][0]["fy"] == 2019 and ind["judgements"][0]["progress"] is not None
    stored = IndicatorValue.objects.filter(indicator__node__plan__slug=CITY, role="actual")
    published = [v for v in stored if v.fy == 2019]
    assert sum(len(i["actuals"]) for i in doc["indicators"]) == len(published)
    assert {n["key"] for n in doc["nodes"]} >= {"C1", "C1-1"}
    assert next(n for n in doc["nodes"] if n["key"] == "C1-1")["parent"] == "C1"
    text = response.content.decode()
    for secret in ("参考値", "approved_by", "published_by", "return_comment"):
        assert secret not in text.replace("参考値として", ""), secret


def test_the_json_of_one_year(anonymous):
    doc = json.loads(anonymous.get(f"/public/{CITY}/2019/data.json").content)
    assert doc["fy"] == 2019
    assert all(t["fy"] == 2019 for i in doc["indicators"] for t in i["targets"])
