"""A bounded load test of the deadline day: gunicorn (DEBUG off) and simulated users on 127.0.0.1.

    .venv/bin/python benchmarks/load.py --councils 30 --duration 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h .venv/bin/python benchmarks/load.py …

Grows the benchmark database to `--councils` (benchmarks/councils.py), starts gunicorn on it
(`--workers`, `--worker-class`, `--threads`; DEBUG off, plain HTTP), and runs an asyncio HTTP
client (the standard library's streams, one connection per request as a sync worker wants):

- `--staff` (120) 部署担当 open their department's sheet of the open round, type (an autosave
  POST of the changed field with the version and partial=1, as static/shinchoku/sheet.js
  sends it) and look at an item page;
- `--admins` (30) 管理者 look at the round's board, the dashboard, the progress view, the plan
  list, the committee report and item pages;
- `--citizens` (50) read the public pages: the index, a plan, a goal, a download now and then.

Each user waits `--think` seconds (uniform, default 5–15) between actions. The staff and the
管理者 log in first through the login form, a few at a time (its figures are printed on their
own: the password hash is the cost); then every user starts at a random moment of its first
think time and acts for `--duration` seconds. Printed: requests/s, errors (5xx, refusals,
timeouts), conflicts (409: two users on one sheet when there are more users than sheets), and
p50/p95/p99 per page kind and overall, with the server's CPU per request (gunicorn's processes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import councils  # noqa: E402
from benchmarks.sheetform import first_text_field, form_fields  # noqa: E402

HOST = "127.0.0.1"
TIMEOUT = 30.0
# The users' choices and think times, repeatable with --seed (not secrets).
RNG = random.Random(16)  # noqa: S311
VERSION = re.compile(rb'name="version" value="(\d+)"')


# --- a minimal HTTP/1.0 client ---------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Session:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    async def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Response:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.0", f"Host: {HOST}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        reader, writer = await asyncio.open_connection(HOST, self.port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            raw = await reader.read()  # HTTP/1.0: the server closes after the response
        finally:
            writer.close()
        head, _, content = raw.partition(b"\r\n\r\n")
        first, *rest = head.decode("latin-1").split("\r\n")
        pairs = [tuple(x.strip() for x in h.split(":", 1)) for h in rest if ":" in h]
        self._keep_cookies(pairs)
        return Response(int(first.split()[1]), pairs, content)

    def _keep_cookies(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            pair, *attrs = value.split(";")
            key, _, val = pair.strip().partition("=")
            gone = any(a.strip().lower() == "max-age=0" for a in attrs)
            if gone or val in ("", '""'):
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = val


# --- what the users do --------------------------------------------------------------------------


@dataclass
class Stats:
    started: float = 0.0
    until: float = 0.0
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    conflicts: int = 0
    timeouts: int = 0
    examples: list[str] = field(default_factory=list)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 8:
            self.examples.append(f"{kind}: {what}")


async def timed(stats: Stats, kind: str, session: Session, method: str, path: str, **kw):
    """One request; its time counted under `kind` when it started within the test."""
    t0 = time.perf_counter()
    counted = stats.started <= t0 < stats.until
    try:
        response = await asyncio.wait_for(session.request(method, path, **kw), TIMEOUT)
    except (TimeoutError, OSError) as exc:
        if counted:
            stats.timeouts += isinstance(exc, TimeoutError)
            stats.error(kind, f"{path} {type(exc).__name__}")
        return None
    if counted:
        stats.times[kind].append(time.perf_counter() - t0)
        if response.status == 409:
            stats.conflicts += 1
        elif response.status >= 400 or (method == "GET" and response.status != 200):
            stats.error(kind, f"{method} {path} HTTP {response.status}")
    return response


async def login(session: Session, username: str, stats: Stats, kind: str = "login") -> bool:
    page = await timed(stats, kind, session, "GET", "/accounts/login/")
    if page is None:
        return False
    form = _login_form(page.body.decode())
    form.update(username=username, password=councils.BENCH_PASSWORD)
    done = await timed(stats, kind, session, "POST", "/accounts/login/", form=form)
    return done is not None and done.status == 302


def _login_form(html: str) -> dict[str, str]:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return {"csrfmiddlewaretoken": token.group(1) if token else ""}


async def think(args) -> None:
    await asyncio.sleep(RNG.uniform(args.think_min, args.think_max))


async def staff_user(session: Session, sheet: str, items: list[str], stats: Stats, args) -> None:
    form: dict[str, str] = {}
    typed = 0
    step = 0
    while time.perf_counter() < stats.until:
        step += 1
        if not form or step % 6 == 0:  # (re)open the sheet
            page = await timed(stats, "sheet", session, "GET", sheet)
            if page is not None and page.status == 200:
                form = form_fields(page.body.decode(), "sheet-form")
        elif step % 6 == 5:
            await timed(stats, "item page", session, "GET", RNG.choice(items))
        else:
            typed += 1
            # As static/shinchoku/sheet.js autosaves: the field changed since the last save,
            # the version and partial=1 (not the whole form).
            changed = {
                "csrfmiddlewaretoken": form.get("csrfmiddlewaretoken", ""),
                "version": form.get("version", ""),
                "partial": "1",
                first_text_field(form): f"取組を進めた（{typed}）",
            }
            saved = await timed(
                stats,
                "draft save",
                session,
                "POST",
                sheet,
                form=changed,
                headers={"HX-Request": "true"},
            )
            found = VERSION.search(saved.body) if saved is not None else None
            if found:
                form["version"] = found.group(1).decode()
            else:
                form = {}  # a conflict: reopen the sheet for the stored version
        await think(args)


async def admin_user(session: Session, pages: list[tuple[str, str]], stats: Stats, args) -> None:
    while time.perf_counter() < stats.until:
        kind, path = RNG.choice(pages)
        await timed(stats, kind, session, "GET", path)
        await think(args)


async def citizen(session: Session, pages: list[tuple[str, str]], stats: Stats, args) -> None:
    while time.perf_counter() < stats.until:
        kind, path = RNG.choice(pages)
        await timed(stats, kind, session, "GET", path)
        await think(args)


# --- the data set's URLs --------------------------------------------------------------------------


@dataclass
class Targets:
    staff: list[tuple[str, str, list[str]]]  # username, sheet URL, item page URLs
    admins: list[tuple[str, list[tuple[str, str]]]]  # username, (kind, URL) to choose from
    public: list[tuple[str, str]]


def targets() -> Targets:
    """Every council's users and pages, read once from the database."""
    from django.urls import reverse

    from shinchoku.plans.models import Node, Plan
    from shinchoku.rounds.models import Report

    plans = Plan.objects.filter(slug__startswith="bench-c").select_related("organization")
    staff, admins, public = [], [], [("public index", reverse("public:index"))]
    for plan in plans.order_by("slug"):
        i = int(plan.organization.slug.removeprefix("bench-c"))
        nodes = list(Node.objects.filter(plan=plan).order_by("seq").values_list("key", "level"))
        items = [reverse("plans:node", args=[plan.slug, k]) for k, lv in nodes if lv == 3]
        goals = [k for k, lv in nodes if lv == 1]
        depts = sorted(plan.organization.departments.all(), key=lambda d: (d.order, d.id))
        open_reports = {
            r.department_id
            for r in Report.objects.filter(round__plan=plan, round__fy=councils.OPEN_FY)
        }
        for n, dept in enumerate(depts, 1):
            if dept.pk in open_reports:
                sheet = reverse("rounds:sheet", args=[plan.slug, councils.OPEN_FY, dept.pk])
                staff.append((councils.staff_name(i, n), sheet, items))
        s, done, now = plan.slug, councils.DONE_FY, councils.OPEN_FY
        admin_pages = [
            ("board", reverse("rounds:board", args=[s, now])),
            ("dashboard", reverse("rounds:dashboard")),
            ("progress view", reverse("rounds:overview", args=[s, now])),
            ("plan list", reverse("plans:list")),
            ("item page", RNG.choice(items)),
        ]
        published = plan.rounds.filter(published=True).exists()
        if published:
            admin_pages.append(("committee report", reverse("reports:committee", args=[s, done])))
            public += [
                ("public plan", reverse("public:plan", args=[s])),
                ("public goal", reverse("public:node", args=[s, RNG.choice(goals)])),
                ("public goal", reverse("public:node", args=[s, RNG.choice(goals)])),
                ("public CSV/JSON", reverse("public:csv", args=[s])),
            ]
        admins.append((councils.admin_name(i), admin_pages))
    return Targets(staff, admins, public)


