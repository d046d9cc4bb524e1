"""The sheets' rows of one item for its yearly progress, read in one query (issue 16).

item_years (rounds.templatetags.progress) shows, for each FY, the statuses departments gave the
item's contents, their texts on the item and the indicator entries not yet approved. The three
are read as one UNION ALL (plans.rows), its SQL compiled once per process: on a cache miss of
the item page, building and compiling three querysets cost more than running them.
"""

from __future__ import annotations

from django.db.models import Q

from shinchoku.plans import rows
from shinchoku.plans.models import Indicator
from shinchoku.plans.rows import Part
from shinchoku.rounds.models import ContentEntry, IndicatorEntry, ItemEntry, Report

REPORT = ("report", "report__round", "report__department")


def item_entries(
    plan_id: int, node_key: str
) -> tuple[list[ContentEntry], list[ItemEntry], list[IndicatorEntry]]:
    """The yearly rounds' content entries with a status and item entries of the node, and the
    unapproved indicator entries with a figure or a text of its indicators, each with its
    report, round and department (one query)."""
    contents, items, pending = rows.read_compiled("item-entries", _parts, plan_id, node_key)
    return contents, items, pending


def _parts(plan_id: int, node_key: str) -> list[Part]:
    base = Q(report__round__plan_id=plan_id, report__round__kind="yearly")  # not the final one
    keys = Indicator.objects.filter(node__plan_id=plan_id, node__key=node_key).values("key")
    return [
        Part(
            ContentEntry.objects.filter(base, node_key=node_key).exclude(status=""),
            REPORT,
            ("report__round__fy", "position", "report__department__order", "pk"),
        ),
        Part(
            ItemEntry.objects.filter(base, node_key=node_key),
            REPORT,
            ("report__round__fy", "report__department__order", "pk"),
        ),
        Part(
            IndicatorEntry.objects.filter(base, indicator_key__in=keys)
            .exclude(report__status=Report.Status.APPROVED)
            .exclude(actual="", done="", next=""),
            REPORT,
            ("report__department__order", "pk"),
        ),
    ]
