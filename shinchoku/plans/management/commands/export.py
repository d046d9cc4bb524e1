from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.plans.interchange import dumps, export_plan
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import write_workbook


class Command(BaseCommand):
    help = "Export a plan in the interchange format (json) or as a plan workbook (xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", default="json", choices=["json", "xlsx"])
        parser.add_argument(
            "-o", "--output", help="file to write (default for json: standard output)"
        )

    def handle(self, *args, **options):
        try:
            plan = Plan.objects.select_related("organization").get(slug=options["slug"])
        except Plan.DoesNotExist:
            raise CommandError(
                f"計画「{options['slug']}」はありません。"
                "`shinchoku plans` で一覧を確認してください。"
            ) from None
        doc = export_plan(plan)
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError(
                    "Excel形式は端末に出力できません。-o ファイル名.xlsx を指定してください。"
                )
            Path(options["output"]).write_bytes(write_workbook(doc))
            return
        text = dumps(doc)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
