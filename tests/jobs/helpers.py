"""Helpers of the job tests: a process id that is certainly dead, a worker id on this host."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys


def dead_pid() -> int:
    """The id of a process that was killed with SIGKILL mid-way (and reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.pid


def dead_worker_id() -> str:
    return f"{socket.gethostname()}:{dead_pid()}"
