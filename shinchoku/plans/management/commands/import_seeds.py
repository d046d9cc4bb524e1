from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.plans.interchange import InvalidDocument, PlanExists, load_documents
from shinchoku.plans.seeds import SeedsMissing, build_documents


class Command(BaseCommand):
    help = "Read the real Nishitokyo plan documents (000, 001, 002, 004) and load them."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--replace", action="store_true", help="replace plans that exist")
        parser.add_argument("--json-out", help="also write one interchange file per plan here")
        parser.add_argument("--no-load", action="store_true", help="do not write the database")

    def handle(self, *args, **options):
        try:
            docs, report = build_documents(Path(options["folder"]))
        except SeedsMissing as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"== 取り込みレポート: {len(report.entries)} 件")
        for line in report.lines():
            self.stdout.write(line)
        if not options["no_load"]:
            try:
                plans = load_documents(docs, replace=options["replace"])
            except InvalidDocument as exc:
                for problem in exc.problems:
                    self.stderr.write(str(problem))
                raise CommandError("問題があるため、何も読み込みませんでした。") from None
            except PlanExists as exc:
                raise CommandError(str(exc)) from None
            for plan in plans:
                self.stdout.write(f"読み込みました: {plan.slug}\t{plan.title}")
        if options["json_out"]:
            from shinchoku.plans.demo import write_demo

            for path in write_demo(docs, Path(options["json_out"])):
                self.stdout.write(f"書き出しました: {path}")
