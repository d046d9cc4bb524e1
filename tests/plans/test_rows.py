"""plans.rows: the one-query reader's own guarantees (issue 16).

- `read_compiled` compiles a reader's SQL once with stand-ins for its arguments: a stand-in a
  field cannot hold (a negative number on a positive field) would make its part compile to
  nothing and silently drop it, so the stand-ins fit every integer field, and a reader whose
  part or argument is lost is refused.
- `prefetched` sets a relation's rows as prefetch_related would: reading them costs nothing,
  and anything chained on them (filter, order_by, all) asks the relation itself.
"""

from __future__ import annotations

import pytest

from shinchoku.plans.models import Indicator, IndicatorValue, Node, Plan
from shinchoku.plans.rows import Part, prefetched, read, read_compiled
from shinchoku.rounds.models import Round

pytestmark = pytest.mark.django_db

ACTION = "nishitokyo-action-plan-2019"


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.get(slug=ACTION)


def _by_fy(plan_id: int, fy: int) -> list[Part]:
    """A reader filtering a PositiveSmallIntegerField (Round.fy) by an argument."""
    return [
        Part(Round.objects.filter(plan_id=plan_id, fy=fy)),
        Part(Node.objects.filter(plan_id=plan_id), order=("seq",)),
    ]


def test_a_small_positive_field_filtered_by_an_argument_keeps_its_part(plan):
    Round.objects.create(plan=plan, fy=2020, deadline="2021-05-31")
    rounds, nodes = read_compiled("test-by-fy", _by_fy, plan.pk, 2020)
    assert [r.fy for r in rounds] == [2020]
    assert [n.pk for n in nodes] == list(
        Node.objects.filter(plan=plan).order_by("seq").values_list("pk", flat=True)
    )
    # The SQL compiled for the first call serves the next with other values.
    rounds, _nodes = read_compiled("test-by-fy", _by_fy, plan.pk, 2021)
    assert rounds == []
    assert read(_by_fy(plan.pk, 2020))[0] == list(Round.objects.filter(plan=plan, fy=2020))


def test_a_part_that_compiles_to_nothing_is_refused(plan):
    def nothing(plan_id: int) -> list[Part]:
        return [
            Part(Node.objects.filter(plan_id=plan_id)),
            Part(Round.objects.filter(plan_id=plan_id, fy__in=[])),  # reads nothing, always
        ]

    with pytest.raises(ValueError, match="part 1 reads nothing"):
        read_compiled("test-nothing", nothing, plan.pk)


def test_an_argument_the_sql_does_not_use_is_refused(plan):
    def unused(plan_id: int, fy: int) -> list[Part]:
        return [Part(Node.objects.filter(plan_id=plan_id))]

    with pytest.raises(ValueError, match=r"arguments \[1\]"):
        read_compiled("test-unused", unused, plan.pk, 2020)


def test_prefetched_rows_read_nothing_and_chaining_asks_the_relation(
    plan, django_assert_num_queries
):
    indicator = Indicator.objects.filter(node__plan=plan, values__isnull=False).first()
    node = Node.objects.filter(plan=plan, departments__isnull=False).first()
    values = list(IndicatorValue.objects.filter(indicator=indicator).order_by("role", "fy"))
    departments = list(node.departments.all())
    indicator, node = Indicator.objects.get(pk=indicator.pk), Node.objects.get(pk=node.pk)
    prefetched(indicator, "values", values)
    prefetched(node, "departments", departments)
    with django_assert_num_queries(0):
        assert list(indicator.values.all()) == values
        assert list(node.departments.all()) == departments
        assert indicator.values.count() == len(values)
        assert node.departments.exists()
    assert indicator.values.all().model is IndicatorValue
    # Chained: the relation's own rows, not the whole table's.
    with django_assert_num_queries(1):
        assert list(indicator.values.filter(role="actual")) == [
            v for v in values if v.role == "actual"
        ]
    with django_assert_num_queries(1):
        assert list(node.departments.order_by("-pk")) == sorted(departments, key=lambda d: -d.pk)
    # The rows set are still what the relation returns.
    with django_assert_num_queries(0):
        assert list(indicator.values.all()) == values


def test_constant_texts_with_percent_and_quotes_read_as_the_orm_reads_them(plan):
    """On PostgreSQL the constants are written into the SQL as literals (psycopg would split a
    long query anew at each run): texts holding %, quotes and backslashes must survive it."""
    node = Node.objects.filter(plan=plan).order_by("seq").first()
    odd = "50%の'達成'\\と%s"
    Node.objects.filter(pk=node.pk).update(title=odd)

    def odd_titles(plan_id: int) -> list[Part]:
        return [
            Part(Node.objects.filter(plan_id=plan_id, title=odd)),
            Part(Node.objects.filter(plan_id=plan_id, title__contains="%の'")),
        ]

    for _ in range(2):  # compiled, then from what was compiled
        exact, contains = read_compiled("test-odd", odd_titles, plan.pk)
        assert [n.pk for n in exact] == [node.pk]
        assert [n.title for n in contains] == [odd]
