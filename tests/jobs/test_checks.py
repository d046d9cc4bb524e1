"""A wrong daily time or daily job is reported by `shinchoku check`, not found at 08:00."""

from __future__ import annotations

from shinchoku.jobs.checks import daily_settings


def test_the_default_settings_pass():
    assert daily_settings() == []


def test_a_bad_time_and_a_missing_job_are_errors(settings):
    settings.SHINCHOKU_DAILY_AT = "8時"
    settings.SHINCHOKU_DAILY_JOBS = [
        "tests.jobs.daily_samples.first",
        "tests.jobs.daily_samples.nowhere",
        "tests.jobs.daily_samples.CALLS",
    ]
    errors = daily_settings()
    assert [e.id for e in errors] == [
        "shinchoku_jobs.E001",
        "shinchoku_jobs.E002",
        "shinchoku_jobs.E002",
    ]
    assert "'8時'" in errors[0].msg and "HH:MM" in errors[0].hint
    assert "nowhere" in errors[1].msg and "not callable" in errors[2].msg
