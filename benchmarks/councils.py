"""Make N synthetic councils shaped like the demo action plan, through `shinchoku import`.

    .venv/bin/python benchmarks/councils.py --councils 30 [--fresh] [--sample-every 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h .venv/bin/python \\
        benchmarks/councils.py --councils 300

Each council is the demo action plan (38 nodes, 98 contents, 31 indicators) written as the plan
workbook (`shinchoku export --format xlsx`), renamed (organization, slug, plan title), and
loaded by `shinchoku import FILE` (the command itself, one council per run, as a council would).
Links to the city's plans are left out: a synthetic council has no such plans. With `--links`
they are kept (108 goal links and one relation per council), as references waiting for plans
the database does not hold: they pile up with the councils, and each import looks up those
waiting for its own plan.

Per council: one user per department (部署担当), a 管理者, and the FY2020 round open (the
deadline day); for every `--sample-every`-th council (and the first) the FY2019 round is filled,
approved, closed and published (public pages, committee report). One operator (superuser).
Every user's password is BENCH_PASSWORD, hashed once with the product's hasher (a real login
still checks the full hash). Prints the import rate (plans/s, CPU s and queries per plan), then
runs ANALYZE.

Without DATABASE_URL it uses a SQLite file (`--sqlite`, default a temporary one). With a
PostgreSQL DATABASE_URL the database is created if missing (`--fresh` drops it first). Running
again with a larger `--councils` adds the missing councils only.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - a scratch database's users
OPERATOR = "bench-operator"
DEMO_PLAN = "nishitokyo-action-plan-2019.json"
OPEN_FY = 2020  # the round whose deadline it is
DONE_FY = 2019  # approved and published for the sample


def council_slug(i: int) -> str:
    return f"bench-c{i:04d}"


def plan_slug(i: int) -> str:
    return f"{council_slug(i)}-action-plan"


def staff_name(i: int, n: int) -> str:
    """The 部署担当 of council i's n-th department (from 1)."""
    return f"{council_slug(i)}-staff-{n}"


def admin_name(i: int) -> str:
    return f"{council_slug(i)}-admin"


# --- database set-up (before Django is imported) ------------------------------------------------


