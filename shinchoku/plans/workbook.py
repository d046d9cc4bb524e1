"""The plan workbook: a plan document as an Excel workbook a council fills in by hand.

The workbook is another way to write the interchange document (docs/interchange.md): one sheet
per kind of thing, one row per thing, references by keys a person can read. `write_workbook`
turns a document into a workbook; `read_workbook` turns a workbook back into a document and
lists every problem with its sheet and cell, in the active language. Nothing here touches the
database; callers pass in the plans a workbook may link to.

The format is documented in docs/workbook.md.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shinchoku.core.wareki import fy_label, parse_fy
from shinchoku.plans import lineage_format
from shinchoku.plans.interchange import FORMAT, VERSION, validate
from shinchoku.plans.limits import MAX_NODE_DEPTH, MAX_NODES
from shinchoku.plans.vocabulary import (
    DIRECTIONS,
    ORG_KINDS,
    PLAN_KINDS,
    RELATIONS,
    STATUSES,
    STYLES,
    TAGS,
    YES,
)
from shinchoku.plans.xlsx_cells import opened_cells
from shinchoku.plans.xlsx_guard import GuardedWorkbook, WorkbookFault, opened
from shinchoku.plans.xlsx_print import fit_row_heights
from shinchoku.plans.xlsx_safety import MAX_ROWS, no_formulas, writable

log = logging.getLogger(__name__)
MAX_PROBLEMS = 200
CANNOT_READ = gettext_lazy(
    "The workbook could not be read. Open it in Excel and save it again as “.xlsx”, or enter "
    "it again in the template."
)
CONTINUES = "→"
LIST_SEP = re.compile(r"[、,，\n]")

# Sheet names and their columns (header text as printed in row 1). A trailing * marks required.
S_GUIDE = "説明"
S_PLAN = "計画"
S_DEPTS = "部署"
S_RELATIONS = "関連計画"
S_PLAN_SECTIONS = "計画本文"
S_ISSUES = "福祉課題"
S_NODES = "体系"
S_SECTIONS = "本文"
S_SHARED = "共通内容"
S_CONTENTS = "実施内容"
S_INDICATORS = "指標"
S_ACTUALS = "実績"
S_REPORTS = "取組報告"
S_EVALUATIONS = "前計画の評価"
S_LISTS = "リスト"

COLUMNS: dict[str, list[str]] = {
    S_DEPTS: ["部署名*", "上位部署"],
    S_RELATIONS: ["関係*", "計画ID*"],
    S_PLAN_SECTIONS: ["見出し*", "形式", "本文"],
    S_ISSUES: ["番号*", "福祉課題*", "市民の声"],
    S_NODES: [
        "キー*",
        "上位キー",
        "階層",
        "番号",
        "タイトル*",
        "サブタイトル",
        "担当部署",
        "種別",
        "SDGs",
        *lineage_format.NODE_COLUMNS,  # issue 13: optional lineage columns
    ],
    S_SECTIONS: ["キー*", "見出し*", "形式", "本文"],
    S_SHARED: ["共通キー*", "番号", "内容*", "区分"],
    S_CONTENTS: [
        "キー*",
        "番号",
        "内容*",
        "区分",
        "再掲",
        "共通キー",
        "結び付く目標",
        "備考",
        "系列",
    ],
    S_INDICATORS: [
        "キー*",
        "指標キー*",
        "番号",
        "指標名*",
        "単位",
        "方向",
        "担当部署",
        "現状値の年度",
        "現状値",
        "現状値の見出し",
        "見込み",
        "基準日",
        "備考",
    ],
    S_ACTUALS: ["指標キー*", "年度*", "実績値*", "備考"],
    S_REPORTS: ["指標キー*", "年度*", "取組状況", "今後の展開"],
    S_EVALUATIONS: [
        "基本目標",
        "事業区分",
        "事業項目*",
        "その後の取組",
        "評価・課題",
        "状況",
        *lineage_format.EVALUATION_COLUMNS,
    ],
}
FY_SHEETS = {S_CONTENTS, S_INDICATORS}  # followed by one column per fiscal year of the plan
# issue 13: optional lineage columns after the fiscal-year columns (old files have none).
TRAILING = {
    S_CONTENTS: lineage_format.CONTENT_COLUMNS,
    S_INDICATORS: lineage_format.INDICATOR_COLUMNS,
}

PLAN_FIELDS = [
    ("組織ID*", "org_slug"),
    ("組織名*", "org_name"),
    ("組織の種類*", "org_kind"),
    ("計画ID*", "slug"),
    ("計画名*", "title"),
    ("計画の種類*", "kind"),
    ("開始年度*", "first_fy"),
    ("終了年度*", "last_fy"),
    ("基本理念", "philosophy"),
    ("階層名*", "level_names"),
    (lineage_format.PLAN_STATUS_LABEL, "status"),  # issue 13: 策定中 (optional)
]


# The 説明 sheet: one line per row; {continues} is the continuation mark.
GUIDE = (
    (Path(__file__).with_name("workbook_guide.txt"))
    .read_text(encoding="utf-8")
    .replace("{continues}", CONTINUES)
    .splitlines()
)


@dataclass(frozen=True)
class CellProblem:
    """One problem in a workbook: the sheet, the cell (A1 style) and what to do, in the active
    language (a lazy message is fixed when the problem is made, in the request's language)."""

    sheet: str
    cell: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", str(self.message))

    def __str__(self) -> str:
        if self.sheet:
            where = gettext("Sheet “%(sheet)s” %(cell)s: %(message)s")
            return (where % vars(self)).replace(" : ", ": ")
        return self.message


def row_label(row: int | str) -> str:
    """A row named in the cell column of a problem: 12行目 / row 12."""
    return gettext("row %(row)s") % {"row": row}


def enter(column: str) -> str:
    """The message for an empty required column (its header as in the workbook)."""
    return gettext("Enter a value in “%(column)s”.") % {"column": column}


@dataclass
class WorkbookResult:
    """A document read from a workbook, or None, with every problem found."""

    doc: dict[str, Any] | None
    problems: list[CellProblem] = field(default_factory=list)


# --------------------------------------------------------------------------- writing


def _header_style(ws: Any, n_cols: int) -> None:
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col in range(1, n_cols + 1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"


WIDTHS = {
    "本文": 60,
    "内容*": 48,
    "タイトル*": 36,
    "市民の声": 60,
    "その後の取組": 40,
    "評価・課題": 40,
    "指標名*": 30,
    "福祉課題*": 36,
    "結び付く目標": 24,
    "事業項目*": 30,
}


def _sheet(wb: Workbook, name: str, headers: list[str]) -> Any:
    ws = wb.create_sheet(name)
    ws.append(headers)
    _header_style(ws, len(headers))
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(header, 14)
    return ws


def _lists_sheet(wb: Workbook) -> dict[str, str]:
    """The hidden sheet feeding drop-downs; returns list name → range formula."""
    ws = wb.create_sheet(S_LISTS)
    lists = {
        "org_kind": list(ORG_KINDS.values()),
        "plan_kind": list(PLAN_KINDS.values()),
        "relation": list(RELATIONS.values()),
        "style": list(STYLES.values()),
        "direction": list(DIRECTIONS.values()),
        "tag": TAGS,
        "status": STATUSES,
        "yes": [YES],
    }
    ranges = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        ws.cell(row=1, column=col, value=name)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
        letter = get_column_letter(col)
        ranges[name] = f"{S_LISTS}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _validation(ws: Any, formula: str, column: int, strict: bool = True) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.showErrorMessage = strict
    dv.errorTitle = "入力できない値です"
    dv.error = "一覧から選んでください。"
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{MAX_ROWS}")
    ws.add_data_validation(dv)


def _fy_headers(first_fy: int, last_fy: int) -> list[str]:
    return [fy_label(fy) for fy in range(first_fy, last_fy + 1)]


def _new_workbook(
    first_fy: int, last_fy: int, trailing: bool = False
) -> tuple[Workbook, dict[str, Any]]:
    """A workbook with every sheet, its headers, widths and drop-downs, and no data.

    With `trailing`, 実施内容 and 指標 end with the lineage columns (a plan with lineage).
    """
    wb = Workbook()
    guide = wb.active
    guide.title = S_GUIDE
    for line in GUIDE:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    plan = wb.create_sheet(S_PLAN)
    plan.append(["項目", "値"])
    _header_style(plan, 2)
    plan.column_dimensions["A"].width = 16
    plan.column_dimensions["B"].width = 70
    for label, _key in PLAN_FIELDS:
        plan.append([label, None])
    sheets = {S_PLAN: plan}
    years = _fy_headers(first_fy, last_fy)
    for name, headers in COLUMNS.items():
        fy_headers = years if name in FY_SHEETS else []
        extra = TRAILING.get(name, []) if trailing else []
        sheets[name] = _sheet(wb, name, headers + fy_headers + extra)
    ranges = _lists_sheet(wb)
    for row, (_label, key) in enumerate(PLAN_FIELDS, start=2):
        lookup = {"org_kind": "org_kind", "kind": "plan_kind"}.get(key)
        if lookup:
            dv = DataValidation(type="list", formula1=ranges[lookup], allow_blank=False)
            dv.add(f"B{row}")
            plan.add_data_validation(dv)
    _validation(sheets[S_RELATIONS], ranges["relation"], 1)
    _validation(sheets[S_PLAN_SECTIONS], ranges["style"], 2)
    _validation(sheets[S_SECTIONS], ranges["style"], 3)
    _validation(sheets[S_SHARED], ranges["tag"], 4)
    _validation(sheets[S_CONTENTS], ranges["tag"], 4)
    _validation(sheets[S_CONTENTS], ranges["yes"], 5)
    _validation(sheets[S_INDICATORS], ranges["direction"], 6)
    _validation(sheets[S_INDICATORS], ranges["yes"], 11)
    _validation(sheets[S_EVALUATIONS], ranges["status"], 6, strict=False)
    for name in (S_PLAN_SECTIONS, S_SECTIONS, S_ISSUES, S_EVALUATIONS):
        for column in sheets[name].iter_cols(min_row=1, max_row=1):
            header = column[0].value
            if header in ("本文", "市民の声", "その後の取組", "評価・課題"):
                letter = column[0].column_letter
                sheets[name].column_dimensions[letter].width = 60
    return wb, sheets


def _save(wb: Workbook) -> bytes:
    no_formulas(wb)
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            fit_row_heights(ws)  # wrapped headers and texts shown whole (issue 15)
    wb.properties.creator = "Shinchoku"
    wb.properties.created = dt.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def blank_workbook(first_fy: int | None = None, last_fy: int | None = None) -> bytes:
    """The template to fill in, with fiscal-year columns for the period (default: 6 years)."""
    if first_fy is None:
        first_fy = dt.date.today().year + (1 if dt.date.today().month >= 4 else 0)
    if last_fy is None:
        last_fy = first_fy + 5
    wb, _sheets = _new_workbook(first_fy, last_fy)
    return _save(wb)


def _lines(items: Iterable[str]) -> str:
    return "\n".join(items)


def _walk(nodes: list[dict], parent: str = "") -> Iterator[tuple[dict, str]]:
    for node in nodes:
        yield node, parent
        yield from _walk(node["children"], node["key"])


def _schedule_cells(spans: list[dict], years: list[int]) -> list[str]:
    cells = [""] * len(years)
    for span in spans:
        for fy in range(span["from"], span["to"] + 1):
            if fy in years:
                cells[years.index(fy)] = span["phase"] if fy == span["from"] else CONTINUES
    return cells


def write_workbook(doc: dict[str, Any]) -> bytes:
    """A document as a workbook; read_workbook gives the same document back."""
    doc = writable(doc)  # control characters XML cannot hold would stop the download
    plan = doc["plan"]
    years = list(range(plan["first_fy"], plan["last_fy"] + 1))
    trailing = lineage_format.has_row_lineage(plan["nodes"])
    wb, sheets = _new_workbook(plan["first_fy"], plan["last_fy"], trailing)
    values = {
        "org_slug": doc["organization"]["slug"],
        "org_name": doc["organization"]["name"],
        "org_kind": ORG_KINDS[doc["organization"]["kind"]],
        "slug": plan["slug"],
        "title": plan["title"],
        "kind": PLAN_KINDS[plan["kind"]],
        "first_fy": plan["first_fy"],
        "last_fy": plan["last_fy"],
        "philosophy": plan["philosophy"],
        "level_names": "、".join(plan["level_names"]),
        "status": lineage_format.status_cell(plan),
    }
    for row, (_label, key) in enumerate(PLAN_FIELDS, start=2):
        sheets[S_PLAN].cell(row=row, column=2, value=values[key] or None)
    for d in doc["departments"]:
        sheets[S_DEPTS].append([d["name"], d["parent"]])
    for r in plan["relations"]:
        sheets[S_RELATIONS].append([RELATIONS[r["type"]], r["plan"]])
    for s in plan["sections"]:
        sheets[S_PLAN_SECTIONS].append([s["heading"], STYLES[s["style"]], _lines(s["body"])])
    for w in plan["welfare_issues"]:
        sheets[S_ISSUES].append([w["number"], w["title"], _lines(w["voices"])])
    for s in plan["shared_contents"]:
        sheets[S_SHARED].append([s["key"], s["label"], s["text"], s["tag"]])
    for e in plan.get("previous_evaluations", []):
        sheets[S_EVALUATIONS].append(
            [
                *(e["goal"], e["category"], e["item"], e["followup"], e["evaluation"]),
                *(e["status"], *lineage_format.evaluation_cells(e)),
            ]
        )
    for node, parent in _walk(plan["nodes"]):
        sheets[S_NODES].append(
            [
                node["key"],
                parent,
                node["level"],
                node["label"],
                node["title"],
                node["subtitle"],
                "、".join(node["departments"]),
                "、".join(node["kinds"]),
                "、".join(str(n) for n in node["sdgs"]),
                *lineage_format.node_cells(node),
            ]
        )
        for s in node["sections"]:
            sheets[S_SECTIONS].append(
                [node["key"], s["heading"], STYLES[s["style"]], _lines(s["body"])]
            )
        for c in node["contents"]:
            tracks = list(dict.fromkeys(s["track"] for s in c["schedule"])) or [""]
            goals = "、".join(f"{g['plan']}:{g['node']}" for g in c["goals"])
            for i, track in enumerate(tracks):
                spans = [s for s in c["schedule"] if s["track"] == track]
                head = (
                    [
                        node["key"],
                        c["label"],
                        c["text"],
                        c["tag"],
                        YES if c["repost"] else "",
                        c["shared"] or "",
                        goals,
                        c["note"],
                    ]
                    if i == 0
                    else [""] * 8
                )
                lineage = lineage_format.content_cells(c) if i == 0 else ["", ""]
                lineage = lineage if trailing else []
                sheets[S_CONTENTS].append([*head, track, *_schedule_cells(spans, years), *lineage])
        for ind in node["indicators"]:
            b = ind["baseline"] or {}
            targets = {t["fy"]: t["value"] for t in ind["targets"]}
            sheets[S_INDICATORS].append(
                [
                    node["key"],
                    ind["key"],
                    ind["label"],
                    ind["name"],
                    ind["unit"],
                    DIRECTIONS[ind["direction"]],
                    ind["department"],
                    b.get("fy"),
                    b.get("value"),
                    b.get("label"),
                    YES if b.get("estimate") else "",
                    b.get("as_of"),
                    ind["notes"],
                    *[targets.get(fy, "") for fy in years],
                    *(lineage_format.indicator_cells(ind) if trailing else []),
                ]
            )
            for a in ind["actuals"]:
                sheets[S_ACTUALS].append([ind["key"], a["fy"], a["value"], a["note"]])
            for r in ind["reports"]:
                sheets[S_REPORTS].append([ind["key"], r["fy"], r["done"], r["next"]])
    for ws in sheets.values():
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.value == "":
                    cell.value = None
                elif isinstance(cell.value, str):
                    cell.number_format = "@"  # text: Excel must not turn 1-1 into a date
                    if "\n" in cell.value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _save(wb)


def workbook_cells(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, for comparing two workbooks whatever their zip timestamps."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb}
    finally:
        wb.close()


# --------------------------------------------------------------------------- reading


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell as the text a person typed: 100 → "100", 0.484 in a % cell → "48.4%"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            pct = round(value * 100, 10)
            return f"{int(pct) if float(pct).is_integer() else pct}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return str(value).strip()


class _Sheet:
    """Rows of one sheet as dicts by header, with the cell address of every value."""

    def __init__(self, book: GuardedWorkbook, name: str, headers: list[str], r: _Reader):
        self.name = name
        self.rows: list[tuple[int, dict[str, str]]] = []
        self.columns: dict[str, int] = {}
        header: dict[int, str] = {}
        body: list[tuple[int, dict[int, str]]] = []
        for row_index, cells in book.rows(name, max_rows=MAX_ROWS):
            texts = {col: cell_text(value, fmt) for col, (value, fmt) in cells.items()}
            if row_index == 1:
                header = texts
            else:
                body.append((row_index, texts))
        header_row = [header.get(col, "") for col in range(1, max(header, default=0) + 1)]
        wanted = {h.rstrip("*"): h.endswith("*") for h in headers}
        for col, text in enumerate(header_row, start=1):
            name_ = text.rstrip("*")
            if name_ in wanted and name_ not in self.columns:
                self.columns[name_] = col
        for name_, required in wanted.items():
            if name_ not in self.columns and required:
                r.add(
                    name,
                    row_label(1),
                    gettext("The column “%(column)s” is missing. Put the template's heading back.")
                    % {"column": name_},
                )
        self.header_row = header_row
        named = set(self.columns.values())
        for row_index, texts in body:
            values = {name_: texts.get(col, "") for name_, col in self.columns.items()}
            extra = {col: text for col, text in texts.items() if col not in named}
            if any(values.values()) or any(extra.values()):
                values["__extra__"] = extra  # type: ignore[assignment]
                self.rows.append((row_index, values))

    def cell(self, column: str | int, row: int) -> str:
        col = column if isinstance(column, int) else self.columns.get(column, 1)
        return f"{get_column_letter(col)}{row}"


class _Reader:
    def __init__(self, book: GuardedWorkbook, known_plans: KnownSource):
        self.book = book
        self.known: dict[str, set[str]] = {} if callable(known_plans) else known_plans
        self.known_for = known_plans if callable(known_plans) else None
        self.problems: list[CellProblem] = []
        self.where: dict[str, tuple[str, str]] = {}  # document path → (sheet, cell)

    def add(self, sheet: str, cell: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(CellProblem(sheet, cell, message))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(
                CellProblem(
                    "",
                    "",
                    gettext(
                        "There are more problems (only the first %(count)s are shown). Fix "
                        "these and upload the workbook again."
                    )
                    % {"count": MAX_PROBLEMS},
                )
            )

    def sheet(self, name: str) -> _Sheet | None:
        if name not in self.book.sheetnames:
            self.add(name, "", missing_sheet(name))
            return None
        headers = COLUMNS[name] + TRAILING.get(name, [])
        return _Sheet(self.book, name, headers, self)

    def fy_columns(self, sheet: _Sheet, years: list[int]) -> dict[int, int]:
        """Map fiscal-year columns (after the named ones) to FYs; report unreadable headers."""
        out: dict[int, int] = {}
        trailing = {sheet.columns[h] for h in TRAILING.get(sheet.name, []) if h in sheet.columns}
        last_named = max(set(sheet.columns.values()) - trailing, default=0)
        for col, text in enumerate(sheet.header_row, start=1):
            if col <= last_named or col in trailing or not text:
                continue
            fy = parse_fy(text)
            if fy is None:
                self.add(
                    sheet.name,
                    sheet.cell(col, 1),
                    gettext(
                        "The heading “%(text)s” cannot be read as a fiscal year. Write it like "
                        "“令和6年度(2024年度)” or “2024年度”."
                    )
                    % {"text": text},
                )
            elif fy not in years:
                self.add(
                    sheet.name,
                    sheet.cell(col, 1),
                    gettext("%(fy)s is outside the plan's period (FY%(first)s to FY%(last)s).")
                    % {"fy": fy_label(fy), "first": years[0], "last": years[-1]},
                )
            elif fy in out.values():
                self.add(
                    sheet.name,
                    sheet.cell(col, 1),
                    gettext("There are two columns for %(fy)s.") % {"fy": fy_label(fy)},
                )
            else:
                out[col] = fy
        return out

    # --- the plan sheet

    def read_plan(self) -> dict[str, Any] | None:
        if S_PLAN not in self.book.sheetnames:
            self.add(S_PLAN, "", missing_sheet(S_PLAN))
            return None
        found: dict[str, tuple[str, str]] = {}
        for row_index, cells in self.book.rows(S_PLAN, max_row=60):
            if row_index < 2 or 1 not in cells:
                continue
            label = cell_text(cells[1][0]).rstrip("*")
            value = cell_text(*cells[2]) if 2 in cells else ""
            found[label] = (value, f"B{row_index}")
        out: dict[str, Any] = {}
        for label, key in PLAN_FIELDS:
            name = label.rstrip("*")
            value, cell = found.get(name, ("", gettext("column %(column)s") % {"column": "A"}))
            self.where[f"plan.{key}"] = (S_PLAN, cell)
            if not value and label.endswith("*"):
                self.add(S_PLAN, cell, gettext("Enter the value of “%(field)s”.") % {"field": name})
            out[key] = (value, cell)
        return out

    def choice(self, sheet: str, cell: str, value: str, options: dict[str, str], what: str):
        reverse = {v: k for k, v in options.items()}
        if value in reverse:
            return reverse[value]
        if value in options:  # the code itself (up, council…) is accepted too
            return value
        allowed = gettext("・").join(options.values())
        self.add(
            sheet,
            cell,
            gettext("“%(value)s” cannot be used in “%(what)s”. Use one of %(allowed)s.")
            % {"value": value, "what": what, "allowed": allowed},
        )
        return None

    def fy(self, sheet: str, cell: str, value: str, what: str) -> int | None:
        if not value:
            return None
        fy = int(value) if value.isdigit() and len(value) == 4 else parse_fy(value)
        if fy is None or not 1900 <= fy <= 2200:
            self.add(
                sheet,
                cell,
                gettext(
                    "“%(value)s” in “%(what)s” cannot be read as a fiscal year. Write the "
                    "western year (2024)."
                )
                % {"value": value, "what": what},
            )
            return None
        return fy


# The plans a workbook may link to: plan slug → node keys, or a function giving them for the
# organization slug the workbook declares (called once, when its 計画 sheet has been read).
KnownSource = dict[str, set[str]] | Callable[[str], dict[str, set[str]]]


def read_workbook(
    data: bytes, known_plans: KnownSource | None = None, *, lean: bool = True
) -> WorkbookResult:
    """Read a workbook into a plan document; every problem comes back with its sheet and cell.

    known_plans maps the slugs of plans a workbook may link to (relations, goals) to their node
    keys, or gives them for the workbook's organization; the caller builds it from the database.
    Never raises on a bad file. Read by the lean cell reader (xlsx_cells, issue 16); `lean=False`
    reads it with openpyxl, as before (the tests compare both).
    """
    reader: _Reader | None = None
    try:
        with (opened_cells if lean else opened)(data) as book:
            reader = _Reader(book, {} if known_plans is None else known_plans)
            doc = _read(reader)
    except WorkbookFault as fault:
        found = reader.problems if reader is not None else []
        return WorkbookResult(None, [*found, CellProblem(fault.sheet, fault.cell, fault.message)])
    except Exception:  # a fault of ours on a strange file is still a message, never a 500
        log.exception("reading an uploaded plan workbook failed")
        return WorkbookResult(None, [CellProblem("", "", CANNOT_READ)])
    if reader.problems or doc is None:
        return WorkbookResult(None, reader.problems)
    for problem in validate(doc, reader.known):
        sheet, cell = _locate(reader.where, problem.where)
        reader.add(sheet, cell, problem.message)
    return WorkbookResult(None if reader.problems else doc, reader.problems)


def workbook_plan_keys(data: bytes) -> tuple[str, set[str]] | None:
    """The plan ID and node keys a workbook declares, without checking anything else.

    Lets several workbooks loaded together link to each other: each one's links are checked
    against the others' keys. None when the workbook cannot be read (read_workbook says why).
    """
    try:
        with opened_cells(data) as book:
            reader = _Reader(book, {})
            head = reader.read_plan()
            nodes = reader.sheet(S_NODES)
            if head is None or nodes is None or not head["slug"][0]:
                return None
            return head["slug"][0], {vals["キー"] for _row, vals in nodes.rows if vals.get("キー")}
    except Exception:  # read_workbook reports it
        return None


def _locate(where: dict[str, tuple[str, str]], path: str) -> tuple[str, str]:
    """The cell of the longest known prefix of a document path."""
    probe = path
    while probe:
        if probe in where:
            return where[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return "", ""


def unregistered_message(plan_id: str) -> str:
    """What to do when a workbook names a plan ID that is neither the organization's nor registered.

    Reads the same for every such ID, whether or not another organization has a plan under it.
    """
    return gettext(
        "No plan with the plan ID “%(plan)s” is among this organization's plans or the other "
        "plans it registered. For a plan of another body (city, prefecture, country), first "
        "register it under “Plans of other bodies” → “Register a plan” with its name, maker, "
        "kind, period and plan ID, then write that plan ID here. For a plan of your own "
        "organization, check the spelling of the plan ID."
    ) % {"plan": plan_id}


def missing_sheet(name: str) -> str:
    return gettext("The sheet “%(sheet)s” is missing. Copy it back from the template.") % {
        "sheet": name
    }


def bad_tag(tag: str) -> str:
    return lineage_format.not_allowed(tag, "区分", TAGS)


def _split(value: str) -> list[str]:
    return [p.strip() for p in LIST_SEP.split(value) if p.strip()]


def _body(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _read(r: _Reader) -> dict[str, Any] | None:
    head = r.read_plan()
    if head is not None and r.known_for is not None:
        r.known = r.known_for(head["org_slug"][0])
    sheets = {name: r.sheet(name) for name in COLUMNS}
    if head is None or any(s is None for s in sheets.values()):
        return None
    v = {k: val for k, (val, _cell) in head.items()}
    c = {k: cell for k, (_val, cell) in head.items()}
    org_kind = (
        r.choice(S_PLAN, c["org_kind"], v["org_kind"], ORG_KINDS, "組織の種類")
        if v["org_kind"]
        else None
    )
    kind = r.choice(S_PLAN, c["kind"], v["kind"], PLAN_KINDS, "計画の種類") if v["kind"] else None
    first_fy = r.fy(S_PLAN, c["first_fy"], v["first_fy"], "開始年度")
    last_fy = r.fy(S_PLAN, c["last_fy"], v["last_fy"], "終了年度")
    if v["slug"] and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", v["slug"]):
        r.add(
            S_PLAN,
            c["slug"],
            gettext(
                "Write the “計画ID” in lower-case letters, digits and hyphens (e.g. midori-plan-3)."
            ),
        )
    if v["org_slug"] and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", v["org_slug"]):
        r.add(
            S_PLAN,
            c["org_slug"],
            gettext("Write the “組織ID” in lower-case letters, digits and hyphens."),
        )
    if first_fy and last_fy and last_fy < first_fy:
        r.add(S_PLAN, c["last_fy"], gettext("The “終了年度” is before the “開始年度”."))
    level_names = _split(v["level_names"])
    depth = len(level_names)
    if first_fy is None or last_fy is None or last_fy < first_fy:
        return None
    years = list(range(first_fy, last_fy + 1))

    departments = []
    dept_names: list[str] = []
    s = sheets[S_DEPTS]
    for row, vals in s.rows:
        name = vals.get("部署名", "")
        if not name:
            r.add(S_DEPTS, s.cell("部署名", row), enter("部署名"))
            continue
        if name in dept_names:
            r.add(
                S_DEPTS,
                s.cell("部署名", row),
                gettext("The department “%(name)s” appears twice.") % {"name": name},
            )
            continue
        r.where[f"departments[{len(departments)}]"] = (S_DEPTS, s.cell("部署名", row))
        departments.append({"name": name, "parent": vals.get("上位部署") or None})
        dept_names.append(name)
    for i, d in enumerate(departments):
        if d["parent"] and d["parent"] not in dept_names:
            cell = r.where[f"departments[{i}]"][1]
            r.add(
                S_DEPTS,
                cell.replace("A", "B", 1),
                gettext("The parent department “%(name)s” is not on this sheet.")
                % {"name": d["parent"]},
            )

    def check_depts(sheet: _Sheet, column: str, row: int, names: list[str]) -> None:
        for name in names:
            if name not in dept_names:
                r.add(
                    sheet.name,
                    sheet.cell(column, row),
                    gettext(
                        "The department “%(name)s” is not on the sheet “%(sheet)s”. Add it "
                        "there, or correct the name."
                    )
                    % {"name": name, "sheet": S_DEPTS},
                )

    def bad_cell(sheet: _Sheet, row: int):
        """Report a problem of an optional (lineage) column of the row."""
        return lambda column, message: r.add(sheet.name, sheet.cell(column, row), message)

    relations = []
    s = sheets[S_RELATIONS]
    for row, vals in s.rows:
        rel = r.choice(S_RELATIONS, s.cell("関係", row), vals.get("関係", ""), RELATIONS, "関係")
        other = vals.get("計画ID", "")
        if not other:
            r.add(S_RELATIONS, s.cell("計画ID", row), enter("計画ID"))
        # With an organization, a relation names one of its plans, one it registered (他の計画)
        # or one it already names; any other ID reads alike, whoever has it (outside.py).
        referable = getattr(r.known, "referable", None)
        if other and referable is not None and other not in referable and other != v["slug"]:
            r.add(S_RELATIONS, s.cell("計画ID", row), unregistered_message(other))
            continue
        if rel and other:
            r.where[f"plan.relations[{len(relations)}]"] = (S_RELATIONS, s.cell("計画ID", row))
            relations.append({"type": rel, "plan": other})

    def sections_of(sheet: _Sheet, rows: list[tuple[int, dict[str, str]]], path: str) -> list[dict]:
        out = []
        for row, vals in rows:
            heading = vals.get("見出し", "")
            if not heading:
                r.add(sheet.name, sheet.cell("見出し", row), enter("見出し"))
                continue
            style_text = vals.get("形式", "") or STYLES["paragraphs"]
            style = r.choice(sheet.name, sheet.cell("形式", row), style_text, STYLES, "形式")
            r.where[f"{path}[{len(out)}]"] = (sheet.name, sheet.cell("見出し", row))
            out.append(
                {
                    "heading": heading,
                    "style": style or "paragraphs",
                    "body": _body(vals.get("本文", "")),
                }
            )
        return out

    plan_sections = sections_of(
        sheets[S_PLAN_SECTIONS], sheets[S_PLAN_SECTIONS].rows, "plan.sections"
    )

    issues = []
    s = sheets[S_ISSUES]
    for row, vals in s.rows:
        number = vals.get("番号", "")
        if not number.isdigit() or int(number) < 1:
            r.add(
                S_ISSUES,
                s.cell("番号", row),
                gettext("Write the “%(column)s” as a whole number, 1 or more.")
                % {"column": "番号"},
            )
            continue
        if not vals.get("福祉課題"):
            r.add(S_ISSUES, s.cell("福祉課題", row), enter("福祉課題"))
            continue
        issues.append(
            {
                "number": int(number),
                "title": vals["福祉課題"],
                "voices": _body(vals.get("市民の声", "")),
            }
        )

    shared = []
    shared_keys: list[str] = []
    s = sheets[S_SHARED]
    for row, vals in s.rows:
        key = vals.get("共通キー", "")
        if not key or not vals.get("内容"):
            r.add(
                S_SHARED,
                s.cell("共通キー" if not key else "内容", row),
                gettext("Enter both the “共通キー” and the “内容”."),
            )
            continue
        if key in shared_keys:
            r.add(
                S_SHARED,
                s.cell("共通キー", row),
                gettext("The shared key “%(key)s” appears twice.") % {"key": key},
            )
            continue
        tag = vals.get("区分", "")
        if tag and tag not in TAGS:
            r.add(
                S_SHARED,
                s.cell("区分", row),
                bad_tag(tag),
            )
        shared_keys.append(key)
        r.where[f"plan.shared_contents[{len(shared)}]"] = (S_SHARED, s.cell("共通キー", row))
        shared.append(
            {
                "key": key,
                "label": vals.get("番号", ""),
                "text": vals["内容"],
                "tag": tag if tag in TAGS else "",
            }
        )

    evaluations = []
    s = sheets[S_EVALUATIONS]
    for row, vals in s.rows:
        if not vals.get("事業項目"):
            r.add(S_EVALUATIONS, s.cell("事業項目", row), enter("事業項目"))
            continue
        evaluations.append(
            {
                "goal": vals.get("基本目標", ""),
                "category": vals.get("事業区分", ""),
                "item": vals["事業項目"],
                "followup": vals.get("その後の取組", ""),
                "evaluation": vals.get("評価・課題", ""),
                "status": vals.get("状況", ""),
                **lineage_format.read_evaluation(vals, bad_cell(s, row)),
            }
        )

    # The tree.
    s = sheets[S_NODES]
    if len(s.rows) > MAX_NODES:
        r.add(
            S_NODES,
            row_label(s.rows[MAX_NODES][0]),
            gettext("The tree has too many rows (%(max)s at most). Split the plan or remove rows.")
            % {"max": f"{MAX_NODES:,}"},
        )
        return None
    nodes: dict[str, dict] = {}
    node_rows: dict[str, int] = {}
    parents: dict[str, str] = {}
    order: list[str] = []
    for row, vals in s.rows:
        key = vals.get("キー", "")
        if not key:
            r.add(S_NODES, s.cell("キー", row), gettext("Enter a “キー” (e.g. 1, 1-1)."))
            continue
        if re.search(r"[/?#\s]", key) or len(key) > 100:
            r.add(
                S_NODES,
                s.cell("キー", row),
                gettext("The key “%(key)s” must not hold spaces or / ? #.") % {"key": key[:100]},
            )
            continue
        if key in nodes:
            r.add(
                S_NODES,
                s.cell("キー", row),
                gettext("The key “%(key)s” appears twice (in row %(row)s too).")
                % {"key": key, "row": node_rows[key]},
            )
            continue
        if not vals.get("タイトル"):
            r.add(S_NODES, s.cell("タイトル", row), enter("タイトル"))
        sdgs = []
        for part in _split(vals.get("SDGs", "")):
            if part.isdigit() and 1 <= int(part) <= 17:
                sdgs.append(int(part))
            else:
                r.add(
                    S_NODES,
                    s.cell("SDGs", row),
                    gettext("Write the SDGs “%(value)s” as numbers from 1 to 17.")
                    % {"value": part},
                )
        depts = _split(vals.get("担当部署", ""))
        check_depts(s, "担当部署", row, depts)
        nodes[key] = {
            "key": key,
            "level": 0,
            "label": vals.get("番号", ""),
            "title": vals.get("タイトル", ""),
            "subtitle": vals.get("サブタイトル", ""),
            "sections": [],
            "departments": depts,
            "kinds": _split(vals.get("種別", "")),
            "sdgs": sdgs,
            "contents": [],
            "indicators": [],
            "children": [],
            **lineage_format.read_node(vals, bad_cell(s, row)),
        }
        node_rows[key] = row
        parents[key] = vals.get("上位キー", "")
        order.append(key)
        level_text = vals.get("階層", "")
        if level_text and not level_text.isdigit():
            r.add(
                S_NODES,
                s.cell("階層", row),
                gettext("Write the “階層” as a number (1 is the top)."),
            )
        nodes[key]["_level_text"] = level_text
    roots = []
    for key in order:
        parent = parents[key]
        row = node_rows[key]
        if parent and parent not in nodes:
            r.add(
                S_NODES,
                s.cell("上位キー", row),
                gettext("There is no row for the parent key “%(key)s”.") % {"key": parent},
            )
            continue
        (nodes[parent]["children"] if parent else roots).append(nodes[key])
    # Levels from the root down, without recursion (a parent chain may be thousands long);
    # a cycle leaves nodes unreachable, a chain deeper than MAX_NODE_DEPTH is cut and reported.
    reached: set[str] = set()
    stack: list[tuple[dict, int]] = [(node, 1) for node in reversed(roots)]
    while stack:
        node, level = stack.pop()
        reached.add(node["key"])
        row = node_rows[node["key"]]
        given = node.pop("_level_text", "")
        if level > MAX_NODE_DEPTH:
            r.add(
                S_NODES,
                s.cell("上位キー", row),
                gettext(
                    "The tree is too deep (%(max)s levels at most): following the “上位キー”, "
                    "this row is at level %(level)s. Correct the “上位キー”."
                )
                % {"max": MAX_NODE_DEPTH, "level": level},
            )
            below = list(node["children"])
            while below:  # the rest of the chain is reported once, here
                child = below.pop()
                reached.add(child["key"])
                child.pop("_level_text", None)
                below.extend(child["children"])
            continue
        if given.isdigit() and int(given) != level:
            r.add(
                S_NODES,
                s.cell("階層", row),
                gettext(
                    "The “階層” is %(given)s, but the “上位キー” puts the row at %(level)s. "
                    "Leave it empty, or correct the “上位キー”."
                )
                % {"given": given, "level": level},
            )
        if level > depth > 0:  # no level names: reported once on the plan sheet
            r.add(
                S_NODES,
                s.cell("上位キー", row),
                gettext(
                    "This plan has %(depth)s levels (%(names)s), so nothing can be at level "
                    "%(level)s."
                )
                % {"depth": depth, "names": gettext("、").join(level_names), "level": level},
            )
        node["level"] = level
        stack.extend((child, level + 1) for child in reversed(node["children"]))
    for key in order:
        if key not in reached and (not parents[key] or parents[key] in nodes):
            r.add(
                S_NODES,
                s.cell("上位キー", node_rows[key]),
                gettext("Following the “上位キー” leads back to this row."),
            )
            nodes[key].pop("_level_text", None)

    def node_for(sheet: _Sheet, row: int, key: str) -> dict | None:
        if key not in nodes:
            r.add(
                sheet.name,
                sheet.cell("キー", row),
                gettext("The key “%(key)s” is not on the sheet “%(sheet)s”.")
                % {"key": key, "sheet": S_NODES},
            )
            return None
        return nodes[key]

    # Sections of nodes.
    s = sheets[S_SECTIONS]
    by_node: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for row, vals in s.rows:
        key = vals.get("キー", "")
        if node_for(s, row, key) is not None:
            by_node.setdefault(key, []).append((row, vals))
    section_rows = by_node

    # Contents and their schedules.
    s = sheets[S_CONTENTS]
    fy_cols = r.fy_columns(s, years)
    current: dict | None = None
    content_cells: dict[int, tuple[str, str]] = {}

    def spans_from(row: int, vals: dict[str, Any], track: str) -> list[dict]:
        extra = vals.get("__extra__", {})
        spans: list[dict] = []
        for col, fy in sorted(fy_cols.items(), key=lambda x: x[1]):
            text = extra.get(col, "")
            if not text:
                continue
            if text == CONTINUES:
                if spans and spans[-1]["to"] == fy - 1:
                    spans[-1]["to"] = fy
                else:
                    r.add(
                        s.name,
                        s.cell(col, row),
                        gettext("“%(mark)s” has no period on its left to continue.")
                        % {"mark": CONTINUES},
                    )
            else:
                spans.append({"track": track, "from": fy, "to": fy, "phase": text})
        return spans

    for row, vals in s.rows:
        key = vals.get("キー", "")
        track = vals.get("系列", "")
        if not key and not vals.get("内容"):
            if current is None or not track:
                r.add(
                    s.name,
                    s.cell("系列", row),
                    gettext(
                        "A row with an empty “キー” and “内容” is another track of the content "
                        "above. Enter its “系列”."
                    ),
                )
                continue
            if any(sp["track"] == track for sp in current["schedule"]):
                r.add(
                    s.name,
                    s.cell("系列", row),
                    gettext("The track “%(track)s” appears twice in the same content.")
                    % {"track": track},
                )
            current["schedule"].extend(spans_from(row, vals, track))
            continue
        node = node_for(s, row, key)
        if not vals.get("内容"):
            r.add(s.name, s.cell("内容", row), enter("内容"))
        tag = vals.get("区分", "")
        if tag and tag not in TAGS:
            r.add(
                s.name,
                s.cell("区分", row),
                bad_tag(tag),
            )
        repost = vals.get("再掲", "")
        if repost not in ("", YES, "〇", "再掲"):
            r.add(
                s.name,
                s.cell("再掲", row),
                gettext("Write “%(yes)s” in “再掲”, or leave it empty.") % {"yes": YES},
            )
        shared_key = vals.get("共通キー", "")
        if shared_key and shared_key not in shared_keys:
            r.add(
                s.name,
                s.cell("共通キー", row),
                gettext("The shared key “%(key)s” is not on the sheet “%(sheet)s”.")
                % {"key": shared_key, "sheet": S_SHARED},
            )
        goals = []
        for part in _split(vals.get("結び付く目標", "")):
            plan_slug, _sep, node_key = part.partition(":")
            if not node_key:
                r.add(
                    s.name,
                    s.cell("結び付く目標", row),
                    gettext("Write “%(value)s” as “計画ID:キー”.") % {"value": part},
                )
                continue
            plan_slug, node_key = plan_slug.strip(), node_key.strip()
            # Only the uploader's own plans are known (plans/links.py): a link elsewhere is a
            # reference, accepted without saying whether that plan or goal exists.
            keys = set(nodes) if plan_slug == v["slug"] else r.known.get(plan_slug)
            if keys is not None and node_key not in keys:
                r.add(
                    s.name,
                    s.cell("結び付く目標", row),
                    gettext("The plan “%(plan)s” has no key “%(key)s”.")
                    % {"plan": plan_slug, "key": node_key},
                )
            goals.append({"plan": plan_slug, "node": node_key})
        current = {
            "label": vals.get("番号", ""),
            "text": vals.get("内容", ""),
            "tag": tag if tag in TAGS else "",
            "repost": repost in (YES, "〇", "再掲"),
            "shared": shared_key or None,
            "goals": goals,
            "schedule": [],
            "note": vals.get("備考", ""),
            **lineage_format.read_content(vals, bad_cell(s, row)),
        }
        current["schedule"].extend(spans_from(row, vals, track))
        if node is not None:
            content_cells[id(current)] = (s.cell("内容", row), s.cell("結び付く目標", row))
            node["contents"].append(current)

    # Indicators.
    s = sheets[S_INDICATORS]
    target_cols = r.fy_columns(s, years)
    indicators: dict[str, dict] = {}
    for row, vals in s.rows:
        node = node_for(s, row, vals.get("キー", ""))
        ikey = vals.get("指標キー", "")
        if not ikey:
            r.add(s.name, s.cell("指標キー", row), enter("指標キー"))
            continue
        if ikey in indicators:
            r.add(
                s.name,
                s.cell("指標キー", row),
                gettext("The indicator key “%(key)s” appears twice.") % {"key": ikey},
            )
            continue
        if not vals.get("指標名"):
            r.add(s.name, s.cell("指標名", row), enter("指標名"))
        direction_text = vals.get("方向", "") or DIRECTIONS["none"]
        direction = r.choice(s.name, s.cell("方向", row), direction_text, DIRECTIONS, "方向")
        dept = vals.get("担当部署", "")
        if dept:
            check_depts(s, "担当部署", row, [dept])
        baseline = None
        if vals.get("現状値"):
            bfy = r.fy(
                s.name, s.cell("現状値の年度", row), vals.get("現状値の年度", ""), "現状値の年度"
            )
            if bfy is None and not vals.get("現状値の年度"):
                r.add(s.name, s.cell("現状値の年度", row), enter("現状値の年度"))
            as_of = vals.get("基準日", "") or None
            if as_of:
                try:
                    dt.date.fromisoformat(as_of)
                except ValueError:
                    r.add(
                        s.name,
                        s.cell("基準日", row),
                        gettext(
                            "“%(value)s” in “基準日” cannot be read as a date. Write it like "
                            "2024-03-31."
                        )
                        % {"value": as_of},
                    )
            baseline = {
                "fy": bfy or 0,
                "value": vals["現状値"],
                "label": vals.get("現状値の見出し", ""),
                "estimate": vals.get("見込み", "") in (YES, "〇"),
                "as_of": as_of,
            }
        extra = vals.get("__extra__", {})
        targets = [
            {"fy": fy, "value": extra[col]}
            for col, fy in sorted(target_cols.items(), key=lambda x: x[1])
            if extra.get(col)
        ]
        indicator = {
            "key": ikey,
            "label": vals.get("番号", ""),
            "name": vals.get("指標名", ""),
            "unit": vals.get("単位", ""),
            "direction": direction or "none",
            "department": dept,
            "baseline": baseline,
            "targets": targets,
            "actuals": [],
            "reports": [],
            "notes": vals.get("備考", ""),
            **lineage_format.read_indicator(vals, bad_cell(s, row)),
        }
        indicators[ikey] = indicator
        r.where[f"indicator:{ikey}"] = (s.name, s.cell("指標キー", row))
        if node is not None:
            node["indicators"].append(indicator)

    for sheet_name, field_name, value_col in (
        (S_ACTUALS, "actuals", "実績値"),
        (S_REPORTS, "reports", None),
    ):
        s = sheets[sheet_name]
        for row, vals in s.rows:
            ikey = vals.get("指標キー", "")
            if ikey not in indicators:
                r.add(
                    s.name,
                    s.cell("指標キー", row),
                    gettext("The indicator key “%(key)s” is not on the sheet “%(sheet)s”.")
                    % {"key": ikey, "sheet": S_INDICATORS},
                )
                continue
            fy = r.fy(s.name, s.cell("年度", row), vals.get("年度", ""), "年度")
            if fy is None:
                if not vals.get("年度"):
                    r.add(s.name, s.cell("年度", row), enter("年度"))
                continue
            if any(x["fy"] == fy for x in indicators[ikey][field_name]):
                r.add(
                    s.name,
                    s.cell("年度", row),
                    gettext("%(fy)s appears twice for the same indicator.") % {"fy": fy_label(fy)},
                )
                continue
            if value_col:
                if not vals.get(value_col):
                    r.add(s.name, s.cell(value_col, row), enter(value_col))
                    continue
                indicators[ikey]["actuals"].append(
                    {"fy": fy, "value": vals[value_col], "note": vals.get("備考", "")}
                )
            else:
                indicators[ikey]["reports"].append(
                    {"fy": fy, "done": vals.get("取組状況", ""), "next": vals.get("今後の展開", "")}
                )
    for ind in indicators.values():
        ind["actuals"].sort(key=lambda x: x["fy"])
        ind["reports"].sort(key=lambda x: x["fy"])

    for key, rows in section_rows.items():
        nodes[key]["sections"] = sections_of(sheets[S_SECTIONS], rows, f"node:{key}.sections")

    if not v["title"] or not v["slug"] or not v["org_slug"] or not v["org_name"] or not depth:
        return None
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "organization": {
            "slug": v["org_slug"],
            "name": v["org_name"],
            "kind": org_kind or "council",
        },
        "departments": departments,
        "plan": {
            "slug": v["slug"],
            "title": v["title"],
            "kind": kind or "other",
            "first_fy": first_fy,
            "last_fy": last_fy,
            "philosophy": v["philosophy"],
            "level_names": level_names,
            **lineage_format.read_status(
                v["status"], lambda _col, message: r.add(S_PLAN, c["status"], message)
            ),
            "relations": relations,
            "sections": plan_sections,
            "welfare_issues": issues,
            "shared_contents": shared,
            "previous_evaluations": evaluations,
            "nodes": roots,
        },
    }
    _register_paths(r, doc, node_rows, content_cells)
    return doc


def _register_paths(
    r: _Reader, doc: dict, node_rows: dict[str, int], content_cells: dict[int, tuple[str, str]]
) -> None:
    """Record the cell of every node, content and indicator under its document path."""

    stack: list[tuple[list[dict], str]] = [(doc["plan"]["nodes"], "plan.nodes")]
    while stack:  # no recursion: the tree's depth comes from the file
        items, path = stack.pop()
        for i, node in enumerate(items):
            here = f"{path}[{i}]"
            r.where[here] = (S_NODES, f"A{node_rows[node['key']]}")
            r.where[f"{here}.departments"] = (S_NODES, f"G{node_rows[node['key']]}")
            for j, _section in enumerate(node["sections"]):
                found = r.where.get(f"node:{node['key']}.sections[{j}]")
                if found:
                    r.where[f"{here}.sections[{j}]"] = found
            for j, content in enumerate(node["contents"]):
                cells = content_cells.get(id(content))
                if cells:
                    r.where[f"{here}.contents[{j}]"] = (S_CONTENTS, cells[0])
                    r.where[f"{here}.contents[{j}].goals"] = (S_CONTENTS, cells[1])
            for j, indicator in enumerate(node["indicators"]):
                found = r.where.get(f"indicator:{indicator['key']}")
                if found:
                    r.where[f"{here}.indicators[{j}]"] = found
            stack.append((node["children"], f"{here}.children"))
