"""Drive a progress round through the services, as the tests of the public pages need it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import Report, Round
from shinchoku.rounds.services import SheetInput

ACTION = "nishitokyo-action-plan-2019"
CITY = "nishitokyo-chiiki-fukushi-4"


def one(line) -> str:
    """An actual in the indicator's own unit."""
    return f"1{line.indicator.unit}"


def filled(
    report: Report,
    actual_for: Callable = one,
    *,
    done: str = "実施した",
    next_: str = "続ける",
    note: str = "",
) -> SheetInput:
    """Every field of the sheet filled: items, contents and indicators."""
    data = SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {"done": done, "next": next_, "evaluation": "B"}
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": note}
        for line in item.indicators:
            data.indicators[line.indicator.key] = {
                "actual": actual_for(line),
                "note": note,
                "done": done,
                "next": next_,
            }
    return data


def approve(report: Report, user, data: SheetInput | None = None) -> Report:
    """Save, submit and approve a department's sheet."""
    report = services.save(report, data or filled(report), version=report.version, user=user)
    report = services.submit(report, user)
    return services.approve(report, user)


def open_round(slug: str, fy: int, user) -> Round:
    plan = Plan.objects.get(slug=slug)
    return services.open_round(plan, fy, date(fy + 1, 5, 31), user)


def published_round(slug: str, fy: int, user, **fill) -> Round:
    """A round with every sheet approved, closed and published."""
    round_ = open_round(slug, fy, user)
    for report in round_.reports.all():
        approve(report, user, filled(report, **fill) if fill else None)
    services.close_round(round_, user)
    services.publish_round(round_, user)
    return round_
