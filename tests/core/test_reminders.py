"""Which deadline reminder is due on a day (shinchoku.core.reminders)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.reminders import (
    Due,
    ReminderDaysError,
    due,
    format_reminder_days,
    parse_reminder_days,
)

DEADLINE = date(2026, 5, 31)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 5, 24), Due("near", 7)),
        (date(2026, 5, 25), None),
        (date(2026, 5, 28), Due("near", 3)),
        (date(2026, 5, 30), Due("near", 1)),
        (date(2026, 5, 31), None),  # the deadline itself: neither near nor passed
        (date(2026, 6, 1), Due("passed", 1)),
        (date(2026, 6, 30), Due("passed", 30)),
        (date(2026, 4, 1), None),
    ],
)
def test_the_default_days(day, expected):
    assert due(DEADLINE, day, [7, 3, 1]) == expected


def test_no_reminder_days_still_reports_late_sheets():
    assert due(DEADLINE, date(2026, 5, 30), []) is None
    assert due(DEADLINE, date(2026, 6, 2), []) == Due("passed", 2)


@given(
    deadline=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    offset=st.integers(min_value=-400, max_value=400),
    days=st.sets(st.integers(min_value=1, max_value=365), max_size=10),
)
def test_due_matches_its_definition(deadline, offset, days):
    day = deadline - timedelta(days=offset)  # offset: days left (negative: days over)
    found = due(deadline, day, days)
    if offset < 0:
        assert found == Due("passed", -offset)
    elif offset in days:
        assert found == Due("near", offset)
    else:
        assert found is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("7,3,1", [7, 3, 1]),
        ("1, 3, 7", [7, 3, 1]),
        ("７、３、１", [7, 3, 1]),
        ("14 7 7", [14, 7]),
        ("", []),
        (" , ", []),
    ],
)
def test_parse(text, days):
    assert parse_reminder_days(text) == days


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("7,x", "not_a_number"),
        ("-1", "not_a_number"),
        ("0", "out_of_range"),
        ("400", "out_of_range"),
        (",".join(str(i) for i in range(1, 12)), "too_many"),
        ("1.5", "not_a_number"),
    ],
)
def test_parse_refuses(text, reason):
    with pytest.raises(ReminderDaysError) as e:
        parse_reminder_days(text)
    assert e.value.reason == reason


@given(st.sets(st.integers(min_value=1, max_value=365), max_size=10))
def test_format_and_parse_round_trip(days):
    assert parse_reminder_days(format_reminder_days(sorted(days, reverse=True))) == sorted(
        days, reverse=True
    )
