"""A prepared UPDATE (shinchoku.prepared.PreparedUpdate) writes what QuerySet.update writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from shinchoku.notify.models import Notification
from shinchoku.prepared import PreparedUpdate


def _update(pk: int, key: str, subject: str, at: datetime):
    rows = Notification.objects.filter(pk=pk, key=key, mail__in=["not_wanted", "queued"])
    return rows, {"subject": subject, "read_at": at, "body": Concat(F("body"), Value("+"))}


@pytest.mark.django_db
def test_a_prepared_update_writes_what_the_orm_writes():
    user = get_user_model().objects.create_user("prepared", password="x")
    a, b = (
        Notification.objects.create(recipient=user, kind="reminder", subject="s", body="b", key=k)
        for k in ("k-a", "k-b")
    )
    prepared = PreparedUpdate(_update, int, str, str, datetime)
    at = datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=UTC)
    assert prepared.run(a.pk, "k-a", "件名 <1>", at) == 1
    rows, values = _update(b.pk, "k-b", "件名 <1>", at)
    assert rows.update(**values) == 1
    fields = ("subject", "read_at", "body")
    assert Notification.objects.values(*fields).get(pk=a.pk) == Notification.objects.values(
        *fields
    ).get(pk=b.pk)
    assert Notification.objects.get(pk=a.pk).read_at == at
    # Values that match no row change nothing; the compiled statement is kept.
    with CaptureQueriesContext(connection) as queries:
        assert prepared.run(a.pk, "k-b", "x", at) == 0
        assert prepared.run(a.pk + 1000, "k-a", "x", at) == 0
    assert len(queries.captured_queries) == 2
    assert Notification.objects.get(pk=a.pk).subject == "件名 <1>"


@pytest.mark.django_db
def test_a_prepared_update_refuses_a_where_on_another_table():
    prepared = PreparedUpdate(
        lambda name: (Notification.objects.filter(recipient__username=name), {"key": "x"}), str
    )
    with pytest.raises(ValueError, match="one table"):
        prepared.run("someone")


@pytest.mark.django_db
def test_a_prepared_update_refuses_a_value_its_sql_lost():
    prepared = PreparedUpdate(
        lambda pk, unused: (Notification.objects.filter(pk=pk), {"key": "x"}), int, str
    )
    with pytest.raises(ValueError, match="not a parameter"):
        prepared.run(1, "y")
