"""Rounds of the demo plans with every department's sheet approved, each actual its FY's target.

The action plan's targets hold texts such as 「年1回(年4~6回)」 and 「次期介護保険事業計画による」:
the widest values a report cell meets in the demo data.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import Round
from shinchoku.rounds.services import SheetInput


def approve_round(plan: Plan, fy: int) -> Round:
    """Open the plan's round of `fy` and approve every sheet, the actuals equal to the targets."""
    user, _ = get_user_model().objects.get_or_create(username="印刷担当", last_name="印刷担当")
    round_ = services.open_round(plan, fy, date(fy + 1, 5, 31), user)
    for report in round_.reports.all():
        data = SheetInput()
        for item in services.sheet(report):
            data.items[item.node.key] = {
                "done": "地域の関係機関と連携し、年間を通じて取組を進めた。",
                "next": "引き続き実施する。",
                "evaluation": "B",
            }
            for c in item.contents:
                data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
            for line in item.indicators:
                actual = line.target or f"1{line.indicator.unit}"
                data.indicators[line.indicator.key] = {"actual": actual, "note": ""}
        report = services.save(report, data, version=report.version, user=user)
        services.approve(services.submit(report, user), user)
    return round_
