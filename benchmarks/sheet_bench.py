"""Print how long a department's progress sheet takes to write and read, and its peak memory.

    .venv/bin/python benchmarks/sheet_bench.py

Works in a scratch SQLite database (a temporary file, never the real one): loads the demo plans,
opens a FY2020 round of the action plan, and for every department writes its sheet, reads it
back, and runs a full upload of the unchanged file (which must change nothing).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
_scratch = tempfile.TemporaryDirectory()
os.environ.pop("DATABASE_URL", None)  # never PostgreSQL: a throwaway SQLite file
os.environ["SHINCHOKU_SQLITE"] = str(Path(_scratch.name) / "bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from shinchoku.plans.demo import load_demo  # noqa: E402
from shinchoku.plans.models import Plan  # noqa: E402
from shinchoku.rounds import services  # noqa: E402
from shinchoku.rounds.sheet_xlsx import apply_upload, read_sheet, write_sheet  # noqa: E402

ACTION = "nishitokyo-action-plan-2019"


def peak(fn) -> tuple[object, float]:
    tracemalloc.start()
    out = fn()
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, top / 1024 / 1024


def main() -> None:
    call_command("migrate", verbosity=0)
    load_demo()
    round_ = services.open_round(Plan.objects.get(slug=ACTION), 2020, date(2021, 5, 31), None)
    for report in round_.reports.select_related("department", "round__plan"):
        t0 = time.perf_counter()
        data = write_sheet(report)
        t1 = time.perf_counter()
        parsed = read_sheet(data)
        t2 = time.perf_counter()
        result = apply_upload(report, data, None)
        t3 = time.perf_counter()
        _d, write_peak = peak(lambda r=report: write_sheet(r))
        _p, read_peak = peak(lambda d=data: read_sheet(d))
        print(
            f"{report.department.name:10} cells {len(parsed.cells):4}  "
            f"write {t1 - t0:5.2f}s  read {t2 - t1:5.2f}s  upload {t3 - t2:5.2f}s  "
            f"{len(data) / 1024:5.0f} KB  peak write {write_peak:5.1f} MB  "
            f"read {read_peak:5.1f} MB  unchanged upload: {result.status}"
        )


if __name__ == "__main__":
    main()
