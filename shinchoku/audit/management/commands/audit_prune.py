"""`shinchoku audit-prune`: delete audit events older than the retention period."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shinchoku.audit.recorder import prune, retention_days


class Command(BaseCommand):
    help = (
        "Delete audit events older than SHINCHOKU_AUDIT_RETENTION_DAYS (default 1825 days); "
        "run it daily, e.g. from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            help="keep this many days instead of SHINCHOKU_AUDIT_RETENTION_DAYS",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more")
        keep = retention_days() if days is None else days
        deleted = prune(keep)
        self.stdout.write(f"deleted {deleted} audit events older than {keep} days")
