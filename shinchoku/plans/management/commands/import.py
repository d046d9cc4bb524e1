import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.plans.interchange import InvalidDocument, PlanExists, load_documents

MAX_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Import plans from interchange files (all files in one transaction)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--replace", action="store_true", help="replace plans that exist")

    def handle(self, *args, **options):
        docs = [read_document(Path(name)) for name in options["files"]]
        try:
            plans = load_documents(docs, replace=options["replace"])
        except InvalidDocument as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} 件の問題があるため、何も読み込みませんでした。"
            ) from None
        except PlanExists as exc:
            raise CommandError(str(exc)) from None
        for plan in plans:
            self.stdout.write(f"読み込みました: {plan.slug}\t{plan.title}")


def read_document(path: Path) -> dict:
    """Read one JSON file, refusing what is not a plan file."""
    if not path.is_file():
        raise CommandError(f"{path}: ファイルがありません。")
    if path.stat().st_size > MAX_BYTES:
        raise CommandError(f"{path}: ファイルが大きすぎます（{MAX_BYTES // 1024 // 1024}MBまで）。")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CommandError(f"{path}: UTF-8 のテキストではありません。") from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path}: {exc.lineno}行{exc.colno}列目で JSON として読めません（{exc.msg}）。"
        ) from None
