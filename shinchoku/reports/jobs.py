"""PDF reports laid out in a background thread, because WeasyPrint takes seconds.

The request renders the report's HTML (all database reads happen there), then a thread turns
it into PDF. Jobs live as files in one folder, so any worker process of the site can answer
"is it ready?" and serve the file: `<token>.json` (who, what, state, timings) and `<token>.pdf`.
Finished jobs are removed after an hour. One render runs at a time per process.

A job remembers the process that renders it. A job whose process is gone (killed, restarted)
or that has run far longer than the plan's renders take is marked failed when it is next
looked at, so its page offers a retry instead of polling for ever.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shinchoku.reports.pdf import html_to_pdf

log = logging.getLogger(__name__)
KEEP_SECONDS = 3600
DEFAULT_EXPECTED = 4.0  # seconds, until a render of the plan has been timed
STALL_SECONDS = 300.0  # a job unfinished after max(this, STALL_FACTOR × expected) has failed
STALL_FACTOR = 10
_render_lock = threading.Lock()
_threads: dict[str, threading.Thread] = {}


def job_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "shinchoku-report-jobs"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


@dataclass
class Job:
    token: str
    user_id: int
    slug: str
    fy: int
    filename: str
    state: str = "queued"  # queued | rendering | done | failed
    started: float = field(default_factory=time.time)
    finished: float | None = None
    expected: float = DEFAULT_EXPECTED
    size: int = 0
    pid: int = field(default_factory=os.getpid)
    reason: str = ""  # why it failed: "error" | "stalled"

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    @property
    def percent(self) -> int:
        """An estimate for the progress bar, from the last render of the plan."""
        if self.state == "done":
            return 100
        return min(95, int(100 * self.elapsed / max(self.expected, 0.5)))

    @property
    def stalled(self) -> bool:
        """Unfinished, and its process is gone or it has run far too long."""
        if self.state not in ("queued", "rendering"):
            return False
        if not _process_alive(self.pid):
            return True
        return time.time() - self.started > max(STALL_SECONDS, STALL_FACTOR * self.expected)

    @property
    def pdf_path(self) -> Path:
        return job_dir() / f"{self.token}.pdf"

    def save(self) -> None:
        path = job_dir() / f"{self.token}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        tmp.replace(path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to somebody else
        return True
    return True


def load(token: str) -> Job | None:
    """The job, marked failed first if it has stalled."""
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = job_dir() / f"{token}.json"
    try:
        job = Job(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if job.stalled:
        log.warning("PDF report %s %s stalled (process %s)", job.slug, job.fy, job.pid)
        job.state, job.reason, job.finished = "failed", "stalled", time.time()
        job.save()
    return job


def _timing_path(slug: str) -> Path:
    return job_dir() / f"timing-{slug}.txt"


def _expected(slug: str) -> float:
    try:
        return float(_timing_path(slug).read_text())
    except (OSError, ValueError):
        return DEFAULT_EXPECTED


def _cleanup() -> None:
    limit = time.time() - KEEP_SECONDS
    for path in job_dir().glob("*.*"):
        if path.name.startswith("timing-"):
            continue
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _run(job: Job, html: str) -> None:
    try:
        with _render_lock:
            job.state = "rendering"
            job.save()
            data = html_to_pdf(html)
        tmp = job.pdf_path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(job.pdf_path)
        job.size = len(data)
        job.state = "done"
        _timing_path(job.slug).write_text(f"{job.elapsed:.2f}")
    except Exception:  # the page says it failed; the log says why
        log.exception("PDF report %s %s failed", job.slug, job.fy)
        job.state, job.reason = "failed", "error"
    job.finished = time.time()
    job.save()


def start(user_id: int, slug: str, fy: int, filename: str, html: str) -> Job:
    """Queue the PDF of the given HTML and return at once."""
    _cleanup()
    job = Job(
        token=secrets.token_urlsafe(16),
        user_id=user_id,
        slug=slug,
        fy=fy,
        filename=filename,
        expected=_expected(slug),
    )
    job.save()
    thread = threading.Thread(target=_run, args=(job, html), name=f"report-{job.token}")
    thread.daemon = True
    _threads[job.token] = thread
    thread.start()
    return job


def wait(token: str, timeout: float = 120) -> None:
    """Wait for a job started in this process (tests, the benchmark)."""
    thread = _threads.pop(token, None)
    if thread is not None:
        thread.join(timeout)
