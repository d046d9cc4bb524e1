"""`shinchoku report <slug> --fy 2019 --format pdf|xlsx -o FILE`: the committee report."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.plans.models import Plan
from shinchoku.reports.report import ReportError, committee_report


class Command(BaseCommand):
    help = "Write the committee report of a plan for a fiscal year as PDF or Excel (xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the plan's slug (see `shinchoku plans`)")
        parser.add_argument("--fy", type=int, required=True, help="fiscal year, western: 2019")
        parser.add_argument("--format", choices=["pdf", "xlsx"], help="default: from -o")
        parser.add_argument("-o", "--output", required=True, help="file to write")

    def handle(self, *args, **options):
        output = Path(options["output"])
        fmt = options["format"] or output.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "xlsx"):
            raise CommandError("形式を --format pdf または --format xlsx で指定してください。")
        plan = Plan.objects.select_related("organization").filter(slug=options["slug"]).first()
        if plan is None:
            raise CommandError(
                f"計画「{options['slug']}」はありません。"
                "`shinchoku plans` で一覧を確認してください。"
            )
        try:
            report = committee_report(plan, options["fy"])
        except ReportError as e:
            raise CommandError(str(e)) from None
        if not output.parent.is_dir():
            raise CommandError(f"フォルダ「{output.parent}」がありません。")
        if fmt == "pdf":
            from shinchoku.reports.pdf import report_pdf

            self.stderr.write("PDFを組版しています(数秒かかります)…")
            data = report_pdf(report)
        else:
            from shinchoku.reports.xlsx import report_xlsx

            data = report_xlsx(report)
        output.write_bytes(data)
        self.stdout.write(
            f"{output}: {report.plan.title} {report.fy_label} ({fmt}, {len(data):,} バイト)"
        )
