"""Issue 16: the busiest pages read in a fixed number of queries, however much data there is.

Each page is counted twice, on the demo data ("small") and after `grow` has added other councils
with copies of the action plan, rounds of their own, and more contents and indicators under the
item that is shown ("large"): the count must be the same.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from shinchoku.plans.demo import DEMO_DIR
from shinchoku.plans.interchange import load_documents
from shinchoku.plans.models import Content, Indicator, IndicatorValue, Node, Plan, ScheduleSpan
from shinchoku.rounds import services
from shinchoku.rounds.models import Report, Round

ACTION = "nishitokyo-action-plan-2019"
SIZES = ["small", "large"]


@contextmanager
def rounds_rolled_back(blocker, username: str, *, opened: int | None = None) -> Iterator[None]:
    """For a module: the action plan's FY2020 round published (every sheet approved) and, when
    `opened` is given, that FY's round open; all rolled back when the module is done."""
    from tests.public.rounds import open_round, published_round

    with blocker.unblock(), transaction.atomic():
        user = get_user_model().objects.create_user(username, last_name="担当")
        published_round(ACTION, 2020, user)
        if opened:
            open_round(ACTION, opened, user)
        try:
            yield
        finally:
            transaction.set_rollback(True)


def sized(size: str) -> Plan:
    """The action plan as it is ("small"), or after `grow` ("large")."""
    plan = Plan.objects.get(slug=ACTION)
    if size == "large":
        grow(plan)
    return plan


def item_of(plan: Plan) -> Node:
    """The first item with both contents and indicators (the page shows every kind of row)."""
    return (
        Node.objects.filter(plan=plan)
        .annotate(nc=Count("contents", distinct=True), ni=Count("indicators", distinct=True))
        .filter(nc__gt=0, ni__gt=0)
        .order_by("seq")
        .first()
    )


def sheet_of(round_: Round, node: Node) -> Report:
    """The sheet of the item's first 担当課 (it reports the item's contents and indicators)."""
    dept = node.nodedepartment_set.order_by("order").first().department
    return round_.reports.get(department=dept)


def grow(plan: Plan, *, copies: int = 3) -> None:
    """Add councils with copies of the plan (each with two rounds) and rows under its item."""
    doc = json.loads((DEMO_DIR / f"{ACTION}.json").read_text(encoding="utf-8"))
    docs = []
    for i in range(copies):
        d = copy.deepcopy(doc)
        d["organization"] = {"slug": f"grown-{i}", "name": f"増えた社協{i}", "kind": "council"}
        d["plan"]["slug"] = f"grown-{i}-action"
        d["plan"]["relations"] = []
        docs.append(d)
    for other in load_documents(docs):
        for fy in (2020, 2021):
            services.open_round(other, fy, date(fy + 1, 5, 31), None)
    node = item_of(plan)
    last = node.contents.order_by("-order").first().order
    for n in range(1, 6):
        content = Content.objects.create(node=node, order=last + n, text=f"増えた実施内容{n}")
        ScheduleSpan.objects.create(content=content, from_fy=2020, to_fy=2022, phase="実施")
    last = node.indicators.order_by("-order").first().order
    for n in range(1, 4):
        ind = Indicator.objects.create(
            node=node, key=f"grown-indicator-{n}", order=last + n, name=f"増えた指標{n}", unit="回"
        )
        for fy in range(2019, 2024):
            IndicatorValue.objects.create(
                indicator=ind, role="target", fy=fy, text=f"{fy - 2017}回"
            )
    # More entries on every open sheet of the plan: rows the sheet and its save must not re-read.
    for report in Report.objects.filter(round__plan=plan).filter(~Q(status="approved")):
        for item in services.sheet(report)[:3]:
            report.items.update_or_create(node_key=item.node.key, defaults={"done": "増えた"})
