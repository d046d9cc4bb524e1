"""Compare gunicorn worker set-ups on this machine: a closed loop of clients on a few pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h \\
        .venv/bin/python scripts/measure_workers.py --clients 8 --seconds 20

Uses a benchmark database (benchmarks/councils.py; run benchmarks/load.py once to make it).
For each set-up, starts gunicorn with shinchoku/gunicorn_conf.py (DEBUG off, plain HTTP) on
127.0.0.1, logs `--clients` clients in as the benchmark operator, and lets each fetch an item
page, a public plan page and a public goal page in turn, without pause, for `--seconds`.
Set-ups run in turn, `--rounds` times, so that a neighbour's load falls on each alike. Prints
requests/s, p50/p95 and gunicorn's CPU per request per set-up (docs/production.md has the figures).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.councils import BENCH_PASSWORD, OPERATOR  # noqa: E402
from benchmarks.load import server_cpu  # noqa: E402

SETUPS = {
    "sync 5": {
        "SHINCHOKU_WORKER_CLASS": "sync",
        "SHINCHOKU_WORKERS": "5",
        "SHINCHOKU_THREADS": "1",
    },
    "gthread 3x4": {
        "SHINCHOKU_WORKER_CLASS": "gthread",
        "SHINCHOKU_WORKERS": "3",
        "SHINCHOKU_THREADS": "4",
    },
    "gthread 2x8": {
        "SHINCHOKU_WORKER_CLASS": "gthread",
        "SHINCHOKU_WORKERS": "2",
        "SHINCHOKU_THREADS": "8",
    },
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def opener():
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
    )


def fetch(client, url: str, data: bytes | None = None) -> int:
    try:
        with client.open(url, data=data, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def log_in(base: str):
    client = opener()
    with client.open(base + "/accounts/login/", timeout=60) as response:
        token = CSRF.search(response.read().decode()).group(1)
    form = {"csrfmiddlewaretoken": token, "username": OPERATOR, "password": BENCH_PASSWORD}
    fetch(client, base + "/accounts/login/", urllib.parse.urlencode(form).encode())
    return client


def run(setup: dict, args) -> tuple[float, float, float, int, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), SHINCHOKU_DEBUG="0")
    env.update(SHINCHOKU_SECURE_COOKIES="0", SHINCHOKU_ACCESS_LOG="", **setup)
    env["SHINCHOKU_BIND"] = f"127.0.0.1:{args.port}"
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "python:shinchoku.gunicorn_conf",
        "shinchoku.wsgi:application",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(200):
            try:
                if fetch(opener(), base + "/accounts/login/") == 200:
                    break
            except OSError:
                time.sleep(0.3)
        clients = [log_in(base) for _ in range(args.clients)]
        pages = [
            f"{base}/plans/{args.plan}/nodes/item-1/",
            f"{base}/public/{args.plan}/",
            f"{base}/plans/{args.plan}/nodes/item-2/",
        ]
        for client in clients[:1]:
            for page in pages:  # warm every worker's imports a little
                fetch(client, page)
        times: list[float] = []
        errors = [0]
        cpu_before = server_cpu(server.pid)
        end = time.monotonic() + args.seconds

        def loop(client) -> None:
            i = 0
            while time.monotonic() < end:
                start = time.monotonic()
                status = fetch(client, pages[i % len(pages)])
                times.append(time.monotonic() - start)
                if status != 200:
                    errors[0] += 1
                i += 1

        threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cpu = (server_cpu(server.pid) - cpu_before) / len(times)
        times.sort()
        p95 = times[int(len(times) * 0.95)]
        return len(times) / args.seconds, statistics.median(times), p95, errors[0], cpu
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8717)
    parser.add_argument("--plan", default="bench-c0005-action-plan")
    parser.add_argument("--setups", default=",".join(SETUPS))
    args = parser.parse_args()
    print(f"{args.clients} clients, {args.seconds:.0f} s each, {os.cpu_count()} cores")
    print(
        f"{'set-up':<14}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'CPU ms/req':>12}  load"
    )
    for _ in range(args.rounds):
        for name in args.setups.split(","):
            rate, p50, p95, errors, cpu = run(SETUPS[name], args)
            load = os.getloadavg()[0]
            print(
                f"{name:<14}{rate:>8.1f}{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}{errors:>8}"
                f"{cpu * 1000:>12.0f}  {load:.1f}"
            )


if __name__ == "__main__":
    main()
