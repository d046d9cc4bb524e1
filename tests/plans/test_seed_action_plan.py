"""Tests for the parser of seed 000, the action plan (pure Python, no Django)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shinchoku.plans.seeds.action_plan import (
    ACTIVITY_PLAN_SLUG,
    parse_action_plan,
    parse_body,
    schedule_spans,
    split_tag,
)
from shinchoku.plans.seeds.report import ImportReport
from tests.seeds import seed_text

SEED_NAME = "000_ee122d3fe59ff67a.txt"
REPO = Path(__file__).resolve().parents[2]
YEARS = [2019, 2020, 2021, 2022, 2023]


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, Any], ImportReport]:
    """Parse the seed once for the whole module."""
    report = ImportReport()
    return parse_action_plan(seed_text(SEED_NAME), report), report


@pytest.fixture(scope="module")
def doc(parsed: tuple[dict[str, Any], ImportReport]) -> dict[str, Any]:
    """The interchange document."""
    return parsed[0]


@pytest.fixture(scope="module")
def report(parsed: tuple[dict[str, Any], ImportReport]) -> ImportReport:
    """The import report."""
    return parsed[1]


@pytest.fixture(scope="module")
def items(doc: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The 実施項目 nodes by number."""
    return {
        int(node["label"]): node
        for policy in doc["plan"]["nodes"]
        for heading in policy["children"]
        for node in heading["children"]
    }


def content(item: dict[str, Any], label: str) -> dict[str, Any]:
    """Return one placement of an item by its label."""
    return next(c for c in item["contents"] if c["label"] == label)


def spans(placement: dict[str, Any], track: str = "") -> list[tuple[int, int, str]]:
    """Return a placement's schedule as (from, to, phase) tuples of one track."""
    return [(s["from"], s["to"], s["phase"]) for s in placement["schedule"] if s["track"] == track]


# -- helpers that need no seed --------------------------------------------------------------------


def test_schedule_spans_continue_through_empty_cells() -> None:
    assert schedule_spans(["評価・充実", "", "見直し", "強化", ""], YEARS) == [
        {"track": "", "from": 2019, "to": 2020, "phase": "評価・充実"},
        {"track": "", "from": 2021, "to": 2021, "phase": "見直し"},
        {"track": "", "from": 2022, "to": 2023, "phase": "強化"},
    ]


def test_schedule_spans_leading_empty_cells_have_no_phase() -> None:
    assert schedule_spans(["", "検討", "試行", "評価", ""], YEARS, "x") == [
        {"track": "x", "from": 2020, "to": 2020, "phase": "検討"},
        {"track": "x", "from": 2021, "to": 2021, "phase": "試行"},
        {"track": "x", "from": 2022, "to": 2023, "phase": "評価"},
    ]
    assert schedule_spans(["", "", "", "", ""], YEARS) == []


def test_split_tag() -> None:
    assert split_tag("出張相談会の実施(新規)") == ("出張相談会の実施", "新規", False)
    assert split_tag("専門員・生活支援員の体制強化（継続）") == (
        "専門員・生活支援員の体制強化",
        "継続",
        False,
    )
    assert split_tag("計画の見直し、改訂、実行(再掲) (継続)") == (
        "計画の見直し、改訂、実行",
        "継続",
        True,
    )
    assert split_tag("市との調整協議を実施(委託金精算方法の見直し等)(継続)") == (
        "市との調整協議を実施(委託金精算方法の見直し等)",
        "継続",
        False,
    )
    assert split_tag("タグなし") == ("タグなし", "", False)


def test_parse_body_styles() -> None:
    html = '<ul style="list-style-type: none"> <li>・一つ目</li> <li>• 二つ目</li> </ul>'
    assert parse_body(html) == ("bullets", ["一つ目", "二つ目"])
    assert parse_body("①地域の連携 ② 相談の充実") == ("numbered", ["①地域の連携", "②相談の充実"])
    assert parse_body("<p>①一つ目</p> <p>②二つ目</p>") == ("numbered", ["①一つ目", "②二つ目"])
    assert parse_body("・知的・精神障がい者の支援") == ("bullets", ["知的・精神障がい者の支援"])
    assert parse_body("自立した事業運営を目指す") == ("paragraphs", ["自立した事業運営を目指す"])


# -- the whole seed -------------------------------------------------------------------------------