# --- gunicorn ------------------------------------------------------------------------------------


def start_gunicorn(args) -> subprocess.Popen:
    """gunicorn as production runs it (shinchoku/gunicorn_conf.py), DEBUG off, plain HTTP.

    `--workers`, `--worker-class` and `--threads` override the file's values when given.
    """
    env = dict(os.environ)
    env.update(
        SHINCHOKU_DEBUG="0",
        SHINCHOKU_SECURE_COOKIES="0",
        SHINCHOKU_ACCESS_LOG="",
        SHINCHOKU_GUNICORN_LOG_LEVEL="warning",
        PYTHONPATH=str(ROOT),
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "-c",
        "python:shinchoku.gunicorn_conf",
        "shinchoku.wsgi:application",
        f"--bind={HOST}:{args.port}",
    ]
    if args.workers:
        command.append(f"--workers={args.workers}")
    if args.worker_class:
        command.append(f"--worker-class={args.worker_class}")
    if args.threads:
        command.append(f"--threads={args.threads}")
    # Our own fixed command line (the venv's gunicorn), no shell.
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status = asyncio.run(Session(args.port).request("GET", "/public/")).status
            if status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()


def server_cpu(pid: int) -> float:
    """CPU seconds of gunicorn's master and its workers so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- the run -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(stats: Stats, seconds: float, title: str) -> None:
    everything = [t for ts in stats.times.values() for t in ts]
    errors = sum(stats.errors.values())
    print(f"\n== {title}")
    print(f"{'kind':18} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted(stats.times):
        ts = stats.times[kind]
        print(
            f"{kind:18} {len(ts):8} {stats.errors.get(kind, 0):6} {percentile(ts, 0.5):8.0f} "
            f"{percentile(ts, 0.95):8.0f} {percentile(ts, 0.99):8.0f}"
        )
    if everything:
        print(
            f"{'overall':18} {len(everything):8} {errors:6} {percentile(everything, 0.5):8.0f} "
            f"{percentile(everything, 0.95):8.0f} {percentile(everything, 0.99):8.0f}"
        )
    print(
        f"{len(everything) / seconds:.1f} requests/s over {seconds:.0f} s, {errors} errors "
        f"({stats.timeouts} timeouts after {TIMEOUT:g} s), {stats.conflicts} conflicts (409)"
    )
    for line in stats.examples:
        print(f"  e.g. {line}")


async def run(args, data: Targets, server_pid: int) -> None:
    staff = [data.staff[n % len(data.staff)] for n in range(args.staff)]
    admins = [data.admins[n % len(data.admins)] for n in range(args.admins)]

    # Logging in, a few at a time (a morning's logins spread out), timed on their own.
    logins = Stats(started=time.perf_counter(), until=float("inf"))
    sessions = [Session(args.port) for _ in range(len(staff) + len(admins))]
    names = [s[0] for s in staff] + [a[0] for a in admins]
    gate = asyncio.Semaphore(args.login_concurrency)
    cpu0, t0 = server_cpu(server_pid), time.perf_counter()

    async def one(session: Session, name: str) -> None:
        async with gate:
            if not await login(session, name, logins):
                logins.error("login", name)

    await asyncio.gather(*(one(s, n) for s, n in zip(sessions, names, strict=True)))
    seconds = time.perf_counter() - t0
    cpu = server_cpu(server_pid) - cpu0
    report(logins, seconds, f"logins: {len(names)} users, {args.login_concurrency} at a time")
    print(f"server CPU {cpu / max(1, len(names)):.2f} s per login (form GET + POST)")

    stats = Stats()
    stats.started = time.perf_counter()
    stats.until = stats.started + args.duration
    cpu0, client0 = server_cpu(server_pid), time.process_time()

    async def later(coro):
        await asyncio.sleep(RNG.uniform(0, args.think_max))
        await coro

    tasks = []
    for session, (_name, sheet, items) in zip(sessions, staff, strict=False):
        tasks.append(later(staff_user(session, sheet, items, stats, args)))
    for session, (_name, pages) in zip(sessions[len(staff) :], admins, strict=True):
        tasks.append(later(admin_user(session, pages, stats, args)))
    for _ in range(args.citizens):
        tasks.append(later(citizen(Session(args.port), data.public, stats, args)))
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), args.duration + TIMEOUT)
    except TimeoutError:
        pass
    cpu = server_cpu(server_pid) - cpu0
    n = sum(len(ts) for ts in stats.times.values())
    report(
        stats,
        args.duration,
        f"deadline day: {args.staff} 部署担当, {args.admins} 管理者, {args.citizens} citizens, "
        f"think {args.think_min:g}–{args.think_max:g} s, {args.duration:g} s",
    )
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"server CPU {cpu:.1f} s = {cpu / args.duration:.2f} cores busy, "
        f"{cpu * 1000 / max(1, n):.0f} ms per request; "
        f"client CPU {time.process_time() - client0:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--councils", type=int, default=30)
    parser.add_argument("--duration", type=float, default=60, help="seconds of the mix")
    parser.add_argument("--staff", type=int, default=120)
    parser.add_argument("--admins", type=int, default=30)
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--think-min", type=float, default=5)
    parser.add_argument("--think-max", type=float, default=15)
    parser.add_argument("--login-concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8716)
    parser.add_argument("--workers", type=int, help="default: gunicorn_conf.py's (cores + 1)")
    parser.add_argument("--worker-class", help="default: gunicorn_conf.py's (gthread)")
    parser.add_argument("--threads", type=int, help="default: gunicorn_conf.py's (4)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--sample-every", type=int, default=5)
    parser.add_argument("--sqlite", help="SQLite file (without DATABASE_URL)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args()
    councils.configure(args.sqlite, args.fresh)
    councils.grow(args.councils, args.sample_every)
    RNG.seed(args.seed)
    data = targets()
    from django.db import connections

    connections.close_all()
    print(
        f"{len(data.staff)} sheets for {args.staff} 部署担当, {len(data.admins)} 管理者 accounts "
        f"for {args.admins}, {len(data.public)} public pages; gunicorn (gunicorn_conf.py) "
        f"{args.workers or 'cores+1'} {args.worker_class or 'gthread'} worker(s) × "
        f"{args.threads or 4} thread(s) on 127.0.0.1:{args.port}"
    )
    server = start_gunicorn(args)
    try:
        asyncio.run(run(args, data, server.pid))
    finally:
        stop(server)


if __name__ == "__main__":
    main()
