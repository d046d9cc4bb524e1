"""Print the server CPU and the queries of each page type at 1, 30 and 300 councils.

    .venv/bin/python benchmarks/pages.py [--sizes 1,30,300] [--runs 7] [--warmup 2] [--pdf-runs 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h .venv/bin/python benchmarks/pages.py …

Grows the benchmark database (benchmarks/councils.py, through `shinchoku import`) to each size in
turn and requests every page of council 0 through Django's test client, DEBUG off, as the user
who opens it (部署担当, 管理者, the operator, or nobody for the public pages). Per page: the
median CPU time of this process over `--runs` requests after `--warmup` untimed ones
(time.process_time: the view, templates, ORM and driver; not the database server's own CPU on
PostgreSQL), the median wall time, the queries of one further request, and the response size.
A page marked "(miss)" is requested right after its plan's cache version is raised (as every
autosave raises it): the first request after a change, which renders from the plan's data.
The committee report PDF is the request that queues it (its HTML rendered) plus the worker's
render (WeasyPrint) timed on its own. A last table sets the sizes side by side and marks the
pages whose queries or CPU grow with the data.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import councils
from benchmarks.sheetform import first_text_field, form_fields

# CPU more than this many times the smallest size's (and 2 ms more) counts as growing.
GROWTH_FACTOR = 1.5


@dataclass
class Page:
    name: str
    who: str  # "staff", "admin", "operator", "public"
    url: str
    method: str = "GET"
    data: object = None  # a callable giving the POST body, called before the timer starts
    headers: dict = field(default_factory=dict)
    reset: object = None  # a callable run before each request, outside the timer
    expect: bytes = b""  # the response must contain this (a draft save says it saved)


@dataclass
class Figure:
    queries: int
    cpu_ms: float
    wall_ms: float
    size: int
    status: int


def pages(fy_open: int = councils.OPEN_FY, fy_done: int = councils.DONE_FY) -> list[Page]:
    """Council 0's pages, one per page type of issue 16."""
    from django.db.models import Count
    from django.urls import reverse

    from shinchoku.jobs.models import ReportJob
    from shinchoku.plans.cache_version import bump
    from shinchoku.plans.models import Node, Plan
    from shinchoku.rounds.models import Report

    slug = councils.plan_slug(0)
    plan = Plan.objects.get(slug=slug)
    item = (
        Node.objects.filter(plan=plan)
        .annotate(n=Count("indicators", distinct=True) + Count("contents", distinct=True))
        .order_by("-n", "seq")
        .first()
    )
    goal = Node.objects.filter(plan=plan).order_by("level", "seq").first()
    dept = sorted(plan.organization.departments.all(), key=lambda d: (d.order, d.id))[0]
    sheet_url = reverse("rounds:sheet", args=[slug, fy_open, dept.pk])
    report = Report.objects.get(round__plan=plan, round__fy=fy_open, department=dept)
    typed = iter(range(1_000_000))
    form: dict[str, str] = {}

    def draft() -> dict[str, str]:
        """The sheet's autosave as the browser posts it (static/shinchoku/sheet.js): the one
        field changed since the last save, with the stored version and partial=1."""
        if not form:
            from django.test import Client

            client = Client()
            client.force_login(_user("staff"))
            form.update(form_fields(client.get(sheet_url).content.decode(), "sheet-form"))
        report.refresh_from_db(fields=["version"])
        body = {k: v for k, v in form.items() if k == "csrfmiddlewaretoken"}
        body.update(version=str(report.version), partial="1")
        body[first_text_field(form)] = f"取組を進めた（{next(typed)}）"
        return body

    def no_jobs() -> None:
        ReportJob.objects.filter(plan=plan).delete()

    def changed() -> None:
        """The plan changed (as an autosave changes it): its cached pages are not found again."""
        bump([plan.pk])

    item_url = reverse("plans:node", args=[slug, item.key])
    progress_url = reverse("rounds:overview", args=[slug, fy_done])
    committee_url = reverse("reports:committee", args=[slug, fy_done])
    dashboard_url = reverse("rounds:dashboard")
    return [
        Page("item page", "admin", item_url),
        Page("item page (miss)", "admin", item_url, reset=changed),
        Page("sheet", "staff", sheet_url),
        Page(
            "draft save (autosave)",
            "staff",
            sheet_url,
            "POST",
            draft,
            {"HX-Request": "true"},
            expect=b"data-saved",
        ),
        Page("progress view", "admin", progress_url),
        Page("progress view (miss)", "admin", progress_url, reset=changed),
        Page("committee report", "admin", committee_url),
        Page("committee report (miss)", "admin", committee_url, reset=changed),
        Page("dashboard (管理者)", "admin", dashboard_url),
        Page("dashboard (miss)", "admin", dashboard_url, reset=changed),
        Page("public goal", "public", reverse("public:node", args=[slug, goal.key])),
        Page("public index", "public", reverse("public:index")),
        Page("public plan CSV", "public", reverse("public:csv", args=[slug])),
        Page("public plan JSON", "public", reverse("public:json", args=[slug])),
        Page("plan list (管理者)", "admin", reverse("plans:list")),
        Page("plan list (operator)", "operator", reverse("plans:list")),
        Page("federation dashboard", "operator", reverse("rounds:dashboard")),
        Page("organization list", "operator", reverse("staff:index")),
        Page(
            "report PDF (queue+HTML)",
            "admin",
            reverse("reports:pdf", args=[slug, fy_done]),
            "POST",
            dict,
            reset=no_jobs,
        ),
    ]