def test_counts(doc: dict[str, Any], items: dict[int, dict[str, Any]]) -> None:
    placements = [c for node in items.values() for c in node["contents"]]
    assert sorted(items) == list(range(1, 26))
    assert len(placements) == 98
    assert sum(1 for c in placements if c["shared"]) == 23
    assert len(doc["plan"]["shared_contents"]) == 3
    assert sum(len(node["indicators"]) for node in items.values()) == 31


def test_plan_header(doc: dict[str, Any]) -> None:
    plan = doc["plan"]
    assert doc["format"] == "shinchoku-plan"
    assert doc["organization"] == {
        "slug": "nishitokyo-shakyo",
        "name": "西東京市社会福祉協議会",
        "kind": "council",
    }
    assert {d["name"] for d in doc["departments"]} == {"総務課", "福祉活動推進課", "福祉支援課"}
    assert all(d["parent"] is None for d in doc["departments"])
    assert plan["slug"] == "nishitokyo-action-plan-2019"
    assert plan["kind"] == "action_plan"
    assert plan["title"] == "第四次西東京市地域福祉活動計画を具現化するためのアクションプラン"
    assert (plan["first_fy"], plan["last_fy"]) == (2019, 2023)
    assert plan["philosophy"] == ""
    assert plan["level_names"] == ["基本方針", "施策", "実施項目"]
    assert plan["relations"] == [{"type": "embodies", "plan": ACTIVITY_PLAN_SLUG}]
    assert plan["welfare_issues"] == []


def test_plan_sections(doc: dict[str, Any]) -> None:
    sections = {s["heading"]: s for s in doc["plan"]["sections"]}
    assert sections["使命"]["body"][0].startswith("地域福祉を推進する中核的な団体として")
    assert "策定の背景と目的" in sections
    assert sections["推進方法"]["style"] == "bullets"
    assert any("総務課が所管" in line for line in sections["推進方法"]["body"])
    assert sections["期間"]["body"] == [
        "アクションプランの実施期間は、2019（平成31）年度から2023年度までの5年間とします。"
    ]


def test_tree(doc: dict[str, Any]) -> None:
    policies = doc["plan"]["nodes"]
    assert [(p["key"], p["level"], p["label"]) for p in policies] == [
        ("P1", 1, "Ⅰ"),
        ("P2", 1, "Ⅱ"),
        ("P3", 1, "Ⅲ"),
    ]
    assert policies[0]["title"] == "事業活動の再構築"
    assert [h["key"] for h in policies[0]["children"]] == [f"P1-{n}" for n in range(1, 7)]
    heading = policies[0]["children"][3]
    assert (heading["level"], heading["label"]) == (2, "(4)")
    assert heading["title"] == "コーディネート力を活かし地域の福祉力を高める"
    keys = [n["key"] for p in policies for h in p["children"] for n in h["children"]]
    assert keys == [f"item-{n}" for n in range(1, 26)]


def test_example_values(items: dict[int, dict[str, Any]]) -> None:
    own_funds = items[16]["indicators"][0]
    assert own_funds["name"] == "自己財源額"
    assert own_funds["baseline"]["value"] == "9,708千円"
    assert own_funds["targets"][-1] == {"fy": 2023, "value": "12,000千円"}
    assert own_funds["unit"] == "千円"
    assert own_funds["direction"] == "up"
    supporters = items[10]["indicators"][0]
    assert {t["fy"]: t["value"] for t in supporters["targets"]}[
        2021
    ] == "次期介護保険事業計画による"
    assert supporters["direction"] == "none"
    donations = next(i for i in items[18]["indicators"] if i["name"] == "寄附金額")
    assert donations["baseline"]["value"] == "236万円"
    assert items[5]["indicators"][1]["baseline"]["value"] == "66人 (31人)"
    assert items[19]["indicators"][1]["targets"][0]["value"] == "取り組み実施"
    assert items[19]["indicators"][1]["targets"][-1]["value"] == "実現"
    assert items[24]["indicators"][0]["direction"] == "keep"


def test_baselines_are_estimates_as_of_footnote(items: dict[int, dict[str, Any]]) -> None:
    for node in items.values():
        for indicator in node["indicators"]:
            assert indicator["baseline"] == {
                "fy": 2018,
                "value": indicator["baseline"]["value"],
                "label": "平成30年度(見込み)",
                "estimate": True,
                "as_of": "2019-01-31",
            }
            assert indicator["key"] == f"I-{node['label']}-{indicator['label']}"


