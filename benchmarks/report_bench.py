"""Print how long the committee report takes as PDF and as xlsx, and how big it is.

    .venv/bin/python benchmarks/report_bench.py [--runs N] [--sqlite PATH] [--out DIR]

Runs on a throw-away SQLite database with the demo data: the city plan FY2019 (approved and
published in the demo) and the council's action plan FY2019 after a round is opened, filled
and approved for every department (the demo has no approved round there). Times are the best of
N runs (default 3): collecting the data, rendering the HTML, WeasyPrint's layout (HTML and CSS
parsed, styles applied, pages laid out) and the PDF written (drawing, the font subset), openpyxl.
`--sqlite PATH` keeps the database in PATH and reuses it on the next run; `--out DIR` writes
each report's HTML and PDF there (to look at the pages: pdftoppm -r 50 -png).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
_db = Path(tempfile.mkdtemp(prefix="report-bench-")) / "bench.sqlite3"
if "--sqlite" in sys.argv:
    _db = Path(sys.argv[sys.argv.index("--sqlite") + 1])
_reuse = _db.exists()
os.environ["SHINCHOKU_SQLITE"] = str(_db)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from shinchoku.plans.models import Plan  # noqa: E402
from shinchoku.reports.pdf import layout, report_html, write  # noqa: E402
from shinchoku.reports.report import committee_report  # noqa: E402
from shinchoku.reports.xlsx import report_xlsx  # noqa: E402


def approve_action_plan_round() -> None:
    from datetime import date

    from django.contrib.auth import get_user_model

    from shinchoku.rounds import services
    from shinchoku.rounds.services import SheetInput

    plan = Plan.objects.get(slug="nishitokyo-action-plan-2019")
    user = get_user_model().objects.create_user("bench", last_name="bench")
    round_ = services.open_round(plan, 2019, date(2020, 5, 31), user)
    for report in round_.reports.all():
        data = SheetInput()
        for item in services.sheet(report):
            data.items[item.node.key] = {"done": "取組", "next": "展開", "evaluation": "B"}
            for c in item.contents:
                data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
            for line in item.indicators:
                data.indicators[line.indicator.key] = {
                    "actual": line.target or f"1{line.indicator.unit}",
                    "note": "",
                }
        report = services.save(report, data, version=report.version, user=user)
        services.approve(services.submit(report, user), user)


CPU: list[float] = []  # the CPU seconds of the last `best` (this process), beside the wall time


def best(fn, runs: int):
    times, cpu, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU[:] = [min(cpu)]
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", help="keep the database in this file (reused when it exists)")
    parser.add_argument("--out", help="write each report's HTML and PDF into this folder")
    args = parser.parse_args()
    if not _reuse:
        call_command("migrate", verbosity=0)
        with contextlib.redirect_stdout(io.StringIO()):
            call_command("load_demo", verbosity=0)
        approve_action_plan_round()
    for slug, fy in (("nishitokyo-chiiki-fukushi-4", 2019), ("nishitokyo-action-plan-2019", 2019)):
        plan = Plan.objects.get(slug=slug)
        t_data, report = best(lambda p=plan, y=fy: committee_report(p, y), args.runs)
        t_html, html = best(lambda r=report: report_html(r), args.runs)
        t_layout, document = best(lambda h=html: layout(h), args.runs)
        cpu = CPU[0]
        t_write, pdf = best(lambda d=document: write(d), args.runs)
        cpu += CPU[0]
        t_pdf = t_layout + t_write
        t_xlsx, xlsx = best(lambda r=report: report_xlsx(r), args.runs)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        if args.out:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{slug}.html").write_text(html, encoding="utf-8")
            (out / f"{slug}.pdf").write_bytes(pdf)
        print(
            f"{slug:30} FY{fy} indicators {report.indicator_count:3}  data {t_data:5.2f}s  "
            f"html {t_html:5.2f}s  pdf {t_pdf:5.2f}s (cpu {cpu:4.2f}s; layout {t_layout:4.2f}s "
            f"+ write {t_write:4.2f}s, {pages} pages, {len(pdf) / 1024:5.0f} KB)  "
            f"xlsx {t_xlsx:5.2f}s ({len(xlsx) / 1024:4.0f} KB)"
        )
        t_click = click_when_prerendered(plan, fy, pdf, args.runs)
        print(f"{'':30} a member's click with the PDF pre-rendered: {t_click:5.2f}s")


def click_when_prerendered(plan: Plan, fy: int, pdf: bytes, runs: int) -> float:
    """What the PDF view does on a click once jobs.prerender has made the PDF: the report and
    its HTML (for the content key), then the member's job done at once with that PDF."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from shinchoku.jobs.models import ReportJob
    from shinchoku.jobs.report_jobs import start_report_job
    from shinchoku.reports.pdf import report_html_and_key
    from shinchoku.reports.report import filename

    _html, key = report_html_and_key(committee_report(plan, fy))
    now = timezone.now()
    ReportJob.objects.create(
        kind="committee", plan=plan, fy=fy, user=None, filename="", content_key=key,
        state="done", started=now, finished=now, pdf=pdf, size=len(pdf),
    )  # fmt: skip
    member, _ = get_user_model().objects.get_or_create(username="bench-member")

    def click():
        report = committee_report(plan, fy)
        html, key = report_html_and_key(report)
        job, _ = start_report_job(
            user=member, plan=plan, kind="committee", fy=fy, filename=filename(report, "pdf"),
            html=html, language="ja", content_key=key,
        )  # fmt: skip
        assert job.state == "done", "the pre-rendered PDF was not found"
        ReportJob.objects.filter(pk=job.pk).delete()

    return best(click, runs)[0]


if __name__ == "__main__":
    main()
