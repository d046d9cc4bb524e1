"""Tests for the parsers of seeds 001 and 002 (the activity plan) and the SDGs (no Django)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from shinchoku.plans.seeds.activity_plan import (
    dequadruple,
    is_quadrupled,
    normalise_chars,
    parse_activity_plan,
)
from shinchoku.plans.seeds.report import ImportReport
from shinchoku.plans.seeds.sdgs import SDG_GOALS, parse_sdgs
from tests.seeds import seed_text, seeds_dir

MAIN = "001_1bd9884819cece0a.txt"
SUMMARY = "002_7c29771b2f4e3fb4.txt"
ACTION_PLAN = "000_ee122d3fe59ff67a.txt"
PHILOSOPHY = (
    "一人ひとりの個性をいかし、ともに支え合い、みんなで作る私たちのまち"
    " ～住みなれた地域で住み続けるために～"
)
MEASURES_PER_GOAL = [3, 1, 2, 4, 1, 3]
QUAD = re.compile(r"(\S.*?)\1{3}")


def parse() -> tuple[dict[str, Any], ImportReport]:
    """Parse seeds 001 and 002 into a fresh report."""
    report = ImportReport()
    return parse_activity_plan(seed_text(MAIN), seed_text(SUMMARY), report), report


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, Any], ImportReport]:
    """Parse the seeds once for the whole module."""
    return parse()


@pytest.fixture(scope="module")
def plan(parsed: tuple[dict[str, Any], ImportReport]) -> dict[str, Any]:
    """The plan part of the interchange document."""
    return parsed[0]["plan"]


@pytest.fixture(scope="module")
def report(parsed: tuple[dict[str, Any], ImportReport]) -> ImportReport:
    """The import report."""
    return parsed[1]


def strings(value: Any) -> Iterator[str]:
    """Yield every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def section(node: dict[str, Any], heading: str) -> dict[str, Any]:
    """Return a node's section by heading."""
    return next(s for s in node["sections"] if s["heading"] == heading)


def test_quadrupled_bold_text_is_collapsed() -> None:
    """Four copies of a chunk in a row become one; ordinary text is left alone."""
    line = "施 策 ① " + "新たな担い手の" * 4 + "参加促" * 4 + "進" * 4
    assert is_quadrupled(line)
    assert dequadruple(line) == "施 策 ① 新たな担い手の参加促進"
    assert (
        dequadruple("12.12.12.12.つくる責任つくる責任つくる責任つくる責任    ") == "12.つくる責任 "
    )
    assert not is_quadrupled("・住民同士がつながる仕組みづくりに取り組みます")


def test_radical_forms_are_mapped() -> None:
    """CJK radical forms become the ordinary ideographs."""
    assert (
        normalise_chars("⻄東京市 ⽀え合い ⼈材 ⼒ ⾒⽅ ⼀⼈ ⼼")
        == "西東京市 支え合い 人材 力 見方 一人 心"
    )


def test_plan_header(parsed: tuple[dict[str, Any], ImportReport]) -> None:
    """Organization, slug, period, levels and the relation to the city plan."""
    doc = parsed[0]
    assert doc["format"] == "shinchoku-plan"
    assert doc["organization"] == {
        "slug": "nishitokyo-shakyo",
        "name": "西東京市社会福祉協議会",
        "kind": "council",
    }
    plan = doc["plan"]
    assert plan["slug"] == "nishitokyo-katsudo-4"
    assert plan["kind"] == "activity_plan"
    assert plan["title"] == "第四次西東京市地域福祉活動計画"
    assert (plan["first_fy"], plan["last_fy"]) == (2019, 2023)
    assert plan["level_names"] == ["基本目標", "施策"]
    assert plan["relations"] == [{"type": "aligned", "plan": "nishitokyo-chiiki-fukushi-4"}]


def test_philosophy(plan: dict[str, Any]) -> None:
    """基本理念 is reassembled from the two-column lines and matches the back cover of 000."""
    assert plan["philosophy"] == PHILOSOPHY
    path = seeds_dir() / ACTION_PLAN
    if path.is_file():
        cover = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
        assert re.sub(r"\s+", "", PHILOSOPHY) in cover


def test_welfare_issues(plan: dict[str, Any]) -> None:
    """Ten 福祉課題, numbered 1–10, each with at least one citizens' voice."""
    issues = plan["welfare_issues"]
    assert [i["number"] for i in issues] == list(range(1, 11))
    assert all(i["voices"] for i in issues)
    assert issues[0]["title"] == "地域におけるつながりづくり"
    assert issues[0]["voices"][1] == "自治会が少ない"
    assert issues[9]["title"] == "地域の課題解決に向けた社会福祉協議会の機能強化"


def test_plan_sections(plan: dict[str, Any]) -> None:
    """西東京市スタイル with its four services and the three 計画の推進 sections."""
    headings = [s["heading"] for s in plan["sections"]]
    for heading in (
        "西東京市スタイル",
        "計画の位置づけ",
        "協働による計画の推進",
        "計画の進行管理体制",
    ):
        assert heading in headings
    style = next(s for s in plan["sections"] if s["heading"] == "西東京市スタイル")
    for service in (
        "地域福祉コーディネーター",
        "生活サポート相談窓口",
        "生活支援コーディネーター",
        "ふれあいのまちづくり住民懇談会",
    ):
        assert f"★ {service}" in style["body"]


