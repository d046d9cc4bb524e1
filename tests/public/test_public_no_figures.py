"""Public pages of a plan without indicators: the fixture council's plan, FY2024 published.

Its progress is each 事業's self-evaluation on the plan's A–D scale, 取組状況, 今後の展開 and
content statuses, from approved sheets of published, closed rounds only; internal notes never
show. The plan page counts the evaluations per 基本目標 instead of results of indicators.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.rounds.models import ContentEntry, ItemEntry, Round
from tests.rounds.no_figures import (
    FY,
    SCALE,
    SLUG,
    done_text,
    evaluation_of,
    leaves,
    load_plan,
    make_round,
    next_text,
)

BASE = f"/public/{SLUG}/"
NAMES = {s["code"]: f"{s['code']} {s['name']}" for s in SCALE}


@pytest.fixture
def plan(db):
    return load_plan()


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_plan_page_lists_every_project_with_its_evaluation_and_texts(plan):
    make_round(plan)
    text = text_of(Client().get(BASE))
    for node in leaves(plan):
        assert node.title in text
        assert done_text(node) in text and next_text(node) in text
    for name in NAMES.values():
        assert name in text
    # The summary per 基本目標 counts the evaluations, not indicators.
    assert "自己評価ごとの事業の件数（令和6年度(2024年度)）" in text
    assert "基本目標1 つながり、支え合うまちづくり 2 2 2 1 7" in text
    for noise in ("指標の件数", "判定不可", "達成率", "指標なし"):
        assert noise not in text, noise
    assert "内部メモ" not in text


def test_a_project_page_shows_its_evaluation_statuses_and_texts(plan):
    make_round(plan)
    node = leaves(plan)[0]
    text = text_of(Client().get(f"{BASE}nodes/{node.key}/"))
    assert "自己評価 A 計画どおり実施" in text
    assert "見守り協定の締結（自治会単位）: 遅れ" in text
    assert done_text(node) in text and next_text(node) in text
    assert "内部メモ" not in text  # ContentEntry.note stays internal


def test_a_goal_page_counts_the_evaluations_below_it(plan):
    make_round(plan)
    text = text_of(Client().get(f"{BASE}nodes/g1/"))
    assert "この目標の項目の自己評価" in text
    assert "令和6年度(2024年度) 2 2 2 1 7" in text


def test_nothing_of_an_unpublished_round_or_an_unapproved_sheet_shows(plan):
    round_ = make_round(plan, unapproved=("総務係",))
    text = text_of(Client().get(BASE))
    hidden = [n for n in leaves(plan) if n.departments.all()[0].name == "総務係"]
    for node in hidden:
        assert node.title in text and done_text(node) not in text
    assert "この年度の公表された報告はありません。" in text
    node_text = text_of(Client().get(f"{BASE}nodes/{hidden[0].key}/"))
    assert done_text(hidden[0]) not in node_text and "自己評価" not in node_text
    # Reopened: withdrawn from the public pages at once.
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN)
    assert Client().get(BASE).status_code == 404


def test_the_downloads_carry_the_evaluations(plan):
    make_round(plan)
    body = Client().get(BASE + "data.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    evaluations = [r for r in rows[1:] if r[8] == "自己評価"]
    assert len(evaluations) == 20
    for i, node in enumerate(leaves(plan)):
        row = next(r for r in evaluations if r[4] == node.title)
        assert (row[9], row[14], row[18]) == (str(FY), evaluation_of(i), NAMES[evaluation_of(i)])
        assert (row[21], row[22]) == (done_text(node), next_text(node))
    assert "内部メモ" not in body
    doc = json.loads(Client().get(BASE + "data.json").content)
    assert [s["code"] for s in doc["evaluation_scale"]] == list("ABCD")
    j01 = next(n for n in doc["nodes"] if n["key"] == "j01")
    assert j01["progress"][0]["evaluation_label"] == "A 計画どおり実施"
    assert j01["progress"][0]["statuses"] == [
        {"content": "見守り協定の締結（自治会単位）", "status": "遅れ"}
    ]
    assert "内部メモ" not in json.dumps(doc, ensure_ascii=False)


def count(url: str) -> int:
    """Queries to build the page (a cache miss: public/cache.py would answer a repeat in one)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["", "nodes/g1/", "nodes/j01/", "data.csv", "data.json"])
def test_query_counts_do_not_grow_with_the_projects(plan, path):
    make_round(plan)
    full = count(BASE + path)
    keep = ["j01", "j02"]
    ItemEntry.objects.exclude(node_key__in=keep).delete()
    ContentEntry.objects.exclude(node_key__in=keep).delete()
    assert count(BASE + path) == full
