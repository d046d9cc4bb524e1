"""The people of the notifications tests, on the demo action plan of the Nishitokyo council.

Each department of the plan has one 部署担当 with an address; 福祉支援課 also has a 承認者 and an
inactive 部署担当; 総務課 has no 承認者 (its sheets go to the 管理者). A viewer and a member of
another organization must never receive anything.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from django.core import mail

from shinchoku.jobs.runner import run_pending
from shinchoku.notify.models import Notification
from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import Report, Round
from shinchoku.rounds.services import SheetInput
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
FY = 2020
DEADLINE = date(2021, 5, 31)
SHIEN, KATSUDO, SOUMU = "福祉支援課", "福祉活動推進課", "総務課"

PEOPLE = {
    # name: (role, departments, organization)
    "admin": ("admin", (), None),
    "shien": ("staff", (SHIEN,), None),
    "katsudo": ("staff", (KATSUDO,), None),
    "soumu": ("staff", (SOUMU,), None),
    "shien-boss": ("approver", (SHIEN,), None),
    "viewer": ("viewer", (), None),
    "retired": ("staff", (SHIEN,), None),
    "outsider": ("admin", (), CITY_ORG),
}


@pytest.fixture
def people(db):
    """name → logged-in test client (client.user); every one has an address name@example.jp."""
    out = {}
    for name, (role, depts, org) in PEOPLE.items():
        kwargs = {"org_slug": org} if org else {}
        client = login_client(f"n-{name}", role=role, departments=depts, **kwargs)
        client.user.email = f"{name}@example.jp"
        client.user.save()
        out[name] = client
    retired = out["retired"].user
    retired.is_active = False
    retired.save()
    return out


def user(people, name):
    return people[name].user


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug=ACTION)


def deliver() -> dict[str, list[str]]:
    """Run the queued tasks; return and clear the e-mails sent: address name → subjects."""
    run_pending()
    out = defaultdict(list)
    for message in mail.outbox:
        assert len(message.to) == 1  # one message per recipient: no one sees another's address
        out[message.to[0].split("@")[0]].append(message.subject)
    mail.outbox.clear()
    return dict(out)


def notified(since: int = 0, kind: str | None = None) -> dict[str, list[str]]:
    """In-product notifications with id > since: user name (without "n-") → subjects."""
    rows = Notification.objects.filter(pk__gt=since).select_related("recipient").order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    out = defaultdict(list)
    for n in rows:
        out[n.recipient.username.removeprefix("n-")].append(n.subject)
    return dict(out)


def last_id() -> int:
    last = Notification.objects.order_by("-pk").first()
    return last.pk if last else 0


def report_of(round_: Round, name: str) -> Report:
    return round_.reports.select_related("department", "round__plan").get(department__name=name)


def filled(report: Report) -> SheetInput:
    data = SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {"done": "実施した", "next": "続ける", "evaluation": "B"}
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for line in item.indicators:
            if not line.readonly:
                data.indicators[line.indicator.key] = {
                    "actual": f"1{line.indicator.unit}",
                    "note": "",
                }
    return data
