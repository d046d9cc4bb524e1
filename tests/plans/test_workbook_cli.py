"""`shinchoku export --format xlsx` and `shinchoku import FILE.xlsx`, on real temporary files."""

from __future__ import annotations

import copy
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from shinchoku.plans.interchange import dumps, export_plan
from shinchoku.plans.models import ChangeRecord, Plan
from shinchoku.plans.workbook import workbook_cells, write_workbook
from tests.factories import plan_doc

CITY_PLAN = "nishitokyo-chiiki-fukushi-4"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out, stderr=err)
    return str(caught.value), out.getvalue() + err.getvalue()


def snapshot() -> str:
    return "".join(dumps(export_plan(p)) for p in Plan.objects.order_by("slug"))


def test_export_xlsx_writes_the_plan_workbook(db, tmp_path):
    target = tmp_path / "city.xlsx"
    run("export", CITY_PLAN, "--format", "xlsx", "-o", str(target))
    data = target.read_bytes()
    assert workbook_cells(data) == workbook_cells(
        write_workbook(export_plan(Plan.objects.get(slug=CITY_PLAN)))
    )


def test_export_xlsx_refuses_the_terminal(db):
    message, _ = failing("export", CITY_PLAN, "--format", "xlsx")
    assert "-o" in message


def test_import_xlsx_creates_a_plan_and_records_its_history(db, tmp_path):
    path = tmp_path / "new.xlsx"
    path.write_bytes(write_workbook(plan_doc(slug="cli-plan")))
    out, _ = run("import", str(path))
    assert "cli-plan" in out and "新規" in out
    plan = Plan.objects.get(slug="cli-plan")
    expected = plan_doc(slug="cli-plan")
    expected["departments"] = [d for d in expected["departments"] if d["name"] == "総務課"]
    assert dumps(export_plan(plan)) == dumps(expected)  # an unused 係 is not exported
    sources = set(
        ChangeRecord.objects.filter(plan_slug="cli-plan").values_list("source", flat=True)
    )
    assert sources == {ChangeRecord.Source.WORKBOOK}


def test_json_import_records_history_from_the_command_line(db, tmp_path):
    path = tmp_path / "new.json"
    path.write_text(dumps(plan_doc(slug="json-plan")), encoding="utf-8")
    run("import", str(path))
    sources = set(
        ChangeRecord.objects.filter(plan_slug="json-plan").values_list("source", flat=True)
    )
    assert sources == {ChangeRecord.Source.COMMAND}


def test_dry_run_prints_the_changes_and_writes_nothing(db, tmp_path):
    doc = export_plan(Plan.objects.get(slug=CITY_PLAN))
    doc["plan"]["title"] = "題名を変えた計画"
    path = tmp_path / "city.xlsx"
    path.write_bytes(write_workbook(doc))
    before = snapshot()
    records = ChangeRecord.objects.count()
    out, _ = run("import", str(path), "--replace", "--dry-run")
    assert "変更 1 件" in out
    assert "題名を変えた計画" in out
    assert "何も書き込んでいません" in out
    assert snapshot() == before
    assert ChangeRecord.objects.count() == records


def test_errors_are_printed_with_sheet_and_cell_and_nothing_is_written(db, tmp_path):
    wb = load_workbook(io.BytesIO(write_workbook(plan_doc(slug="broken-plan"))))
    wb["体系"]["E3"] = None
    wb["実施内容"]["D2"] = "新"
    out = io.BytesIO()
    wb.save(out)
    path = tmp_path / "broken.xlsx"
    path.write_bytes(out.getvalue())
    for extra in ((), ("--dry-run",)):
        message, printed = failing("import", str(path), *extra)
        assert "2 件の問題" in message
        assert "broken.xlsx: 「体系」シート E3: タイトルを入力してください。" in printed
        assert "「実施内容」シート D2" in printed
    assert not Plan.objects.filter(slug="broken-plan").exists()


def test_an_existing_plan_needs_replace(db, tmp_path):
    path = tmp_path / "city.xlsx"
    run("export", CITY_PLAN, "--format", "xlsx", "-o", str(path))
    message, _ = failing("import", str(path))
    assert "--replace" in message
    out, _ = run("import", str(path), "--replace")
    assert "追加 0 件、変更 0 件、削除 0 件" in out


def test_removing_progress_needs_confirm_removals(db, tmp_path):
    doc = export_plan(Plan.objects.get(slug=CITY_PLAN))
    stripped = copy.deepcopy(doc)
    for goal in stripped["plan"]["nodes"]:
        for node in [goal, *goal["children"]]:
            for ind in node["indicators"]:
                ind["actuals"] = []
    path = tmp_path / "city.xlsx"
    path.write_bytes(write_workbook(stripped))
    before = snapshot()
    message, _ = failing("import", str(path), "--replace")
    assert "--confirm-removals" in message
    assert snapshot() == before
    run("import", str(path), "--replace", "--confirm-removals")
    assert dumps(export_plan(Plan.objects.get(slug=CITY_PLAN))) == dumps(stripped)


def test_workbooks_that_link_to_each_other_load_together(empty_db, tmp_path):
    """The three demo plans link to each other: loaded together, in any order, they round-trip."""
    from shinchoku.plans.demo import demo_documents

    docs = demo_documents()
    paths = []
    for doc in reversed(docs):
        path = tmp_path / f"{doc['plan']['slug']}.xlsx"
        path.write_bytes(write_workbook(doc))
        paths.append(str(path))
    run("import", *paths)
    for doc in docs:
        stored = export_plan(Plan.objects.get(slug=doc["plan"]["slug"]))
        assert dumps(stored) == dumps(doc)


def test_a_workbooks_links_are_checked_against_its_own_organizations_plans(db, tmp_path):
    """As load_documents and the upload check them (issue 16: the command no longer reads every
    node of every plan): a goal of the council's own plan must exist; a link into another
    organization's plan is a reference, accepted whether or not that goal exists."""
    from shinchoku.plans.loading import walk
    from shinchoku.plans.models import ContentGoal

    own = tmp_path / "own.xlsx"
    own.write_bytes(write_workbook(plan_doc(slug="own-plan", org_slug="cli-council")))
    run("import", str(own))

    def linking(plan: str) -> str:
        doc = plan_doc(slug="linking-plan", org_slug="cli-council")
        content = next(c for n in walk(doc["plan"]["nodes"]) for c in n["contents"])
        content["goals"] = [{"plan": plan, "node": "NO-SUCH-KEY"}]
        path = tmp_path / f"linking-{plan}.xlsx"
        path.write_bytes(write_workbook(doc))
        return str(path)

    message, printed = failing("import", linking("own-plan"))
    assert "何も読み込みませんでした" in message
    assert "NO-SUCH-KEY" in printed and "own-plan" in printed
    assert not Plan.objects.filter(slug="linking-plan").exists()
    run("import", linking(CITY_PLAN))  # another organization's plan: a reference
    goal = ContentGoal.objects.get(content__node__plan__slug="linking-plan", plan_slug=CITY_PLAN)
    assert (goal.plan_slug, goal.node_key, goal.node_id) == (CITY_PLAN, "NO-SUCH-KEY", None)
