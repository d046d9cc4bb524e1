"""The `shinchoku` command line, end to end on real temporary files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shinchoku.plans.demo import DEMO_DIR
from shinchoku.plans.models import Plan
from tests.factories import plan_doc

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_plans_lists_one_plan_per_line_slug_first(db):
    lines = run("plans").strip().splitlines()
    assert len(lines) == Plan.objects.count()
    slugs = [line.split("\t")[0] for line in lines]
    assert "nishitokyo-action-plan-2019" in slugs
    assert all(Plan.objects.filter(slug=s).exists() for s in slugs)


def test_export_writes_the_action_plan_with_every_item_content_and_indicator(db, tmp_path):
    target = tmp_path / "action.json"
    run("export", "nishitokyo-action-plan-2019", "--format", "json", "-o", str(target))
    doc = json.loads(target.read_text(encoding="utf-8"))

    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n["children"])

    nodes = list(walk(doc["plan"]["nodes"]))
    items = [n for n in nodes if n["level"] == 3]
    contents = [c for n in items for c in n["contents"]]
    indicators = {i["key"]: i for n in items for i in n["indicators"]}
    assert len(items) == 25
    assert len(contents) == 98
    assert sum(1 for c in contents if c["shared"]) == 23
    assert len(indicators) == 31
    item16 = next(n for n in items if n["label"] == "16")
    (own,) = item16["indicators"]
    assert own["name"] == "自己財源額"
    assert own["baseline"]["value"] == "9,708千円"
    assert {t["fy"]: t["value"] for t in own["targets"]}[2023] == "12,000千円"
    item10 = next(n for n in items if n["label"] == "10")
    assert {t["fy"]: t["value"] for t in item10["indicators"][0]["targets"]}[2021] == (
        "次期介護保険事業計画による"
    )


def test_export_of_an_unknown_plan_says_so(db):
    with pytest.raises(CommandError, match="計画「nope」はありません"):
        run("export", "nope")


def test_import_reports_problems_and_writes_nothing(db, tmp_path):
    doc = plan_doc()
    doc["plan"]["first_fy"] = "二〇二四"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = Plan.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match="何も読み込みませんでした"):
        call_command("import", str(path), stdout=StringIO(), stderr=err)
    assert "plan.first_fy" in err.getvalue()
    assert Plan.objects.count() == before


def test_import_refuses_broken_json_with_line_and_column(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "shinchoku-plan",\n  "version": }', encoding="utf-8")
    with pytest.raises(CommandError, match="2行"):
        run("import", str(path))


def test_import_then_export_round_trips_a_file(db, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_doc(), ensure_ascii=False), encoding="utf-8")
    assert "test-plan" in run("import", str(path))
    first = tmp_path / "first.json"
    run("export", "test-plan", "-o", str(first))
    run("import", str(first), "--replace")
    second = tmp_path / "second.json"
    run("export", "test-plan", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_console_script_runs_against_a_fresh_sqlite_file(tmp_path):
    """The installed `shinchoku` script: migrate, load the demo, list and export."""
    script = Path(sys.executable).with_name("shinchoku")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHINCHOKU_DATA_DIR"] = str(tmp_path)

    def sh(*args: str) -> str:
        done = subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, check=True, cwd=REPO
        )
        return done.stdout

    sh("migrate", "--noinput")
    sh("load-demo", "--if-empty")
    assert "nishitokyo-katsudo-4" in sh("plans")
    exported = sh("export", "nishitokyo-katsudo-4", "--format", "json")
    assert exported == (DEMO_DIR / "nishitokyo-katsudo-4.json").read_text(encoding="utf-8")
    assert "既にある" in sh("load-demo", "--if-empty")
