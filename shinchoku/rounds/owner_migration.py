"""The data migration of issue 12 (one reporting department per indicator), as a plain function.

Used by migrations/0005_indicator_owner.py and called directly by the tests. Reads models from
`apps` only (the historical models of the migration), never from the app's current code.

For every existing round it:
- records where each approved actual came from (ActualSource) when it can be derived: the
  approved sheet of the round whose entry reads exactly as the plan's actual (the last approved
  one when several do);
- keeps every entry that a department other than the indicator's reporter made (never deleted),
  and counts them, with how many differ from the plan's actual;
and says what it did, one line per plan and round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def derive_sources(
    apps: Any, schema_editor: Any = None, log: Callable[[str], None] = print
) -> dict:
    """Record the provenance of existing approved actuals; return the counts per (plan, fy)."""
    Round = apps.get_model("rounds", "Round")
    IndicatorEntry = apps.get_model("rounds", "IndicatorEntry")
    ActualSource = apps.get_model("rounds", "ActualSource")
    Indicator = apps.get_model("plans", "Indicator")
    IndicatorValue = apps.get_model("plans", "IndicatorValue")
    NodeDepartment = apps.get_model("plans", "NodeDepartment")

    counts: dict[tuple[str, int], dict[str, int]] = {}
    rounds = list(Round.objects.select_related("plan").order_by("plan__slug", "fy"))
    if rounds:
        log("Indicator owner: one reporting department per indicator (existing rounds).")
    for round_ in rounds:
        plan, fy = round_.plan, round_.fy
        indicators = {i.key: i for i in Indicator.objects.filter(plan=plan)}
        firsts: dict[int, int] = {}
        for nd in NodeDepartment.objects.filter(node__plan=plan).order_by("node", "order", "id"):
            firsts.setdefault(nd.node_id, nd.department_id)

        actuals = {
            v.indicator_id: v.text
            for v in IndicatorValue.objects.filter(indicator__plan=plan, role="actual", fy=fy)
        }
        entries = list(
            IndicatorEntry.objects.filter(report__round=round_)
            .exclude(actual="")
            .select_related("report")
            .order_by("report__approved_at", "report_id")
        )
        c = {"sources": 0, "unknown": 0, "kept": 0, "kept_differing": 0, "existing": 0}
        found: dict[str, Any] = {}  # indicator key → the last approved entry matching the plan
        for e in entries:
            ind = indicators.get(e.indicator_key)
            if ind is None:
                continue
            plan_text = actuals.get(ind.pk)
            if (ind.department_id or firsts.get(ind.node_id)) != e.report.department_id:
                c["kept"] += 1
                if plan_text is not None and plan_text != e.actual:
                    c["kept_differing"] += 1
            if e.report.status == "approved" and plan_text is not None and plan_text == e.actual:
                found[e.indicator_key] = e
        for key, ind in indicators.items():
            if ind.pk not in actuals:
                continue
            if ActualSource.objects.filter(plan=plan, indicator_key=key, fy=fy).exists():
                c["existing"] += 1
                continue
            e = found.get(key)
            if e is None:
                c["unknown"] += 1
                continue
            ActualSource.objects.create(
                plan=plan,
                indicator_key=key,
                fy=fy,
                department_id=e.report.department_id,
                report_id=e.report_id,
                text=e.actual,
            )
            c["sources"] += 1
        counts[(plan.slug, fy)] = c
        log(
            f"  {plan.slug} FY{fy}: {c['sources']} actuals attributed to the approving "
            f"department, {c['unknown']} of unknown source, {c['existing']} already attributed; "
            f"{c['kept']} entries by departments that no longer report the indicator kept "
            f"({c['kept_differing']} differ from the plan's actual; never deleted)"
        )
    return counts


def noop(apps: Any, schema_editor: Any) -> None:
    """Going back removes the table; nothing else to undo."""