def configure(sqlite: str | None = None, fresh: bool = False) -> None:
    """Point Django at the benchmark's database (created if needed) and set it up."""
    url = os.environ.get("DATABASE_URL", "")
    scratch = Path(tempfile.mkdtemp(prefix="shinchoku-bench-"))
    os.environ.setdefault("SHINCHOKU_DATA_DIR", str(scratch))
    os.environ.setdefault("SHINCHOKU_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("SHINCHOKU_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
    if url.startswith("postgres"):
        _create_pg_database(url, fresh)
    else:
        path = Path(sqlite) if sqlite else scratch / "bench.sqlite3"
        if fresh and path.exists():
            path.unlink()
        os.environ["SHINCHOKU_SQLITE"] = str(path)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_pg_database(url: str, fresh: bool) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if fresh:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the councils ---------------------------------------------------------------------------------


def template_document(links: bool = False) -> dict:
    """The demo action plan without its links to the city's plans (with them: `links`)."""
    import json

    from shinchoku.plans.demo import DEMO_DIR

    doc = json.loads((DEMO_DIR / DEMO_PLAN).read_text(encoding="utf-8"))
    if links:
        return doc
    plan = doc["plan"]
    plan["relations"] = []
    stack = list(plan["nodes"])
    while stack:
        node = stack.pop()
        for content in node.get("contents", []):
            content["goals"] = []
        stack.extend(node.get("children", []))
    return doc


def council_document(template: dict, i: int) -> dict:
    doc = copy.deepcopy(template)
    doc["organization"] = {
        "slug": council_slug(i),
        "name": f"ベンチ{i:04d}市社会福祉協議会",
        "kind": "council",
    }
    doc["plan"]["slug"] = plan_slug(i)
    doc["plan"]["title"] = f"ベンチ{i:04d}市地域福祉活動計画アクションプラン"
    return doc


def existing_councils() -> int:
    from shinchoku.plans.models import Plan

    return Plan.objects.filter(slug__startswith="bench-c", slug__endswith="-action-plan").count()


def import_councils(
    start: int, stop: int, folder: Path, fmt: str = "xlsx", links: bool = False
) -> tuple[float, float, int]:
    """Import councils start..stop-1 through `shinchoku import`; (wall s, CPU s, queries).

    `fmt` "xlsx": the plan workbook (as a council sends it); "json": the interchange file, which
    skips the workbook's writing and reading (for growing a large database quicker). `links`:
    each plan keeps the demo's relations and goal links to the city's plans, which the benchmark
    database does not hold: references waiting for those plans, as many per council as the demo
    has (they pile up with the councils, as links to plans not loaded yet do).
    """
    from django.core.management import call_command
    from django.db import connection

    from shinchoku.plans.interchange import dumps
    from shinchoku.plans.workbook import write_workbook

    template = template_document(links)
    wall = cpu = 0.0
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    for i in range(start, stop):
        doc = council_document(template, i)
        path = folder / f"{plan_slug(i)}.{fmt}"
        if fmt == "json":
            path.write_text(dumps(doc), encoding="utf-8")
        else:
            path.write_bytes(write_workbook(doc))
        w0, c0 = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            call_command("import", str(path), stdout=io.StringIO())
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        path.unlink()
    return wall, cpu, queries


def unfinished(total: int) -> list[int]:
    """The councils below `total` without their users and rounds yet (an interrupted run)."""
    from shinchoku.plans.models import Plan

    done = set(
        Plan.objects.filter(slug__startswith="bench-c", rounds__fy=OPEN_FY).values_list(
            "slug", flat=True
        )
    )
    return [i for i in range(total) if plan_slug(i) not in done]


def make_users(indices: list[int]) -> None:
    """A 管理者 and one 部署担当 per department for each council; the operator once."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from shinchoku.accounts.models import Membership, Role
    from shinchoku.orgs.models import Organization

    User = get_user_model()
    hashed = make_password(BENCH_PASSWORD)
    if not User.objects.filter(username=OPERATOR).exists():
        User.objects.create(
            username=OPERATOR, password=hashed, is_superuser=True, is_staff=True, last_name="運用"
        )
    have = set(
        User.objects.filter(username__startswith="bench-c").values_list("username", flat=True)
    )
    orgs = Organization.objects.filter(
        slug__in=[council_slug(i) for i in indices if admin_name(i) not in have]
    ).prefetch_related("departments")
    users, members, depts = [], [], []
    for org in orgs:
        i = int(org.slug.removeprefix("bench-c"))
        users.append(
            (
                User(username=admin_name(i), password=hashed, last_name="管理者"),
                org,
                Role.ADMIN,
                None,
            )
        )
        for n, dept in enumerate(sorted(org.departments.all(), key=lambda d: (d.order, d.id)), 1):
            users.append(
                (
                    User(username=staff_name(i, n), password=hashed, last_name=dept.name),
                    org,
                    Role.STAFF,
                    dept,
                )
            )
    created = User.objects.bulk_create([u for u, *_ in users])
    for user, (_u, org, role, _dept) in zip(created, users, strict=True):
        members.append(Membership(user=user, organization=org, role=role))
    members = Membership.objects.bulk_create(members)
    Through = Membership.departments.through
    for member, (_u, _o, _r, dept) in zip(members, users, strict=True):
        if dept is not None:
            depts.append(Through(membership_id=member.pk, department_id=dept.pk))
    Through.objects.bulk_create(depts)


def fill(report, user) -> None:
    """Fill a sheet as the department would (every field), as report_bench.py does."""
    from shinchoku.rounds import services
    from shinchoku.rounds.services import SheetInput

    data = SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {
            "done": "取組を進めた",
            "next": "継続して展開",
            "evaluation": "B",
        }
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for line in item.indicators:
            data.indicators[line.indicator.key] = {
                "actual": line.target or f"1{line.indicator.unit}",
                "note": "",
            }
    return services.save(report, data, version=report.version, user=user)


def make_rounds(indices: list[int], sample_every: int) -> int:
    """The FY2020 round open everywhere; FY2019 approved and published for the sample."""
    from django.contrib.auth import get_user_model

    from shinchoku.plans.models import Plan
    from shinchoku.rounds import services

    operator = get_user_model().objects.get(username=OPERATOR)
    sampled = 0
    for i in indices:
        plan = Plan.objects.get(slug=plan_slug(i))
        if i % sample_every == 0:
            sampled += 1
            done = services.open_round(plan, DONE_FY, date(DONE_FY + 1, 5, 31), operator)
            for report in done.reports.select_related("department", "round__plan"):
                report = fill(report, operator)
                services.approve(services.submit(report, operator), operator)
            done.refresh_from_db()
            services.close_round(done, operator)
            done.refresh_from_db()
            services.publish_round(done, operator)
        services.open_round(plan, OPEN_FY, date(OPEN_FY + 1, 5, 31), operator)
    return sampled


def analyze() -> float:
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # PostgreSQL and SQLite alike
    return time.perf_counter() - t0


def grow(
    total: int, sample_every: int = 5, quiet: bool = False, fmt: str = "xlsx", links: bool = False
) -> dict:
    """Add councils until there are `total`; print and return the import figures."""
    have = existing_councils()
    out = {"added": 0, "plans_per_s": 0.0, "cpu_per_plan": 0.0, "queries_per_plan": 0.0}
    if have < total:
        with tempfile.TemporaryDirectory() as folder:
            wall, cpu, queries = import_councils(have, total, Path(folder), fmt, links)
        added = total - have
        out = {
            "added": added,
            "plans_per_s": added / wall,
            "cpu_per_plan": cpu / added,
            "queries_per_plan": queries / added,
        }
        if not quiet:
            print(
                f"imported {added} councils ({have} → {total}) through `shinchoku import` ({fmt}): "
                f"{added / wall:.2f} plans/s, {cpu / added:.2f} s CPU per plan, "
                f"{queries / added:.0f} queries per plan",
                flush=True,
            )
    todo = unfinished(total)
    if todo:
        t0 = time.perf_counter()
        make_users(todo)
        with contextlib.redirect_stdout(io.StringIO()):
            sampled = make_rounds(todo, sample_every)
        if not quiet:
            print(
                f"users and rounds of {len(todo)} councils ({sampled} filled, approved and "
                f"published) {time.perf_counter() - t0:.1f} s"
            )
    seconds = analyze()
    if not quiet:
        print(f"ANALYZE {seconds:.2f} s; councils in the database: {existing_councils()}")
    return out


FORMAT_HELP = "the file each council imports: its plan workbook, or the interchange JSON (quicker)"
LINKS_HELP = "keep the demo plan's links to the city's plans (references waiting for them)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--councils", type=int, default=30)
    parser.add_argument("--sample-every", type=int, default=5)
    parser.add_argument("--sqlite", help="SQLite file (without DATABASE_URL)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    parser.add_argument("--format", choices=["xlsx", "json"], default="xlsx", help=FORMAT_HELP)
    parser.add_argument("--links", action="store_true", help=LINKS_HELP)
    args = parser.parse_args()
    configure(args.sqlite, args.fresh)
    grow(args.councils, args.sample_every, fmt=args.format, links=args.links)


if __name__ == "__main__":
    main()
