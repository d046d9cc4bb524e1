"""Tests for the parser of seed 004, the city plan's progress survey sheet (no Django)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shinchoku.plans.seeds.city_plan import ROWS, ReadingGuideError, parse_city_plan
from shinchoku.plans.seeds.report import ImportReport
from tests.seeds import seed_text

SEED_NAME = "004_8688e8a2ad1a98be.txt"
DEPARTMENTS = ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"]
NETWORK = "地域協力ネットワーク"
FUREMACHI = "ふれあいのまちづくり事業における地域活動拠点"

# (goal, name, department, baseline, 平成30年度, 令和元年度, 令和5年度) as printed.
EXPECTED = [
    ("C1", "ボランティア・市民活動センターの登録者数", "地域共生課",
     "504人", "515人", "513人", "700人"),
    ("C1", "自治会・町内会等の加入世帯数", "協働コミュニティ課",
     "19,177世帯", "19,181世帯", "20,135世帯", "20,186世帯"),
    ("C2", f"{FUREMACHI} 参加団体数", "地域共生課", "83団体", "83団体", "86団体", "100団体"),
    ("C2", f"{FUREMACHI} 延べ利用者数", "地域共生課",
     "15,260人", "16,063人", "15,813人", "18,000人"),
    ("C2", f"{FUREMACHI} 延べ利用回数", "地域共生課", "3,424回", "3,051回", "2,731回", "4,000回"),
    ("C2", f"{NETWORK} 設立数", "協働コミュニティ課", "２団体", "2団体", "3団体", "4団体"),
    ("C2", f"{NETWORK} 参加団体数", "協働コミュニティ課", "60団体", "73団体", "112団体", "128団体"),
    ("C3", "地域福祉コーディネーター相談件数", "地域共生課",
     "1,059件", "789件", "888件", "1,749件"),
    ("C3", "女性相談件数", "協働コミュニティ課", "493件", "447件", "469件", "550件"),
    ("C3", "「あんしん西東京」相談件数", "地域共生課", "945件", "812件", "925件", "1,100件"),
    ("C4", "高齢者層における地域包括支援センター認知度", "高齢者支援課",
     "48.4%", "－", "50.70%", "58.40%"),
    ("C4", "福祉サービス第三者評価受審件数", "地域共生課", "65件", "69件", "75件", "90件"),
    ("C5", "防災市民組織の数", "危機管理課", "97組織", "99組織", "101組織", "150組織"),
    ("C5", "消費者生活相談件数", "協働コミュニティ課", "1,161件", "1,494件", "1,405件", "1,100件"),
    ("C6", "はなバス輸送人員", "交通課", "2.09人/km", "2.18人/km", "2.13人/km", "2.18人/km"),
]  # fmt: skip


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, Any], ImportReport]:
    """Parse the seed once for the whole module."""
    report = ImportReport()
    return parse_city_plan(seed_text(SEED_NAME), report), report


@pytest.fixture(scope="module")
def plan(parsed: tuple[dict[str, Any], ImportReport]) -> dict[str, Any]:
    """The plan part of the interchange document."""
    return parsed[0]["plan"]


@pytest.fixture(scope="module")
def indicators(plan: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every indicator with the key of its goal, in document order."""
    return [(goal["key"], ind) for goal in plan["nodes"] for ind in goal["indicators"]]


def test_plan_header(parsed: tuple[dict[str, Any], ImportReport]) -> None:
    """Organization, departments, slug, period, levels and the relation."""
    doc = parsed[0]
    assert doc["organization"] == {
        "slug": "nishitokyo-city",
        "name": "西東京市",
        "kind": "municipality",
    }
    assert doc["departments"] == [{"name": d, "parent": None} for d in DEPARTMENTS]
    plan = doc["plan"]
    assert plan["slug"] == "nishitokyo-chiiki-fukushi-4"
    assert plan["kind"] == "city_plan"
    assert plan["title"] == "第4期西東京市地域福祉計画"
    assert (plan["first_fy"], plan["last_fy"]) == (2019, 2023)
    assert plan["level_names"] == ["基本目標", "施策の方向"]
    assert plan["relations"] == [{"type": "aligned", "plan": "nishitokyo-katsudo-4"}]
    assert [s["heading"] for s in plan["sections"]] == ["※１", "※２"]


def test_goals_and_directions(plan: dict[str, Any]) -> None:
    """Six goals in order with titles, page ranges and their 施策の方向."""
    goals = plan["nodes"]
    assert [g["key"] for g in goals] == [f"C{n}" for n in range(1, 7)]
    assert goals[0]["label"] == "基本目標１"
    assert goals[0]["title"] == "一人一人が活躍する地域づくり"
    assert goals[2]["title"] == "社会的な孤立を防ぎ必要な支援へつなぐしくみづくり"
    pages = [g["sections"][0]["body"][0] for g in goals]
    assert pages == ["33-36", "37-40", "41-44", "45-48", "49-51", "52-55"]
    assert [len(g["children"]) for g in goals] == [3, 3, 3, 3, 2, 3]
    first = goals[0]["children"][0]
    assert (first["key"], first["label"], first["title"]) == ("C1-1", "・", "福祉教育・啓発の充実")
    assert goals[4]["children"][1]["title"] == "防犯対策の充実"


