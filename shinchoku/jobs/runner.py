"""Run queued tasks in this process: the tests' worker, and `shinchoku worker --once`.

It claims and runs tasks exactly as `db_worker` does (its Worker.run_task), without the
connection handling of the worker's loop, so it also runs inside a test's transaction.
"""

from __future__ import annotations

import os
import socket

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def worker_id() -> str:
    """host:pid — how a stalled task's worker is found again (shinchoku.jobs recovery)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_pending(limit: int = 1000, queues: list[str] | None = None) -> int:
    """Run the tasks that are due now, oldest first, until none is left; return how many ran."""
    worker = Worker(
        queue_names=queues or ["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        ready = DBTaskResult.objects.ready().filter(backend_name="default")
        if queues:
            ready = ready.filter(queue_name__in=queues)
        found = ready.first()
        if found is None:
            return ran
        found.claim(worker.worker_id)
        worker.run_task(found)
        ran += 1
    return ran