def test_departments_and_kinds(items: dict[int, dict[str, Any]]) -> None:
    assert items[14]["departments"] == ["総務課", "福祉活動推進課", "福祉支援課"]
    assert items[6]["kinds"] == ["東社協委託事業", "市補助事業"]
    assert items[7]["kinds"] == ["市補助"]
    assert items[18]["departments"] == ["総務課", "福祉支援課"]


def test_item_sections(items: dict[int, dict[str, Any]]) -> None:
    sections = items[5]["sections"]
    assert [s["heading"] for s in sections] == [
        "現状と課題",
        "基本的な方向性(目的)",
        "具体的な対応(取組内容)",
        "備考",
    ]
    assert sections[0]["style"] == "bullets"
    assert sections[0]["body"][0] == "障がい児の預かりや課題がある世帯のニーズが増加している"
    assert sections[2]["style"] == "numbered"
    assert sections[2]["body"][1] == "②サポート会員の研修を充実させ、スキルアップを図る"
    first = items[1]["sections"][2]
    assert first["body"] == [
        "①地域のネットワークを活かしながら、寄り添い支援を展開する",
        "②任意事業：現在行っている就労準備支援事業の充実に協力し、活用する",
        "③任意事業：家計改善支援事業の実施について市と協議する",
    ]
    assert items[16]["sections"][1]["style"] == "paragraphs"


def test_schedule_of_item_1(items: dict[int, dict[str, Any]]) -> None:
    assert spans(content(items[1], "1")) == [
        (2019, 2020, "評価・充実"),
        (2021, 2021, "見直し"),
        (2022, 2023, "強化"),
    ]
    assert spans(content(items[1], "3")) == [
        (2019, 2019, "検討"),
        (2020, 2020, "試行"),
        (2021, 2023, "実施"),
    ]


def test_schedule_cells_kept_as_written(
    items: dict[int, dict[str, Any]], report: ImportReport
) -> None:
    assert spans(content(items[11], "2")) == [(2019, 2023, "検討・実施・評価・充実")]
    assert (2022, 2023, "評価・充") in spans(content(items[12], "2"))
    assert any(
        e.where == "実施項目12 実施内容2" and "評価・充" in e.message for e in report.entries
    )
    assert spans(content(items[3], "事業共通3"))[0] == (2020, 2020, "検討")


def test_item_23_has_two_tracks(items: dict[int, dict[str, Any]]) -> None:
    placement = content(items[23], "1")
    assert placement["text"] == "理事の選定、改選\n評議員の選定、改選"
    assert placement["tag"] == "継続"
    assert spans(placement, "理事") == [
        (2019, 2019, "改選"),
        (2020, 2020, "選定"),
        (2021, 2021, "改選"),
        (2022, 2022, "選定"),
        (2023, 2023, "改選"),
    ]
    assert spans(placement, "評議員") == [(2020, 2020, "選定"), (2021, 2023, "改選")]
    assert {s["track"] for s in placement["schedule"]} == {"理事", "評議員"}


def test_tags_and_reposts(items: dict[int, dict[str, Any]]) -> None:
    repost = content(items[18], "1")
    assert (repost["text"], repost["tag"], repost["repost"]) == (
        "福しんごうくんの財源確保計画の見直し、改訂、実行",
        "継続",
        True,
    )
    assert content(items[16], "5")["text"] == "市との調整協議を実施(委託金精算方法の見直し等)"
    assert content(items[6], "1")["tag"] == "継続"
    placements = [c for node in items.values() for c in node["contents"]]
    assert all(c["tag"] in ("新規", "継続", "充実・強化") for c in placements)
    assert sum(1 for c in placements if c["repost"]) == 1


