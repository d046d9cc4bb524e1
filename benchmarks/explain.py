"""Check with EXPLAIN that every query of every page type can use an index (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h \\
        .venv/bin/python benchmarks/explain.py --councils 30

Grows the synthetic councils of `councils.py` to --councils in the scratch database, runs
ANALYZE, then asks each page of `pages.py` once (as the user who would open it) and records its
queries, and imports one more council's plan workbook through `shinchoku import` (its SELECT,
UPDATE and DELETE statements; rolled back). Each is explained twice: as the planner chooses
(the plan's root node and its estimated cost), and with sequential scans switched off (`SET
enable_seqscan = off`), where a "Seq Scan" that remains on a table of more than --min-rows rows
means no index serves that query: a missing index. Prints one line per page (queries, the
costliest plan, scans without an index) and the list of those scans; the exit status is 1 when
there is any, so it can gate a release. Nothing is kept: the pages' own writes (the draft save)
and the import run in a transaction rolled back.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import councils, pages


def plan_nodes(node: dict):
    """Every node of an EXPLAIN (FORMAT JSON) plan tree, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.get("Plans", []))


def explain(cursor, sql: str) -> dict:
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
    raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def table_rows(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace"
    )
    return dict(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=30)
    parser.add_argument("--min-rows", type=int, default=1000, help="tables smaller are ignored")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args()
    councils.configure(None, args.fresh)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        sys.exit("explain.py needs PostgreSQL: set DATABASE_URL")
    councils.grow(args.councils, quiet=True)
    councils.analyze()
    with connection.cursor() as cursor:
        sizes = table_rows(cursor)
    clients = pages._clients()
    missing: list[tuple[str, str, int, str]] = []
    print(f"{pages.pad('page')} {'queries':>7} {'top cost':>9}  scans without an index")

    def check(name: str, statements: list[str]) -> None:
        """Explain the statements (in the open transaction) and print the page's line."""
        top = 0.0
        found = []
        with connection.cursor() as cursor:
            for sql in statements:
                top = max(top, explain(cursor, sql)["Total Cost"])
                cursor.execute("SET LOCAL enable_seqscan = off")
                for node in plan_nodes(explain(cursor, sql)):
                    table = node.get("Relation Name", "")
                    rows = sizes.get(table, 0)
                    if node["Node Type"] == "Seq Scan" and rows > args.min_rows:
                        found.append((name, table, rows, sql[:200]))
                cursor.execute("SET LOCAL enable_seqscan = on")
        missing.extend(found)
        tables = ", ".join(sorted({t for _p, t, _r, _s in found})) or "none"
        print(f"{pages.pad(name)} {len(statements):7} {top:9.0f}  {tables}")

    for page in pages.pages():
        body = pages._prepare(page)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                pages._request(clients[page.who], page, body)
            check(page.name, [q["sql"] for q in captured if q["sql"].lstrip().startswith("SELECT")])
            transaction.set_rollback(True)  # a page that writes (the draft save) leaves nothing
    # One more council's plan workbook through `shinchoku import` (rolled back): its reads,
    # updates and deletes (the links waiting for a plan loaded later, the plans it names).
    folder = Path(tempfile.mkdtemp(prefix="shinchoku-explain-"))
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            councils.import_councils(args.councils, args.councils + 1, folder)
        written = ("SELECT", "UPDATE", "DELETE")
        check("import", [q["sql"] for q in captured if q["sql"].lstrip().startswith(written)])
        transaction.set_rollback(True)
    if missing:
        print("\nSequential scans no index can replace (table, rows, query):")
        for name, table, rows, sql in missing:
            print(f"  {name}: {table} ({rows:,} rows)\n    {sql}")
        sys.exit(1)
    over = f"tables over {args.min_rows:,} rows"
    print(f"\nevery query of every page and of an import can use an index ({over})")


if __name__ == "__main__":
    main()
