"""Timing rules of the background work (plain Python)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from shinchoku.core.schedule import (
    daily_run_due,
    estimate_percent,
    parse_hhmm,
    parse_worker_id,
    stall_limit,
)


def test_parse_hhmm():
    assert parse_hhmm("08:00") == time(8, 0)
    assert parse_hhmm(" 23:59 ") == time(23, 59)
    for bad in ("8", "24:00", "12:60", "aa:bb", "", "08:00:00", "-1:30"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_hhmm(bad)


AT = time(8, 0)


@pytest.mark.parametrize(
    "now,last,due",
    [
        (datetime(2026, 4, 1, 7, 59), None, False),  # not yet the time
        (datetime(2026, 4, 1, 8, 0), None, True),  # the time has come, never run
        (datetime(2026, 4, 1, 8, 0), date(2026, 3, 31), True),  # ran yesterday
        (datetime(2026, 4, 1, 12, 0), date(2026, 4, 1), False),  # ran today
        (datetime(2026, 4, 1, 23, 59), date(2026, 3, 1), True),  # worker back late in the day
        (datetime(2026, 4, 2, 0, 5), date(2026, 4, 1), False),  # new day, before the time
    ],
)
def test_daily_run_due(now, last, due):
    assert daily_run_due(now, AT, last) is due


def test_percent_is_estimated_from_the_expected_time_and_never_100_before_done():
    assert estimate_percent(0, 4) == 0
    assert estimate_percent(2, 4) == 50
    assert estimate_percent(3.9, 4) == 95
    assert estimate_percent(40, 4) == 95
    assert estimate_percent(1, 4, done=True) == 100
    assert estimate_percent(1, 0) == 95  # an expected time of 0 is taken as half a second


def test_stall_limit_is_the_larger_of_five_minutes_and_ten_times_the_expected_time():
    assert stall_limit(4) == 300
    assert stall_limit(None) == 300
    assert stall_limit(45) == 450


def test_parse_worker_id():
    assert parse_worker_id("web1:1234") == ("web1", 1234)
    assert parse_worker_id("fe80::1:99") == ("fe80::1", 99)
    assert parse_worker_id("no-pid") is None
    assert parse_worker_id(":12") is None
    assert parse_worker_id("host:abc") is None
