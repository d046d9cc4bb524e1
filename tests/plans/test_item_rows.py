"""The item page's one read (plans.item_page.read_item, plans.rows) gives the rows the ORM gives.

Every row the page shows of the item, its neighbours and its lineage comes from one UNION ALL
of JSON rows made back into model instances: compared here field by field with the ORM's own
reads (prefetch_related / select_related) and with evaluations' node_lineage_rows.
"""

from __future__ import annotations

import pytest
from django.db.models import Prefetch, prefetch_related_objects

from shinchoku.evaluations.templatetags.lineage import node_lineage_rows
from shinchoku.plans import item_page, links
from shinchoku.plans.models import IndicatorValue, Node, Plan
from shinchoku.plans.views import contents_queryset, node_page_prefetches
from tests.evaluations.scene import ACTION, actuals, final_round
from tests.evaluations.test_next_plan_views import NEW, draft_of

pytestmark = pytest.mark.django_db


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def same(a: list, b: list) -> None:
    assert [fields(x) for x in a] == [fields(y) for y in b]


def orm_node(plan: Plan, key: str) -> Node:
    node = Node.objects.get(plan=plan, key=key)
    prefetch_related_objects(
        [node],
        *node_page_prefetches(),
        Prefetch(
            "indicators",
            queryset=node.indicators.model.objects.select_related("department")
            .prefetch_related(
                Prefetch("values", queryset=IndicatorValue.objects.order_by("fy", "pk")),
                "reports",
            )
            .order_by("order"),
        ),
    )
    return node


@pytest.mark.parametrize("slug", [ACTION, "nishitokyo-katsudo-4"])
def test_every_item_reads_as_the_orm_reads_it(slug):
    plan = Plan.objects.select_related("organization").get(slug=slug)
    for key in Node.objects.filter(plan=plan).values_list("key", flat=True):
        found = item_page.read_item(plan, key)
        node = orm_node(plan, key)
        same([found.node], [node])
        same(found.outline, list(Node.objects.filter(plan=plan).order_by("seq")))
        for name in ("nodedepartment_set", "nodekind_set", "sdgs", "sections"):
            same(list(getattr(found.node, name).all()), list(getattr(node, name).all()))
        same(
            [d.department for d in found.node.nodedepartment_set.all()],
            [d.department for d in node.nodedepartment_set.all()],
        )
        for mine, theirs in zip(found.node.contents.all(), node.contents.all(), strict=True):
            same([mine], [theirs])
            same(list(mine.contentgoal_set.all()), list(theirs.contentgoal_set.all()))
            same(list(mine.schedule.all()), list(theirs.schedule.all()))
            assert mine.effective_tag == theirs.effective_tag
        for mine, theirs in zip(found.node.indicators.all(), node.indicators.all(), strict=True):
            same([mine], [theirs])
            same(list(mine.values.all()), list(theirs.values.all()))
            same(list(mine.reports.all()), list(theirs.reports.all()))
            assert (mine.department and mine.department.name) == (
                theirs.department and theirs.department.name
            )
        served = list(
            links.serving_contents(plan, node, contents_queryset())
            .select_related("node__plan")
            .order_by("node__plan__title", "node__seq", "order")
        )
        same(found.served_by, served)
        for mine, theirs in zip(found.served_by, served, strict=True):
            same([mine.node.plan], [theirs.node.plan])
            same(list(mine.contentgoal_set.all()), list(theirs.contentgoal_set.all()))
            same(list(mine.schedule.all()), list(theirs.schedule.all()))


def test_the_lineage_reads_as_the_tag_reads_it():
    action = Plan.objects.get(slug=ACTION)
    actuals(action)
    final_round(action)
    draft_of(action)
    for slug in (ACTION, NEW):
        plan = Plan.objects.get(slug=slug)
        for key in Node.objects.filter(plan=plan).values_list("key", flat=True):
            mine = item_page.read_item(plan, key).lineage
            theirs = node_lineage_rows(plan, Node.objects.get(plan=plan, key=key))
            assert (mine["previous"] and fields(mine["previous"])) == (
                theirs["previous"] and fields(theirs["previous"])
            )
            assert (mine["old_node"] and fields(mine["old_node"])) == (
                theirs["old_node"] and fields(theirs["old_node"])
            )
            assert [(fields(p), [fields(n) for n in ns]) for p, ns in mine["later"]] == [
                (fields(p), [fields(n) for n in ns]) for p, ns in theirs["later"]
            ]
    # The draft continues the action plan: both directions were compared, not only empties.
    assert item_page.read_item(Plan.objects.get(slug=NEW), "item-1").lineage["old_node"]
    assert item_page.read_item(action, "item-1").lineage["later"]
