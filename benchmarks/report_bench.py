"""Print how long the committee report takes as PDF and as xlsx, and how big it is.

    .venv/bin/python benchmarks/report_bench.py [--runs N]

Runs on a throw-away SQLite database with the demo data: the city plan FY2019 (approved and
published in the demo) and the council's action plan FY2019 after a round is opened, filled
and approved for every department (the demo has no approved round there). Times are the best of
N runs (default 3): collecting the data, rendering the HTML, WeasyPrint's layout, openpyxl.
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
os.environ["SHINCHOKU_SQLITE"] = str(_db)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from shinchoku.plans.models import Plan  # noqa: E402
from shinchoku.reports.pdf import html_to_pdf, report_html  # noqa: E402
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


def best(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("load_demo", verbosity=0)
    approve_action_plan_round()
    for slug, fy in (("nishitokyo-chiiki-fukushi-4", 2019), ("nishitokyo-action-plan-2019", 2019)):
        plan = Plan.objects.get(slug=slug)
        t_data, report = best(lambda p=plan, y=fy: committee_report(p, y), args.runs)
        t_html, html = best(lambda r=report: report_html(r), args.runs)
        t_pdf, pdf = best(lambda h=html: html_to_pdf(h), args.runs)
        t_xlsx, xlsx = best(lambda r=report: report_xlsx(r), args.runs)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"{slug:30} FY{fy} indicators {report.indicator_count:3}  data {t_data:5.2f}s  "
            f"html {t_html:5.2f}s  pdf {t_pdf:5.2f}s ({pages} pages, {len(pdf) / 1024:5.0f} KB)  "
            f"xlsx {t_xlsx:5.2f}s ({len(xlsx) / 1024:4.0f} KB)"
        )


if __name__ == "__main__":
    main()
