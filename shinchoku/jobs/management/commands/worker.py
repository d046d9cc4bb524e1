"""`shinchoku worker`: runs the background tasks (report PDFs, e-mail, daily reminders)."""

from __future__ import annotations

import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand

from shinchoku.jobs.housekeeping import start_worker
from shinchoku.jobs.runner import run_pending, worker_id


class Command(BaseCommand):
    help = "Run background tasks until stopped (or, with --once, those queued now)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, once: bool = False, interval: float = 1.0, **options) -> None:
        # WeasyPrint logs every step of every PDF at INFO: keep the worker's log to its tasks.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        # Tasks left running by a killed worker are queued again (or failed), and the
        # minutely housekeeping task (heartbeat, recovery, daily jobs) is scheduled.
        start_worker()
        if once:
            ran = run_pending()
            self.stdout.write(f"{ran} task(s) run")
            return
        call_command(
            "db_worker",
            queue_name="*",
            interval=interval,
            worker_id=worker_id(),
            reload=False,  # the worker id names this process: a reloader's child would differ
            startup_delay=False,
            verbosity=options.get("verbosity", 1),
        )
