"""Print the server CPU and the queries of each 事務事業 page on the demo data.

    .venv/bin/python benchmarks/business_pages.py [--sqlite /tmp/biz.sqlite3] [--runs 15] [--fresh]
    .venv/bin/python benchmarks/business_pages.py --queries "policy view"

Loads the demo (`shinchoku load-demo`: the action plan's council with its register, the FY2017
rotation and the FY2019 evaluation round open) into a scratch SQLite file once (reused on later
runs; `--fresh` starts again), then requests each page of issue 16's 事務事業 set through Django's
test client, DEBUG off, as the council's 管理者 (the 事務局長 of the demo): the register, a business
page, the rotation, the FY2019 round, an evaluation sheet, the 理事会 report and the 施策評価 view
of the action plan. Per page: the median CPU time of this process over `--runs` requests after
`--warmup` untimed ones (time.process_time), the queries of one further request and the
response size. `--queries NAME` prints the SQL of the pages whose name contains NAME.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACTION_PLAN = "nishitokyo-action-plan-2019"
FY = 2019  # the demo's open evaluation round


def configure(sqlite: str, fresh: bool) -> None:
    """Point Django at the scratch file; load the demo into it when it is new."""
    path = Path(sqlite)
    if fresh and path.exists():
        path.unlink()
    new = not path.exists()
    os.environ.setdefault("SHINCHOKU_DATA_DIR", tempfile.mkdtemp(prefix="shinchoku-biz-"))
    os.environ.setdefault("SHINCHOKU_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("SHINCHOKU_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
    os.environ["SHINCHOKU_SQLITE"] = str(path)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if new:
        t0 = time.perf_counter()
        call_command("load_demo", stdout=open(os.devnull, "w"))
        print(f"demo loaded into {path} in {time.perf_counter() - t0:.1f} s")


def pages() -> tuple[object, list[tuple[str, str]]]:
    """The 管理者 and the pages, (name, url), of the demo council."""
    from django.urls import reverse

    from shinchoku.businesses.models import Business, BusinessEvaluation, EvaluationRound
    from shinchoku.plans.models import Plan

    plan = Plan.objects.get(slug=ACTION_PLAN)
    org = plan.organization
    from shinchoku.accounts.models import Membership, Role

    admin = (
        Membership.objects.filter(organization=org, role=Role.ADMIN)
        .select_related("user")
        .order_by("user__username")
        .first()
        .user
    )
    business = (
        Business.objects.filter(organization=org, nodes__isnull=False)
        .order_by("order", "pk")
        .first()
    )
    round_ = EvaluationRound.objects.get(organization=org, fiscal_year=FY)
    sheet = BusinessEvaluation.objects.filter(round=round_).order_by("-stage", "pk").first()
    o = org.slug
    return admin, [
        ("register", reverse("businesses:register", args=[o])),
        ("business page", reverse("businesses:business", args=[o, business.pk])),
        ("rotation", reverse("businesses:rotation", args=[o])),
        ("round", reverse("businesses:round", args=[o, FY])),
        ("evaluation sheet", reverse("businesses:evaluation_sheet", args=[o, FY, sheet.pk])),
        ("report", reverse("businesses:report", args=[o, FY])),
        ("policy view", reverse("businesses:policies", args=[ACTION_PLAN]) + f"?fy={FY}"),
    ]


def measure(client, url: str, runs: int, warmup: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url)
    cpu = []
    for _ in range(runs):
        c0 = time.process_time()
        response = client.get(url)
        cpu.append((time.process_time() - c0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code} at {url}")
    return statistics.median(cpu), queries.captured_queries, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", default=str(Path(tempfile.gettempdir()) / "biz-demo.sqlite3"))
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--queries", default="", help="print the SQL of pages named like this")
    args = parser.parse_args()
    configure(args.sqlite, args.fresh)
    from django.conf import settings
    from django.test import Client

    admin, todo = pages()
    client = Client()
    client.force_login(admin)
    print(f"as {admin.username} (管理者), DEBUG {settings.DEBUG}, {args.runs} runs")
    print(f"{'page':<18} {'queries':>7} {'CPU ms':>8} {'KB':>6}  url")
    for name, url in todo:
        cpu, queries, size = measure(client, url, args.runs, args.warmup)
        print(f"{name:<18} {len(queries):>7} {cpu:>8.1f} {size / 1024:>6.0f}  {url}")
        if args.queries and args.queries in name:
            for q in queries:
                print("    " + q["sql"][:200])


if __name__ == "__main__":
    main()
