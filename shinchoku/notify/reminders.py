"""Deadline reminders: the daily job (settings.SHINCHOKU_DAILY_JOBS) and the 管理者's reminder.

`daily(day)` tells the staff of every open round's departments whose sheet still waits for them
when a reminder is due (shinchoku.core.reminders): on each of the round's reminder days before
the deadline, and every day after it (then the 管理者 too). Run twice for the same day it
notifies nobody twice (the keys carry the day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shinchoku.core.reminders import due
from shinchoku.notify import events
from shinchoku.notify.services import staff_of


def _waiting(round_: Any) -> list[Any]:
    return list(
        round_.reports.filter(status__in=events.OPEN_STATUSES)
        .select_related("department", "round__plan")
        .order_by("department__order", "department__id")
    )


def daily(day: date) -> dict[str, int]:
    """The day's deadline reminders for every open round; returns counts per kind.

    It first enqueues again the e-mails left waiting by a task that died (requeue_stale).
    """
    from shinchoku.rounds.models import Round

    counts = {"near": 0, "passed": 0, "requeued": requeue_stale()}
    for round_ in Round.objects.filter(status=Round.Status.OPEN).select_related("plan"):
        found = due(round_.deadline, day, round_.reminder_days or [])
        if found is None:
            continue
        with transaction.atomic():  # one round at a time: a failure leaves the others done
            late = _waiting(round_)
            if not late:
                continue
            if found.kind == "near":
                for report in late:
                    events.deadline_near(report, found.days, day)
            else:
                events.deadline_passed(round_, late, day)
            counts[found.kind] += len(late)
    return counts


def requeue_stale(older_than: timedelta = timedelta(minutes=30)) -> int:
    """Enqueue the mail task again for keys whose e-mails still wait after `older_than`."""
    from shinchoku.notify.models import Notification
    from shinchoku.notify.services import send_notifications

    keys = sorted(
        set(
            Notification.objects.filter(
                mail=Notification.Mail.QUEUED, created__lt=timezone.now() - older_than
            ).values_list("key", flat=True)
        )
    )
    for key in keys:
        send_notifications.enqueue(key)
    return len(keys)


@dataclass
class Reminded:
    """What the 管理者's reminder did: departments told, and those nobody with an address covers."""

    told: list[str] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)
    event: Any = None
    organization_slug: str = ""


def remind_now(round_: Any, user: Any) -> Reminded:
    """Notify the staff of every department whose sheet waits (in the product, and by e-mail
    from the mail queue once committed); recorded as the round's "remind" event."""
    from shinchoku.rounds.services import record_event

    out = Reminded(organization_slug=round_.plan.organization.slug)
    with transaction.atomic():
        pending = _waiting(round_)
        if not pending:
            return out
        record_event(round_, user, "remind")
        event = round_.events.filter(action="remind").order_by("-id").first()
        recipients = []
        for report in pending:
            people = staff_of(report.department)
            events.reminded(report, user, event.pk)
            addresses = sorted({u.email for u in people if u.email})
            if addresses:
                out.told.append(report.department.name)
                recipients.append(f"{report.department.name}（{', '.join(addresses)}）")
            else:
                out.without_address.append(report.department.name)
        comment = "、".join(recipients)
        if out.without_address:
            comment += (" — " if comment else "") + "メールアドレスの登録された担当者がいない部署："
            comment += "、".join(out.without_address)
        event.comment = comment
        event.save(update_fields=["comment"])
        out.event = event
    return out


def reminder_messages(done: Reminded) -> list[tuple[int, str]]:
    """What the board tells the 管理者 after a reminder: (messages level, text).

    The second message is HTML (a link to the staff list): every name in it is escaped.
    """
    from django.contrib import messages
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    out = []
    if done.told:
        out.append(
            (
                messages.SUCCESS,
                _("Reminder sent to: %(names)s. The e-mails leave in the background.")
                % {"names": "、".join(done.told)},
            )
        )
    if done.without_address:
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("staff:list", args=[done.organization_slug]),
            _("Staff management"),
        )
        out.append(
            (
                messages.ERROR,
                # The translated text is ours (trusted); names and link are the arguments.
                format_html(
                    _(
                        "Nobody with an e-mail address covers: {names}. They see the reminder in "
                        "the product only. Register their staff's e-mail addresses in 「{link}」."
                    ),
                    names="、".join(done.without_address),
                    link=link,
                ),
            )
        )
    return out