def _user(who: str):
    from django.contrib.auth import get_user_model

    name = {
        "staff": councils.staff_name(0, 1),
        "admin": councils.admin_name(0),
        "operator": councils.OPERATOR,
    }[who]
    return get_user_model().objects.get(username=name)


def _clients() -> dict:
    from django.test import Client

    out = {"public": Client()}
    for who in ("staff", "admin", "operator"):
        out[who] = Client()
        out[who].force_login(_user(who))
    return out


def _prepare(page: Page):
    """The request's body, and any reset, before the timer and the query count start."""
    if page.reset:
        page.reset()
    return page.data() if page.data else None


def _request(client, page: Page, body=None):
    c0, w0 = time.process_time(), time.perf_counter()
    if page.method == "POST":
        response = client.post(page.url, body, headers=page.headers)
    else:
        response = client.get(page.url, headers=page.headers)
    size = len(b"".join(response) if response.streaming else response.content)
    return (time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000, size, response


def measure(page: Page, clients: dict, runs: int, warmup: int, show: str = "") -> Figure:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = clients[page.who]
    for _ in range(warmup):
        _request(client, page, _prepare(page))
    cpu, wall = [], []
    for _ in range(runs):
        c, w, size, response = _request(client, page, _prepare(page))
        cpu.append(c)
        wall.append(w)
    body = _prepare(page)
    with CaptureQueriesContext(connection) as queries:
        _c, _w, size, response = _request(client, page, body)
    if response.status_code >= 400:
        raise SystemExit(f"{page.name}: HTTP {response.status_code} at {page.url}")
    if page.expect and page.expect not in response.content:
        raise SystemExit(f"{page.name}: the response lacks {page.expect!r}")
    if show and show in page.name:
        print(f"\n-- the {len(queries)} queries of {page.name} ({page.url})")
        for q in queries.captured_queries:
            print("  " + q["sql"][:160])
    return Figure(
        len(queries),
        statistics.median(cpu),
        statistics.median(wall),
        size,
        response.status_code,
    )


def measure_login(runs: int) -> Figure:
    """A 部署担当 logging in through the login form (the password hash is checked)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("accounts:login")
    body = {"username": councils.staff_name(0, 1), "password": councils.BENCH_PASSWORD}
    cpu, wall = [], []
    for n in range(runs + 1):
        client = Client()
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            c0, w0 = time.process_time(), time.perf_counter()
            response = client.post(url, body)
            c, w = (time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000
        if response.status_code != 302:
            raise SystemExit(f"login: HTTP {response.status_code}")
        if n:  # the first one warms up
            cpu.append(c)
            wall.append(w)
    return Figure(len(queries), statistics.median(cpu), statistics.median(wall), 0, 302)


def measure_pdf_render(runs: int) -> Figure:
    """The worker's part of the committee report PDF: data, HTML and WeasyPrint."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shinchoku.plans.models import Plan
    from shinchoku.reports.pdf import html_to_pdf, report_html
    from shinchoku.reports.report import committee_report

    plan = Plan.objects.get(slug=councils.plan_slug(0))
    cpu, wall, size, n = [], [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            c0, w0 = time.process_time(), time.perf_counter()
            pdf = html_to_pdf(report_html(committee_report(plan, councils.DONE_FY)))
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        size, n = len(pdf), len(queries)
    return Figure(n, statistics.median(cpu), statistics.median(wall), size, 200)


def pad(text: str, width: int = 28) -> str:
    """Left-justify counting East Asian wide characters as two columns."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return text + " " * max(0, width - len(text) - wide)


def run_size(size: int, args) -> dict[str, Figure]:
    councils.grow(size, args.sample_every, fmt=args.format)
    clients = _clients()
    chosen = [p for p in pages() if not args.only or any(w in p.name for w in args.only.split(","))]
    figures = {p.name: measure(p, clients, args.runs, args.warmup, args.queries) for p in chosen}
    if not args.only or "login" in args.only:
        figures["login (部署担当)"] = measure_login(max(1, min(args.runs, 3)))
    if args.pdf_runs:
        figures["report PDF (worker render)"] = measure_pdf_render(args.pdf_runs)
    print(
        f"\n== {size} council(s), {args.runs} runs after {args.warmup} warm-up, median "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print(f"{pad('page')} {'queries':>7} {'CPU ms':>8} {'wall ms':>8} {'KB':>7}")
    for name, f in figures.items():
        print(f"{pad(name)} {f.queries:7} {f.cpu_ms:8.1f} {f.wall_ms:8.1f} {f.size / 1024:7.1f}")
    return figures


def growth_table(results: dict[int, dict[str, Figure]]) -> None:
    sizes = sorted(results)
    print(f"\n== growth with the data ({', '.join(str(s) for s in sizes)} councils)")
    head = " ".join(f"{'q@' + str(s):>7}" for s in sizes)
    cpu_head = " ".join(f"{'ms@' + str(s):>8}" for s in sizes)
    print(f"{pad('page')} {head} {cpu_head}  grows?")
    for name in results[sizes[0]]:
        figs = [results[s][name] for s in sizes]
        q_grow = figs[-1].queries > figs[0].queries
        c_grow = figs[-1].cpu_ms > max(figs[0].cpu_ms * GROWTH_FACTOR, figs[0].cpu_ms + 2)
        verdict = ", ".join(w for w, g in (("queries", q_grow), ("CPU", c_grow)) if g) or "no"
        print(
            f"{pad(name)} {' '.join(f'{f.queries:7}' for f in figs)} "
            f"{' '.join(f'{f.cpu_ms:8.1f}' for f in figs)}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,30,300", help="council counts, ascending")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--pdf-runs", type=int, default=1, help="0: skip the WeasyPrint render")
    parser.add_argument("--sample-every", type=int, default=5)
    parser.add_argument(
        "--format", choices=["xlsx", "json"], default="xlsx", help=councils.FORMAT_HELP
    )
    parser.add_argument("--queries", default="", help="print the SQL of the pages named so")
    parser.add_argument(
        "--only",
        default="",
        help="measure only the pages whose names hold one of these (comma-separated)",
    )
    parser.add_argument("--sqlite", help="SQLite file (without DATABASE_URL)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    councils.configure(args.sqlite, args.fresh)
    from django.conf import settings

    print(
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}, "
        f"DEBUG {settings.DEBUG}, gc thresholds {gc.get_threshold()}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    results = {size: run_size(size, args) for size in sizes}
    if len(sizes) > 1:
        growth_table(results)


if __name__ == "__main__":
    main()
