"""Print how long the plan workbook takes to write and read, and how big it is.

    .venv/bin/python benchmarks/workbook_bench.py [--items N]

Measures the three demo plans and a synthetic plan of N items (default 500: far larger than any
real plan seen), each written from its interchange document, read back and checked equal. Also
times the safety check on a zip bomb (refused before decompressing).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

import django

django.setup()

from shinchoku.plans.demo import demo_documents  # noqa: E402
from shinchoku.plans.interchange import dumps  # noqa: E402
from shinchoku.plans.workbook import read_workbook, workbook_plan_keys, write_workbook  # noqa: E402
from tests.factories import plan_doc  # noqa: E402


def measure(name: str, doc: dict, known: dict) -> None:
    t0 = time.perf_counter()
    data = write_workbook(doc)
    t1 = time.perf_counter()
    result = read_workbook(data, known)
    t2 = time.perf_counter()
    tracemalloc.start()  # a second pass for memory: tracing slows the code down
    read_workbook(data, known)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    same = result.doc is not None and dumps(result.doc) == dumps(doc)
    print(
        f"{name:32} write {t1 - t0:6.2f}s  read {t2 - t1:6.2f}s  "
        f"{len(data) / 1024:7.0f} KB  read peak {peak / 1024 / 1024:6.1f} MB  "
        f"problems {len(result.problems)}  round trip {'equal' if same else 'DIFFERENT'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    docs = demo_documents()
    known = {}
    for doc in docs:
        slug, keys = workbook_plan_keys(write_workbook(doc))
        known[slug] = keys
    for doc in docs:
        measure(doc["plan"]["slug"], doc, known)
    goals = max(1, args.items // 25)
    big = plan_doc(slug="synthetic", n_goals=goals, items_per_goal=25)
    measure(f"synthetic ({goals * 25} items)", big, {})

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    t0 = time.perf_counter()
    result = read_workbook(bomb.getvalue(), {})
    print(
        f"{'zip bomb (200 MB unpacked)':32} {len(bomb.getvalue()) / 1024:.0f} KB file refused in "
        f"{time.perf_counter() - t0:.3f}s: {result.problems[0]}"
    )


if __name__ == "__main__":
    main()