def test_goals_and_measures(plan: dict[str, Any]) -> None:
    """Six 基本目標 with 3, 1, 2, 4, 1, 3 施策, fourteen in all."""
    goals = plan["nodes"]
    assert [g["key"] for g in goals] == [f"G{n}" for n in range(1, 7)]
    assert [g["label"] for g in goals] == [f"基本目標{n}" for n in range(1, 7)]
    assert [len(g["children"]) for g in goals] == MEASURES_PER_GOAL
    assert sum(MEASURES_PER_GOAL) == 14
    assert goals[0]["title"] == "地域コミュニティへの参加促進"
    assert goals[0]["subtitle"] == "～支え合える地域のつながりをつくろう～"
    assert goals[5]["title"] == "「西東京市スタイル」を支える社会福祉協議会の基盤・運営強化"
    assert goals[1]["children"][0]["title"] == "新たな担い手の参加促進"
    assert goals[1]["children"][0]["label"] == "①"
    assert goals[3]["children"][3]["key"] == "G4-4"
    for goal in goals:
        assert goal["level"] == 1
        assert section(goal, "課題と方向性")["body"]
        assert section(goal, "2024年の姿")["body"]
        for child in goal["children"]:
            assert child["level"] == 2


def test_visions_come_from_the_summary(plan: dict[str, Any], report: ImportReport) -> None:
    """2024年の姿 is taken from 002; order differences with 001 are reported."""
    goal1 = plan["nodes"][0]
    assert section(goal1, "2024年の姿")["body"] == [
        "あいさつの輪が広がっています",
        "初めての人でも気軽に立ち寄れるような場所がたくさんできています",
        "いざというときに住民同士で助け合うことができます",
    ]
    assert any("2024年の姿" in e.where for e in report.of_kind("disagreement"))


def test_measure_contents(plan: dict[str, Any]) -> None:
    """Every 施策 has 内容 bullets and tagged action-plan entries, wrapped lines joined."""
    for goal in plan["nodes"]:
        for child in goal["children"]:
            assert section(child, "内容")["body"]
            assert child["contents"]
            for content in child["contents"]:
                assert content["tag"] in ("新規", "継続", "充実・強化")
                assert content["shared"] is None
                assert content["goals"] == []
                assert content["schedule"] == []
                assert not re.search(r"[（(](新規|継続|充実・強化)[）)]", content["text"])
            assert [c["label"] for c in child["contents"]] == [
                str(n) for n in range(1, len(child["contents"]) + 1)
            ]
    first = plan["nodes"][0]["children"][0]
    assert first["contents"][2]["text"] == (
        "幅広い世代に地域活動を知ってもらい、引き続き社協の理解者、活動の参加者を増やします"
    )
    assert first["contents"][2]["tag"] == "継続"
    assert section(plan["nodes"][0]["children"][1], "内容")["body"][0] == (
        "参加しやすい居場所をつくるために活動者のネットワークをつくります"
    )
    last = plan["nodes"][3]["children"][0]["contents"][-1]
    assert last["text"].endswith("相談支援体制の検討に着手します")
    assert last["tag"] == "新規"


def test_goal_level_contents(plan: dict[str, Any]) -> None:
    """基本目標4 and 6 carry their その他のアクションプラン."""
    counts = [len(g["contents"]) for g in plan["nodes"]]
    assert counts == [0, 0, 0, 2, 0, 4]
    assert plan["nodes"][3]["contents"][0]["text"] == "新たに法人後見事業を実施します"


def test_no_quadrupled_text_or_radicals_left(parsed: tuple[dict[str, Any], ImportReport]) -> None:
    """No four-fold repetition and no radical form survives anywhere in the output."""
    for text in strings(parsed[0]):
        assert not QUAD.search(text), text
        assert text == normalise_chars(text), text


def test_sdgs_not_readable_and_reported(plan: dict[str, Any], report: ImportReport) -> None:
    """SDG marks were images: every 施策 has sdgs [] and the report says so once."""
    assert all(c["sdgs"] == [] for g in plan["nodes"] for c in g["children"])
    missing = [e for e in report.of_kind("missing") if "SDGs" in e.message]
    assert len(missing) == 1


def test_report_mentions_normalisations(report: ImportReport) -> None:
    """The quadrupled bold text and the radical forms are each reported once."""
    normalised = [e.message for e in report.of_kind("normalised") if e.source == "001"]
    assert sum("4回" in m for m in normalised) == 1
    assert sum("部首" in m for m in normalised) == 1


def test_output_is_json_and_deterministic(parsed: tuple[dict[str, Any], ImportReport]) -> None:
    """The document serialises to JSON and a second parse gives the same bytes."""
    first = json.dumps(parsed[0], ensure_ascii=False, indent=2)
    again, _ = parse()
    assert json.dumps(again, ensure_ascii=False, indent=2) == first


def test_sdgs_equal_the_constant() -> None:
    """The 17 goals re-read from 001 equal SDG_GOALS."""
    report = ImportReport()
    goals = parse_sdgs(seed_text(MAIN), report)
    assert [(g["number"], g["name"], g["description"]) for g in goals] == list(SDG_GOALS)
    assert len(SDG_GOALS) == 17
    assert report.entries == []
    names = dict((n, name) for n, name, _ in SDG_GOALS)
    assert names[1] == "貧困をなくそう"
    assert names[7] == "エネルギーをみんなに そしてクリーンに"
    assert names[17] == "パートナーシップで目標を達成しよう"
