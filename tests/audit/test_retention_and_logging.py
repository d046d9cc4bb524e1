"""Events are pruned after the retention period; logging writes one key=value line per record."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test.utils import override_settings
from django.utils import timezone

from shinchoku.audit.logfmt import KeyValueFormatter, quote
from shinchoku.audit.models import Action, AuditEvent

REPO = Path(__file__).resolve().parents[2]


def aged(days: int) -> AuditEvent:
    made = AuditEvent.objects.create(username=f"{days}日前", action=Action.LOGIN)
    AuditEvent.objects.filter(pk=made.pk).update(created=timezone.now() - timedelta(days=days))
    return made


@pytest.mark.django_db
def test_prune_deletes_events_older_than_the_retention_period_only():
    AuditEvent.objects.all().delete()
    old, kept = aged(1826), aged(1824)
    out = StringIO()
    call_command("audit_prune", stdout=out)
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "deleted 1 audit events older than 1825 days" in out.getvalue()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_the_retention_period_is_configurable_and_can_be_given_on_the_command_line():
    AuditEvent.objects.all().delete()
    aged(40), aged(10)
    with override_settings(SHINCHOKU_AUDIT_RETENTION_DAYS=30):
        call_command("audit_prune", stdout=StringIO())
    assert AuditEvent.objects.count() == 1
    call_command("audit_prune", "--days", "5", stdout=StringIO())
    assert AuditEvent.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("audit_prune", "--days", "0")


def test_a_value_with_a_line_break_or_quotes_stays_on_one_line():
    assert quote("plain-value") == "plain-value"
    assert quote('a "b"\nlevel=ERROR forged') == '"a \\"b\\"\\nlevel=ERROR forged"'
    assert quote("総務課") == '"総務課"'


def test_an_audit_record_and_a_traceback_are_one_line_each():
    record = logging.LogRecord(
        "shinchoku.audit", logging.INFO, __file__, 1, "audit %s", ("login",), None
    )
    record.audit = {"action": "login", "username": "山田\n太郎", "ip": "192.0.2.1"}
    line = KeyValueFormatter().format(record)
    assert "\n" not in line
    assert 'logger=shinchoku.audit msg="audit login" action=login username="山田\\n太郎"' in line
    try:
        raise ValueError("boom")
    except ValueError:
        error = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /x",
            (),
            sys.exc_info(),
        )
    error.status_code = 500
    line = KeyValueFormatter().format(error)
    assert "\n" not in line and "status=500" in line and "ValueError: boom" in line
    error.levelno, error.levelname = logging.WARNING, "WARNING"  # a 403: no traceback
    assert "exc=" not in KeyValueFormatter().format(error)


SCRIPT = """
import logging, django
django.setup()
logging.getLogger("shinchoku.audit").info("audit download", extra={"audit": {"action": "download"}})
logging.getLogger("django.request").error("Internal Server Error: /x", extra={"status_code": 500})
logging.getLogger("shinchoku.audit").debug("hidden at INFO")
"""


def run_settings(**env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "shinchoku.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environment, capture_output=True, text=True, check=False
    )


def test_the_configured_logging_writes_audit_events_and_request_errors_to_stderr():
    done = run_settings(SHINCHOKU_LOG_LEVEL="INFO")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2, lines
    assert "level=INFO logger=shinchoku.audit" in lines[0] and "action=download" in lines[0]
    assert "level=ERROR logger=django.request" in lines[1] and "status=500" in lines[1]
    assert done.stdout == ""


def test_the_log_level_comes_from_the_environment_and_a_bad_one_is_refused():
    quiet = run_settings(SHINCHOKU_LOG_LEVEL="error")
    assert quiet.returncode == 0 and len(quiet.stderr.splitlines()) == 1
    verbose = run_settings(SHINCHOKU_LOG_LEVEL="debug")
    assert "hidden at INFO" in verbose.stderr
    bad = run_settings(SHINCHOKU_LOG_LEVEL="loud")
    assert bad.returncode != 0 and "SHINCHOKU_LOG_LEVEL" in bad.stderr
