"""How many filled department sheets (xlsx) are uploaded per second, at a given number of councils.

    .venv/bin/python benchmarks/upload.py --councils 30 [--sheets 30] [--fresh]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h .venv/bin/python benchmarks/upload.py

Grows the synthetic councils of `councils.py` to --councils (the same scratch database), then for
the open FY2020 round of as many councils as needed downloads each department's sheet, types a
value into every input cell as a department would (every item's 取組状況 / 今後の展開 / 自己評価,
every content's 状況, every indicator's 実績), and uploads it with `apply_upload`, the function
behind the upload page. The fill is done before the clock starts: what is timed is the upload
(reading the file, checking, the three-way merge and the save in one transaction). Prints the
rate (sheets/s), CPU per sheet and the queries of one upload, then the CPU of reading a file alone
with the lean reader (plans/xlsx_cells, what uploads use) and with openpyxl (as before issue 16).
Each sheet is uploaded once: run again with a larger --councils (or --fresh) for more.

`--processes N` uploads from N processes at once, as N web workers would on deadline day (use
PostgreSQL for that: SQLite takes one writer at a time); the rate is then sheets over wall time.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import councils  # noqa: E402


def filled(data: bytes) -> bytes:
    """The sheet with a value typed into every input cell (openpyxl, as Excel would save it)."""
    from openpyxl import load_workbook

    from shinchoku.rounds.sheet_xlsx import read_sheet

    values = {
        "done": "地区の担い手と協議を重ね、取組を進めた",
        "next": "継続して展開する",
        "evaluation": "B",
        "status": "予定どおり",
        "note": "",
        "actual": "12",
    }
    book = load_workbook(io.BytesIO(data))
    for cell in read_sheet(data).cells:
        book[cell.sheet][cell.cell].value = values[cell.field] or None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pending_reports(limit: int) -> list:
    """Unfilled department sheets of the open FY2020 rounds, council by council."""
    from shinchoku.rounds.models import Report

    reports = (
        Report.objects.filter(round__fy=councils.OPEN_FY, version=1)
        .select_related("round__plan", "department")
        .order_by("round__plan__slug", "department__order")
    )
    return list(reports[:limit])


def _upload_one(job: tuple[int, bytes]) -> tuple[float, str]:
    """In a worker process: upload one sheet; (CPU s, status)."""
    from shinchoku.rounds.models import Report
    from shinchoku.rounds.sheet_xlsx import apply_upload

    pk, data = job
    report = Report.objects.select_related("round__plan", "department").get(pk=pk)
    c0 = time.process_time()
    result = apply_upload(report, data, None)
    return time.process_time() - c0, result.status


def _parallel(files: list, processes: int) -> tuple[float, float]:
    """Upload from `processes` processes; (wall s, CPU s summed over the workers)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each forked worker opens its own connection
    jobs = [(report.pk, data) for report, data in files]
    w0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        done = pool.map(_upload_one, jobs, chunksize=1)
    wall = time.perf_counter() - w0
    bad = [status for _cpu, status in done if status != "saved"]
    if bad:
        sys.exit(f"{len(bad)} uploads were not saved: {bad[:3]}")
    return wall, sum(cpu for cpu, _status in done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=30)
    parser.add_argument("--sheets", type=int, default=30, help="sheets to upload (default 30)")
    parser.add_argument("--sqlite", help="SQLite file to use (default: a temporary one)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    parser.add_argument("--processes", type=int, default=1, help="upload from N processes")
    args = parser.parse_args()
    councils.configure(sqlite=args.sqlite, fresh=args.fresh)
    councils.grow(args.councils, quiet=True)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shinchoku.rounds.sheet_xlsx import apply_upload, write_sheet

    reports = pending_reports(args.sheets)
    if not reports:
        sys.exit("no unfilled FY2020 sheet left: run with a larger --councils, or --fresh")
    files = [(r, filled(write_sheet(r))) for r in reports]
    wall = cpu = 0.0
    queries = None
    if args.processes > 1:
        wall, cpu = _parallel(files, args.processes)
    else:
        for n, (report, data) in enumerate(files):
            w0, c0 = time.perf_counter(), time.process_time()
            if n == 0:
                with CaptureQueriesContext(connection) as captured:
                    result = apply_upload(report, data, None)
                queries = len(captured)
            else:
                result = apply_upload(report, data, None)
            wall += time.perf_counter() - w0
            cpu += time.process_time() - c0
            if result.status != "saved":
                sys.exit(f"{report}: upload answered {result.status}: {result.problems[:3]}")
    count = len(files)
    from shinchoku.rounds.sheet_xlsx import read_sheet

    reads = {}
    for lean in (True, False):
        c0 = time.process_time()
        for _report, data in files:
            read_sheet(data, lean=lean)
        reads[lean] = (time.process_time() - c0) / count * 1000
    print(
        f"uploaded {count} filled sheets at {args.councils} councils ({connection.vendor}, "
        f"{args.processes} process{'es' if args.processes > 1 else ''}): "
        f"{count / wall:.1f} sheets/s, {cpu / count * 1000:.0f} ms CPU per sheet"
        + (f", {queries} queries for one upload" if queries is not None else "")
    )
    print(
        f"reading a file alone: {reads[True]:.1f} ms CPU (lean reader), "
        f"{reads[False]:.1f} ms CPU (openpyxl)"
    )


if __name__ == "__main__":
    main()
