"""Deadlines, urgency and readiness for the to-do page (no Django here)."""

from __future__ import annotations

from datetime import date

import pytest

from shinchoku.core.todo import (
    Deadline,
    Urgency,
    by_urgency,
    is_late,
    progress,
    report_ready,
    split_done,
    urgency,
)

TODAY = date(2025, 5, 20)


@pytest.mark.parametrize(
    ("deadline", "left", "late", "over", "today_", "soon"),
    [
        (date(2025, 5, 31), 11, False, 0, False, False),
        (date(2025, 5, 27), 7, False, 0, False, True),
        (date(2025, 5, 21), 1, False, 0, False, True),
        (date(2025, 5, 20), 0, False, 0, True, True),
        (date(2025, 5, 19), -1, True, 1, False, False),
        (date(2025, 4, 30), -20, True, 20, False, False),
        (date(2026, 5, 20), 365, False, 0, False, False),
    ],
)
def test_days_left_and_late(deadline, left, late, over, today_, soon):
    d = Deadline(deadline, TODAY)
    assert (d.days_left, d.late, d.days_over, d.due_today, d.due_soon) == (
        left,
        late,
        over,
        today_,
        soon,
    )


def test_days_left_across_a_year_end_and_a_leap_day():
    assert Deadline(date(2025, 1, 6), date(2024, 12, 28)).days_left == 9
    assert Deadline(date(2024, 3, 1), date(2024, 2, 28)).days_left == 2


@pytest.mark.parametrize(
    ("status", "deadline", "expected"),
    [
        ("returned", date(2025, 6, 30), Urgency.RETURNED),  # returned beats a far deadline
        ("returned", date(2025, 5, 1), Urgency.RETURNED),
        ("draft", date(2025, 5, 19), Urgency.LATE),
        ("not_started", date(2025, 5, 19), Urgency.LATE),
        ("not_started", date(2025, 5, 20), Urgency.DUE_SOON),  # due today is not late yet
        ("draft", date(2025, 5, 27), Urgency.DUE_SOON),
        ("draft", date(2025, 5, 28), Urgency.OPEN),
        ("submitted", date(2025, 5, 1), Urgency.DONE),  # handed in: never late
        ("approved", date(2025, 5, 1), Urgency.DONE),
    ],
)
def test_urgency(status, deadline, expected):
    assert urgency(status, deadline, TODAY) is expected


def test_late_means_not_handed_in_after_the_deadline():
    assert is_late("draft", date(2025, 5, 19), TODAY)
    assert not is_late("draft", date(2025, 5, 20), TODAY)
    assert not is_late("submitted", date(2025, 5, 1), TODAY)
    assert is_late("returned", date(2025, 5, 1), TODAY)


def test_sorting_puts_returned_then_late_then_the_nearest_deadline_then_the_name():
    sheets = [
        ("far", "not_started", date(2025, 7, 1)),
        ("done", "approved", date(2025, 5, 1)),
        ("soon-b", "draft", date(2025, 5, 25)),
        ("late", "draft", date(2025, 5, 10)),
        ("soon-a", "not_started", date(2025, 5, 25)),
        ("returned", "returned", date(2025, 9, 1)),
        ("later-late", "not_started", date(2025, 5, 15)),
        ("submitted", "submitted", date(2025, 4, 1)),
    ]
    ordered = by_urgency(sheets, lambda s: (s[1], s[2], s[0]), TODAY)
    assert [s[0] for s in ordered] == [
        "returned",
        "late",
        "later-late",
        "soon-a",
        "soon-b",
        "far",
        "submitted",
        "done",
    ]
    todo, done = split_done(ordered, lambda s: s[1])
    assert [s[0] for s in todo] == ["returned", "late", "later-late", "soon-a", "soon-b", "far"]
    assert [s[0] for s in done] == ["submitted", "done"]


def test_progress_is_in_a_fixed_order_without_zeros():
    segments = progress({"not_started": 2, "approved": 1, "draft": 0, "submitted": 1})
    assert [(s.status, s.count, s.percent) for s in segments] == [
        ("approved", 1, 25.0),
        ("submitted", 1, 25.0),
        ("not_started", 2, 50.0),
    ]
    assert progress({}) == [] and progress({"draft": 0}) == []
    assert [s.percent for s in progress({"approved": 1, "draft": 1, "returned": 1})] == [33.3] * 3


@pytest.mark.parametrize(
    ("closed", "sheets", "approved", "ready"),
    [
        (False, 3, 0, False),  # open, nothing approved
        (False, 3, 2, False),  # open, not every sheet approved yet
        (False, 3, 3, True),  # open, every sheet approved
        (True, 3, 1, True),  # closed with an approved sheet
        (True, 3, 0, False),  # closed without any: no report to read
        (False, 0, 0, False),
    ],
)
def test_a_report_is_ready(closed, sheets, approved, ready):
    assert report_ready(closed=closed, sheets=sheets, approved=approved) is ready
