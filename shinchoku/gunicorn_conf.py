"""gunicorn settings for production (docs/production.md).

    gunicorn -c python:shinchoku.gunicorn_conf shinchoku.wsgi:application

Every value can be changed from the environment (or on gunicorn's command line, which wins).
Workers are gthread: a page spends part of its time waiting on PostgreSQL, and a thread of the
same process serves another request meanwhile; processes give the CPU-bound rendering both cores.
Measured on a 2-core machine in docs/production.md.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("SHINCHOKU_BIND", "127.0.0.1:8000")
# One process per core plus one, each with a few threads.
workers = int(os.environ.get("SHINCHOKU_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = os.environ.get("SHINCHOKU_WORKER_CLASS", "gthread")
threads = int(os.environ.get("SHINCHOKU_THREADS", "4"))
# A committee report PDF is made by the task worker, not in a request; 60 s is ample.
timeout = int(os.environ.get("SHINCHOKU_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory held by large uploads or reports is given back); the
# jitter keeps them from restarting together.
max_requests = int(os.environ.get("SHINCHOKU_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Load the application before forking: workers share its memory and a broken setting stops
# the master at once instead of looping worker restarts.
preload_app = True
# Behind the organization's reverse proxy (which sets X-Forwarded-Proto; see
# SHINCHOKU_SECURE_PROXY_SSL_HEADER), trust the proxy's address only.
forwarded_allow_ips = os.environ.get("SHINCHOKU_FORWARDED_ALLOW_IPS", "127.0.0.1")
# "-": standard output; empty: no access log.
accesslog = os.environ.get("SHINCHOKU_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("SHINCHOKU_GUNICORN_LOG_LEVEL", "info")
# Response time in microseconds (%(D)s) at the end of each access line.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus'


def post_fork(server, worker) -> None:
    """Drop database connections inherited from the preloading master."""
    from django.db import connections

    connections.close_all()
