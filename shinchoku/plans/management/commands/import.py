"""`shinchoku import FILE...`: load plans from JSON interchange files or plan workbooks (.xlsx).

Every file is read and checked before anything is written, and all of them are loaded in one
transaction. `--dry-run` prints what would be added, changed and removed (and every problem,
with its sheet and cell for a workbook) and writes nothing. The changes are recorded in the
plans' history like an upload in the browser.
"""

import json
import re
from itertools import accumulate
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shinchoku.plans import history, services
from shinchoku.plans.diff import summary
from shinchoku.plans.interchange import (
    InvalidDocument,
    PlanExists,
    known_for_import,
    load_documents,
    schema_problems,
)
from shinchoku.plans.limits import MAX_NODE_DEPTH
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import read_workbook, workbook_plan_keys
from shinchoku.plans.xlsx_safety import MAX_BYTES as MAX_XLSX_BYTES

MAX_BYTES = 50 * 1024 * 1024
ACTIONS = {"add": "追加", "change": "変更", "remove": "削除"}


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = (
        "Import plans from interchange files (.json) or plan workbooks (.xlsx), "
        "all files in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--replace", action="store_true", help="replace plans that exist")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and print what would change, write nothing",
        )
        parser.add_argument(
            "--confirm-removals",
            action="store_true",
            help="allow replacing a plan in a way that removes reported progress",
        )
        parser.add_argument(
            "--changes",
            action="store_true",
            help="print every change, not only the counts (always on with --dry-run)",
        )

    def handle(self, *args, **options):
        paths = [Path(name) for name in options["files"]]
        json_docs = {p: read_document(p) for p in paths if p.suffix.lower() != ".xlsx"}
        sources = self._read_all(paths, json_docs)
        docs = [doc for _, doc in sources]
        dry_run = options["dry_run"]
        try:
            with transaction.atomic():
                # A workbook's document was checked against the schema as it was read.
                found = [p for doc in json_docs.values() for p in schema_problems(doc)]
                if found:
                    raise InvalidDocument(found)
                # The plans stay as compared until loaded: the preview is what happens.
                slugs = [doc["plan"]["slug"] for doc in docs]
                list(Plan.objects.select_for_update().filter(slug__in=slugs).values("id"))
                prepared = [services.prepare(doc, None) for doc in docs]
                losses = [c for p in prepared for c in p.losses]
                plans = load_documents(docs, replace=options["replace"], checked=True)
                self._print_changes(prepared, verbose=dry_run or options["changes"])
                if losses and not options["confirm_removals"] and not dry_run:
                    raise CommandError(
                        f"{len(losses)} 件の変更で、報告済みの実績・取組報告が消えます。"
                        "確かめてから --confirm-removals を付けて実行してください。"
                        "何も読み込みませんでした。"
                    )
                if dry_run:
                    raise DryRun
                for plan, p, (path, _) in zip(plans, prepared, sources, strict=True):
                    source = services.import_source(path.name)
                    history.record_changes(plan, p.changes, user=None, source=source)
        except DryRun:
            self.stdout.write("確認のみ（--dry-run）: 何も書き込んでいません。")
            return
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

    def _read_all(self, paths: list[Path], json_docs: dict[Path, dict]) -> list[tuple[Path, dict]]:
        """Every document in file order; a workbook's problems are all printed, then refused."""
        in_run: dict[str, set[str]] = {}
        for doc in json_docs.values():
            plan = doc.get("plan") if isinstance(doc, dict) else None
            if isinstance(plan, dict) and isinstance(plan.get("slug"), str):
                keys = in_run.setdefault(plan["slug"], set())
                keys.update(_node_keys(plan.get("nodes")))
        workbooks = {p: read_bytes(p, MAX_XLSX_BYTES) for p in paths if p not in json_docs}
        # Workbooks loaded together may link to each other; one alone declares its keys itself.
        for data in workbooks.values() if len(paths) > 1 else ():
            declared = workbook_plan_keys(data)
            if declared is not None:
                in_run.setdefault(declared[0], set()).update(declared[1])
        # Each workbook's links are checked against its organization's plans and this run's.
        known = known_for_import(in_run)
        docs, problems = [], 0
        for path in paths:
            if path in json_docs:
                docs.append((path, json_docs[path]))
                continue
            result = read_workbook(workbooks[path], known)
            for problem in result.problems:
                self.stderr.write(f"{path.name}: {problem}")
            problems += len(result.problems)
            if result.doc is not None:
                docs.append((path, result.doc))
        if problems:
            raise CommandError(f"{problems} 件の問題があるため、何も読み込みませんでした。")
        return docs

    def _print_changes(self, prepared: list[services.Prepared], verbose: bool) -> None:
        for p in prepared:
            plan = p.doc["plan"]
            counts = summary(p.changes)
            state = "更新" if p.exists else "新規"
            self.stdout.write(
                f"{plan['slug']}\t{plan['title']}（{state}）: 追加 {counts['add']} 件、"
                f"変更 {counts['change']} 件、削除 {counts['remove']} 件"
            )
            if not verbose:
                continue
            for c in p.changes:
                mark = "　※実績・取組報告が消えます" if c.loses_progress else ""
                self.stdout.write(f"  {ACTIONS[c.action]}\t{c.kind_name}\t{c.label}{mark}")


def _node_keys(nodes) -> set[str]:
    """The keys of an unchecked tree, without recursion (its depth is limited on reading)."""
    out: set[str] = set()
    stack = [nodes]
    while stack:
        items = stack.pop()
        for node in items if isinstance(items, list) else []:
            if isinstance(node, dict):
                if isinstance(node.get("key"), str):
                    out.add(node["key"])
                stack.append(node.get("children"))
    return out


# A plan's deepest JSON: the document, the plan, then per level a list of nodes and a node, and
# under the last node a content's goals. Anything deeper is refused before it is parsed.
MAX_JSON_NESTING = 2 * MAX_NODE_DEPTH + 16
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def json_nesting(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    steps = (1 if ch in "[{" else -1 for ch in brackets)
    return max(accumulate(steps), default=0)


def read_bytes(path: Path, limit: int) -> bytes:
    if not path.is_file():
        raise CommandError(f"{path}: ファイルがありません。")
    if path.stat().st_size > limit:
        raise CommandError(f"{path}: ファイルが大きすぎます（{limit // 1024 // 1024}MBまで）。")
    return path.read_bytes()


def read_document(path: Path) -> dict:
    """Read one JSON file, refusing what is not a plan file."""
    data = read_bytes(path, MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{path}: UTF-8 のテキストではありません。") from None
    if json_nesting(text) > MAX_JSON_NESTING:
        raise CommandError(
            f"{path}: 入れ子が深すぎます（計画の項目は{MAX_NODE_DEPTH}階層まで）。"
            "各項目の children（下位の項目）のつながりを確かめてください。"
            "何も読み込みませんでした。"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path}: {exc.lineno}行{exc.colno}列目で JSON として読めません（{exc.msg}）。"
        ) from None