def test_shared_contents(doc: dict[str, Any], items: dict[int, dict[str, Any]]) -> None:
    shared = {s["key"]: s for s in doc["plan"]["shared_contents"]}
    assert sorted(shared) == ["事業共通1", "事業共通2", "事業共通3"]
    assert (
        shared["事業共通1"]["text"]
        == "社協内の部署間連携や関係機関との連携による課題解決の仕組みづくり"
    )
    assert shared["事業共通1"]["tag"] == "充実・強化"
    assert shared["事業共通3"]["tag"] == "新規"
    variant = content(items[3], "事業共通1")
    assert variant["shared"] == "事業共通1"
    assert variant["text"].endswith("しくみづくり")
    placements = [c for node in items.values() for c in node["contents"]]
    for placement in placements:
        if placement["label"].startswith("事業共通"):
            assert placement["shared"] == placement["label"]
        else:
            assert placement["shared"] is None


def test_goals_reference_activity_plan(items: dict[int, dict[str, Any]]) -> None:
    placements = [c for node in items.values() for c in node["contents"]]
    for placement in placements:
        for goal in placement["goals"]:
            assert goal["plan"] == ACTIVITY_PLAN_SLUG
            assert goal["node"] in {f"G{n}" for n in range(1, 7)}
    assert [g["node"] for g in content(items[1], "1")["goals"]] == ["G1", "G4"]
    assert [g["node"] for g in content(items[14], "2")["goals"]] == ["G3", "G4"]
    assert content(items[11], "2")["goals"] == []
    assert content(items[15], "2")["goals"] == []


def test_disagreements(report: ImportReport) -> None:
    found = report.of_kind("disagreement")
    assert 15 <= len(found) <= 30
    for entry in found:
        assert re.search(r"実施項目\d+", entry.where), entry
        assert "詳細ページ" in entry.message
    wheres = {e.where for e in found}
    assert "実施項目2 実施項目名" in wheres
    assert "実施項目10 実施内容事業共通1" in wheres
    assert "実施項目22 実施内容1" in wheres
    title = next(e for e in found if e.where == "実施項目2 実施項目名")
    assert "生活福祉資金事業" in title.message and "生活福祉資金貸付事業" in title.message


def test_rows_without_indicator_are_reported(
    items: dict[int, dict[str, Any]], report: ImportReport
) -> None:
    for number in (20, 22, 23):
        assert items[number]["indicators"] == []
        assert any(e.where == f"実施項目{number} 目標(数値)1" for e in report.of_kind("missing"))


def test_item_11_short_indicator_rows(
    items: dict[int, dict[str, Any]], report: ImportReport
) -> None:
    registered = items[11]["indicators"][0]
    assert registered["baseline"]["value"] == "78人"
    assert [t["fy"] for t in registered["targets"]] == [2019, 2020, 2021, 2022]
    assert items[11]["indicators"][1]["targets"][-1] == {"fy": 2022, "value": "500件"}
    assert any(e.where == "実施項目11 目標(数値)1" for e in report.of_kind("missing"))


def test_indicator_notes(items: dict[int, dict[str, Any]]) -> None:
    first, second = items[5]["indicators"]
    assert first["notes"].startswith("*1: 30年度は")
    assert second["notes"] == "*2: 障がいに関わる活動者数"
    assert items[9]["indicators"][1]["notes"].startswith("* 2019年度以降の目標数値")
    assert items[9]["indicators"][0]["notes"] == ""
    assert items[4]["indicators"][0]["notes"] == ""
    assert items[4]["sections"][-1]["body"] == [
        "*他機関と連携をすすめ、適切なサービスを紹介していく"
    ]


def test_report_entries(report: ImportReport) -> None:
    interpretation = [e for e in report.of_kind("interpretation") if e.where == "実施時期"]
    assert len(interpretation) == 1
    assert sum(1 for e in report.of_kind("unplaced") if e.where == "資料編") == 1
    assert {e.where for e in report.of_kind("unplaced")} == {"表紙", "第1章 2(2)", "資料編"}
    assert any("取り組み実施" in e.message for e in report.of_kind("normalised"))
    assert all(e.source == "000" for e in report.entries)


def test_json_serialisable_and_deterministic(doc: dict[str, Any], report: ImportReport) -> None:
    again = ImportReport()
    second = parse_action_plan(seed_text(SEED_NAME), again)
    assert json.dumps(doc, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)
    assert report.lines() == again.lines()


def test_matches_schema(doc: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = REPO / "shinchoku" / "plans" / "schema" / "plan-v1.schema.json"
    if not schema_path.is_file():
        pytest.skip("schema not available")
    jsonschema.validate(doc, json.loads(schema_path.read_text(encoding="utf-8")))
