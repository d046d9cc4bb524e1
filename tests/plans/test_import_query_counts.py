"""Issue 16: `shinchoku import` writes a plan in a fixed number of statements, not one per row.

A plan's new nodes, contents and indicators go in one INSERT each (nodes' parents in one UPDATE),
the rows hanging from them in one INSERT per table, the history in one. SQLite splits an INSERT
of many rows into batches (999 parameters a statement), so its count is higher than
PostgreSQL's for the same plan.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.plans.demo import DEMO_DIR
from shinchoku.plans.loading import walk
from shinchoku.plans.models import ChangeRecord, Content, Indicator, Node, Plan

# The demo action plan (38 nodes, 98 contents, 31 indicators) as a new council's plan.
NEW_PLAN = {"postgresql": 41, "sqlite": 48}
# The same file again with --replace: the stored plan exported once for the comparison (its
# fingerprint is that of the compared document: services.prepare; one query, issue 16), its rows
# read back to be matched (an unchanged row is not written).
SAME_AGAIN = {"postgresql": 39, "sqlite": 39}


def council_file(tmp_path):
    doc = json.loads((DEMO_DIR / "nishitokyo-action-plan-2019.json").read_text(encoding="utf-8"))
    doc["organization"] = {
        "slug": "count-council",
        "name": "数え市社会福祉協議会",
        "kind": "council",
    }
    doc["plan"]["slug"] = "count-council-action-plan"
    doc["plan"]["relations"] = []
    for node in walk(doc["plan"]["nodes"]):
        for content in node["contents"]:
            content["goals"] = []
    path = tmp_path / "council.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def imported(*args) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call_command("import", *args, stdout=StringIO(), stderr=StringIO())
    return len(ctx.captured_queries)


@pytest.mark.django_db(transaction=False)
def test_a_plan_is_imported_and_imported_again_in_a_fixed_number_of_queries(tmp_path):
    path = council_file(tmp_path)
    assert imported(str(path)) == NEW_PLAN[connection.vendor]
    plan = Plan.objects.get(slug="count-council-action-plan")
    assert Node.objects.filter(plan=plan).count() == 38
    assert Content.objects.filter(node__plan=plan).count() == 98
    assert Indicator.objects.filter(node__plan=plan).count() == 31
    records = ChangeRecord.objects.filter(plan_slug=plan.slug).count()
    ids = sorted(Node.objects.filter(plan=plan).values_list("id", flat=True))

    assert imported(str(path), "--replace") == SAME_AGAIN[connection.vendor]
    assert sorted(Node.objects.filter(plan=plan).values_list("id", flat=True)) == ids
    assert ChangeRecord.objects.filter(plan_slug=plan.slug).count() == records  # no change


def test_new_nodes_hang_from_their_parents_and_their_ids_follow_the_document(db, tmp_path):
    call_command("import", str(council_file(tmp_path)), stdout=StringIO())
    plan = Plan.objects.get(slug="count-council-action-plan")
    doc = json.loads(council_file(tmp_path).read_text(encoding="utf-8"))
    parents = {n["key"]: None for n in doc["plan"]["nodes"]}
    for node in walk(doc["plan"]["nodes"]):
        parents.update({c["key"]: node["key"] for c in node["children"]})
    rows = list(Node.objects.filter(plan=plan).select_related("parent").order_by("id"))
    assert [n.key for n in rows] == [n["key"] for n in walk(doc["plan"]["nodes"])]
    assert {n.key: n.parent.key if n.parent else None for n in rows} == parents


def test_new_contents_under_nodes_that_stay_cost_no_query_each(db, tmp_path):
    path = council_file(tmp_path)
    call_command("import", str(path), stdout=StringIO())
    doc = json.loads(path.read_text(encoding="utf-8"))

    def with_new_contents(count: int) -> str:
        changed = json.loads(json.dumps(doc))
        nodes = [n for n in walk(changed["plan"]["nodes"]) if n["contents"]]
        template = {
            k: v for k, v in nodes[0]["contents"][0].items() if k not in ("continues", "tag")
        }
        for i in range(count):  # without lineage: pre_save looks at the plan (evaluations)
            new = {**template, "tag": "", "label": "", "text": f"追加の実施内容{i}"}
            nodes[i]["contents"].append(new)
        target = tmp_path / f"plus{count}.json"
        target.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
        return str(target)

    one = imported(with_new_contents(1), "--replace", "--confirm-removals")
    call_command("import", str(path), "--replace", "--confirm-removals", stdout=StringIO())
    three = imported(with_new_contents(3), "--replace", "--confirm-removals")
    assert one == three
    plan = Plan.objects.get(slug="count-council-action-plan")
    assert Content.objects.filter(node__plan=plan, text__startswith="追加の実施内容").count() == 3


@pytest.mark.django_db
def test_references_waiting_for_a_plan_are_found_through_their_indexes():
    """A plan loaded after the plans and contents naming it (interchange._resolve_references_to)
    finds them through a partial index, not by reading every relation and every served goal of
    every council (EXPLAIN; on PostgreSQL with sequential scans off, as benchmarks/explain.py)."""
    from shinchoku.plans.models import ContentGoal, PlanRelation

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    goals = ContentGoal.objects.filter(node=None, plan_slug="later-plan").explain()
    relations = PlanRelation.objects.filter(other=None, other_slug="later-plan").explain()
    assert "goal_waiting_slug" in goals, goals
    assert "relation_waiting_slug" in relations, relations