def test_indicator_values(indicators: list[tuple[str, dict[str, Any]]]) -> None:
    """Fifteen indicators with the goal, name, department and values as printed."""
    assert len(indicators) == 15
    got = [
        (
            goal,
            ind["name"],
            ind["department"],
            ind["baseline"]["value"],
            ind["actuals"][0]["value"],
            ind["actuals"][1]["value"],
            ind["targets"][-1]["value"],
        )
        for goal, ind in indicators
    ]
    assert got == EXPECTED


def test_indicator_years_and_notes(indicators: list[tuple[str, dict[str, Any]]]) -> None:
    """Baseline FY2017 as of 31 March 2018, 参考値 FY2018, actual FY2019, target FY2023."""
    for _goal, ind in indicators:
        assert ind["baseline"] == {
            "fy": 2017,
            "value": ind["baseline"]["value"],
            "label": "平成29年度(現状値)",
            "estimate": False,
            "as_of": "2018-03-31",
        }
        assert [(a["fy"], a["note"]) for a in ind["actuals"]] == [(2018, "参考値"), (2019, "")]
        assert [t["fy"] for t in ind["targets"]] == [2023]
    bus = indicators[-1][1]
    assert bus["notes"] == "※１日１㎞あたりの輸送人員"
    assert bus["unit"] == "人/km"


def test_directions(indicators: list[tuple[str, dict[str, Any]]]) -> None:
    """Consumer consultations should go down; the others up."""
    directions = {ind["name"]: ind["direction"] for _goal, ind in indicators}
    assert directions["消費者生活相談件数"] == "down"
    assert directions["ボランティア・市民活動センターの登録者数"] == "up"
    assert directions["高齢者層における地域包括支援センター認知度"] == "up"


def test_reports(indicators: list[tuple[str, dict[str, Any]]]) -> None:
    """Every indicator has a FY2019 report; grouped rows share their group's texts."""
    for _goal, ind in indicators:
        (entry,) = ind["reports"]
        assert entry["fy"] == 2019
        assert entry["done"] and entry["next"]
        assert " " not in entry["done"] + entry["next"]
    by_name = {ind["name"]: ind["reports"][0] for _goal, ind in indicators}
    assert by_name["ボランティア・市民活動センターの登録者数"] == {
        "fy": 2019,
        "done": "機関紙の発行、社協内HPでの情報提供の他、ボランティア養成講習会や体験会の開催",
        "next": "次世代の育成を目的とし福祉体験、ボランティア体験を実施。",
    }
    assert (
        by_name["「あんしん西東京」相談件数"]["done"] == "出前講座を６回開催し、広報啓発を図った。"
    )
    network = [r for name, r in by_name.items() if name.startswith(NETWORK)]
    assert len(network) == 2 and network[0] == network[1]
    assert "中部地域に地域協力ネットワークの設立" in network[0]["done"]
    sites = [r for name, r in by_name.items() if name.startswith(FUREMACHI)]
    assert len(sites) == 3 and sites[0] == sites[1] == sites[2]
    assert sites[0]["next"].startswith("近隣住民等の理解と協力")
    assert by_name["はなバス輸送人員"]["next"].endswith(
        "収支率の改善や利用促進に向けた取組を検討・実施。"
    )


def test_nothing_unplaced_and_judgements_reported(
    parsed: tuple[dict[str, Any], ImportReport],
) -> None:
    """Every line of 004 is placed; the pairing judgement is reported as an interpretation."""
    report = parsed[1]
    assert report.of_kind("unplaced") == []
    assert report.of_kind("missing") == []
    assert any(NETWORK in e.where for e in report.of_kind("interpretation"))


def test_reading_guide_is_verified() -> None:
    """A text that does not match the reading guide fails loudly with a report entry."""
    text = seed_text(SEED_NAME).replace("女性相談件数", "男性相談件数")
    report = ImportReport()
    with pytest.raises(ReadingGuideError):
        parse_city_plan(text, report)
    assert any("女性相談件数" in e.message for e in report.of_kind("missing"))
    assert len(ROWS) == 15


def test_output_is_json_and_deterministic(parsed: tuple[dict[str, Any], ImportReport]) -> None:
    """The document serialises to JSON and a second parse gives the same bytes."""
    first = json.dumps(parsed[0], ensure_ascii=False, indent=2)
    again = parse_city_plan(seed_text(SEED_NAME), ImportReport())
    assert json.dumps(again, ensure_ascii=False, indent=2) == first
