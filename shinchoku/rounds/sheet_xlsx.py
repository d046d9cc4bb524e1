"""A department's progress sheet as an Excel workbook: download pre-filled, upload back.

`write_sheet` builds the workbook from services.sheet(report): one sheet per kind of row
(実施内容, 指標, 項目の評価), input cells unlocked and yellow, everything else locked, and a hidden
sheet of identifiers holding every input cell's key and its value as downloaded. `read_sheet`
reads a file back (after xlsx_safety checked it) without touching the database.
`apply_upload` compares each input cell three ways (downloaded / in the file / stored now),
lists problems with sheet and cell in Japanese, refuses conflicts, and writes the rest through
services.save in one transaction. The format is documented in docs/sheet.md.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from shinchoku.core.values import YEN_UNITS, compatible, parse_value
from shinchoku.core.wareki import fy_label
from shinchoku.plans.workbook import CellProblem, cell_text
from shinchoku.plans.xlsx_safety import UnsafeWorkbook, check_xlsx
from shinchoku.rounds import services
from shinchoku.rounds.models import PlanSettings, Report

FORMAT = "shinchoku-progress-sheet"
FORMAT_VERSION = 1

S_GUIDE = "説明"
S_CONTENTS = "実施内容"
S_INDICATORS = "指標"
S_ITEMS = "項目の評価"
S_LISTS = "リスト"
S_IDS = "識別情報"
DATA_SHEETS = (S_CONTENTS, S_INDICATORS, S_ITEMS)

HEADER_ROW = 3  # rows 1–2: title and hint; row 3: headings; data from row 4
FIRST_ROW = HEADER_ROW + 1
MAX_ACTUAL = 300  # IndicatorEntry.actual

ITEM, CONTENT, INDICATOR = "item", "content", "indicator"
FIELDS = {
    ITEM: ("done", "next", "evaluation"),
    CONTENT: ("status", "note"),
    INDICATOR: ("actual", "done", "next", "note"),
}
FIELD_NAMES = {
    "done": "取組状況",
    "next": "今後の展開",
    "evaluation": "自己評価",
    "status": "状況",
    "note": "備考",
    "actual": "実績",
}
KIND_NAMES = {ITEM: "項目", CONTENT: "実施内容", INDICATOR: "指標"}

# Identifiers: meta labels in column A/B, input cells in D–I, locked rows in K–N.
META = [
    ("形式", "format"),
    ("形式の版", "format_version"),
    ("計画ID", "plan"),
    ("計画名", "plan_title"),
    ("年度", "fy"),
    ("部署ID", "department_id"),
    ("部署名", "department"),
    ("調査票ID", "report_id"),
    ("ダウンロード時の版", "version"),
    ("ダウンロード日時", "downloaded"),
]
INPUT_HEADERS = ["シート", "セル", "種類", "キー", "欄", "ダウンロード時の値"]
ROW_HEADERS = ["シート", "行", "キー", "固定欄の値"]
INPUT_COL = 4  # D
ROW_COL = 11  # K

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="FFE699")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TOP_WRAP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class InputCell:
    """One input cell of a sheet: where it is, what it holds, and its value as downloaded."""

    sheet: str
    cell: str
    kind: str  # item | content | indicator
    key: str  # node key; "node#position" for a content; indicator key
    field: str
    downloaded: str
    value: str = ""  # as read from the uploaded file


@dataclass
class SheetFile:
    """What read_sheet found in a file: its identifiers and input cells, or problems."""

    meta: dict[str, str] = field(default_factory=dict)
    cells: list[InputCell] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)


@dataclass(frozen=True)
class Conflict:
    """A cell changed in the file and, differently, in the stored sheet since the download."""

    sheet: str
    cell: str
    label: str
    yours: str
    stored: str
    downloaded: str
    by: str


@dataclass
class UploadResult:
    """saved | unchanged | problems | conflicts, with what goes with it."""

    status: str
    problems: list[CellProblem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # labels of the cells written
    report: Report | None = None


def _xml_text(text: str) -> str:
    """Text a workbook can hold: control characters XML forbids (a vertical tab pasted from
    PowerPoint, a form feed) would make openpyxl refuse to write; \\v and \\f become a line break."""
    text = text.replace("\v", "\n").replace("\f", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _norm(value: Any) -> str:
    text = "" if value is None else _xml_text(str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "").strip()


def content_key(node_key: str, position: int) -> str:
    return f"{node_key}#{position}"


def row_key(kind: str, key: str) -> str:
    """The text of the hidden column A that says which row this is."""
    return f"{kind}:{key}"


def sheet_filename(report: Report) -> str:
    return f"進捗状況調査票_{report.round.fy}年度_{report.department.name}.xlsx"


# --------------------------------------------------------------------------- writing


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _scale_text(scale: list[dict]) -> str:
    return "\n".join(f"{s['code']} {s.get('name', '')}: {s.get('definition', '')}" for s in scale)


class _Writer:
    def __init__(self, report: Report):
        self.report = report
        self.round = report.round
        self.plan = report.round.plan
        self.fy = report.round.fy
        self.settings = PlanSettings.of(self.plan)
        self.wb = Workbook()
        self.inputs: list[list[Any]] = []
        self.rows: list[list[Any]] = []

    def title(self, ws: Any, what: str) -> None:
        ws.cell(
            row=1,
            column=2,
            value=f"{self.plan.title}　{fy_label(self.fy)} 進捗状況調査票（{what}）",
        ).font = Font(bold=True, size=14)
        ws.cell(
            row=2,
            column=2,
            value=f"担当部署: {self.report.department.name}　"
            f"提出期限: {_day(self.round.deadline)}　"
            "黄色のセルに入力してください。ほかのセルは変更できません。",
        )

    def headers(self, ws: Any, headers: list[tuple[str, int, bool]]) -> None:
        """(text, width, is_input) per column from B; column A is the hidden key column."""
        ws.cell(row=HEADER_ROW, column=1, value="キー")
        ws.column_dimensions["A"].hidden = True
        for col, (text, width, is_input) in enumerate(headers, start=2):
            cell = ws.cell(row=HEADER_ROW, column=col, value=text)
            cell.font = Font(bold=True)
            cell.fill = INPUT_HEADER_FILL if is_input else HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True, horizontal="center")
            cell.border = BOX
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.row_dimensions[HEADER_ROW].height = 36

    def row(
        self, ws: Any, r: int, kind: str, key: str, fixed: list[Any], inputs: list[tuple[str, str]]
    ) -> None:
        """Write one data row: fixed (locked) values from B, then the input cells."""
        ws.cell(row=r, column=1, value=row_key(kind, key))
        col = 2
        locked = []
        for value in fixed:
            text = "" if value is None else _xml_text(str(value))
            cell = ws.cell(row=r, column=col, value=text or None)
            cell.number_format = "@"
            cell.alignment = TOP_WRAP
            cell.border = BOX
            locked.append(text)
            col += 1
        for name, raw in inputs:
            value = _xml_text(raw or "")
            cell = ws.cell(row=r, column=col, value=value or None)
            cell.number_format = "@"  # text: Excel must not turn 1-1 into a date
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
            cell.alignment = TOP_WRAP
            cell.border = BOX
            self.inputs.append([ws.title, cell.coordinate, kind, key, name, value])
            col += 1
        self.rows.append([ws.title, r, row_key(kind, key), json.dumps(locked, ensure_ascii=False)])

    def finish(self, ws: Any, n_cols: int, last_row: int) -> None:
        ws.freeze_panes = ws.cell(row=FIRST_ROW, column=4)
        ws.protection.sheet = True  # a guard against accidents, no password
        ws.protection.formatColumns = False  # widths and heights may still be changed
        ws.protection.formatRows = False
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.print_area = f"B1:{get_column_letter(n_cols + 1)}{max(last_row, HEADER_ROW)}"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddHeader.right.text = f"{self.report.department.name}　{fy_label(self.fy)}"
        ws.oddFooter.center.text = "&P / &N"

    def validation(self, ws: Any, formula: str, cells: list[str], prompt: str = "") -> None:
        if not cells:
            return
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.showErrorMessage = True
        dv.errorTitle = "入力できない値です"
        dv.error = "一覧から選んでください。"
        if prompt:
            dv.showInputMessage = True
            dv.promptTitle = "自己評価"
            dv.prompt = prompt[:250]
        for cell in cells:
            dv.add(cell)
        ws.add_data_validation(dv)

    # --- sheets

    def guide(self, lines: list[services.ItemLines]) -> None:
        ws = self.wb.active
        ws.title = S_GUIDE
        dept = self.report.department
        rows: list[list[Any]] = [
            [f"{fy_label(self.fy)} 進捗状況調査票"],
            [],
            ["計画", self.plan.title],
            ["年度", fy_label(self.fy)],
            ["担当部署", dept.name],
            ["提出期限", f"{_day(self.round.deadline)}"],
            [
                "件数",
                f"項目 {len(lines)}件、実施内容 {sum(len(i.contents) for i in lines)}件、"
                f"指標 {sum(len(i.indicators) for i in lines)}件",
            ],
            [],
            ["入力のしかた"],
            ["1", "黄色のセルに入力します。ほかのセルは保護されていて変更できません。"],
            [
                "2",
                f"「{S_CONTENTS}」シート: 実施内容ごとに、今年度の予定に対する状況を"
                "一覧から選びます。",
            ],
            [
                "3",
                f"「{S_INDICATORS}」シート: 指標ごとに、今年度の実績と取組状況・"
                "今後の展開を書きます。",
            ],
            [
                "4",
                "実績は単位を付けて書けます（例: 1,234人）。単位は指標の単位と同じにします。"
                "金額は千円・万円・円のどれでも書けます。",
            ],
            ["5", f"「{S_ITEMS}」シート: 項目ごとに、取組状況・今後の展開と自己評価を書きます。"],
            [
                "6",
                "保存したファイルを調査票の画面からアップロードします。"
                "問題があるときは何も保存されず、シートとセルを示して知らせます。",
            ],
            [
                "7",
                "ダウンロードした後に画面で別の人が同じ欄を変えていたときは、"
                "どちらを残すか確かめられるよう、何も保存しません。",
            ],
            [
                "8",
                f"シートや行を追加・削除しないでください。「{S_IDS}」シート（非表示）は"
                "読み込みに使います。",
            ],
            [],
            ["状況の選択肢", "・".join(self.settings.content_statuses)],
            [],
            ["自己評価の基準"],
            ["評価", "名称", "定義"],
        ]
        for s in self.settings.evaluation_scale:
            rows.append([s["code"], s.get("name", ""), s.get("definition", "")])
        for row in rows:
            ws.append(row)
        ws["A1"].font = Font(bold=True, size=14)
        for row in ws.iter_rows(min_col=1, max_col=1):
            if row[0].value in ("入力のしかた", "状況の選択肢", "自己評価の基準"):
                row[0].font = Font(bold=True)
        scale_header = ws.max_row - len(self.settings.evaluation_scale)
        for col in range(1, 4):
            cell = ws.cell(row=scale_header, column=col)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        ws.column_dimensions["A"].width = 16
        ws.column_dimensions["B"].width = 90
        ws.column_dimensions["C"].width = 50
        for row in ws.iter_rows():
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.protection.sheet = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    def lists(self) -> dict[str, str]:
        ws = self.wb.create_sheet(S_LISTS)
        statuses = list(self.settings.content_statuses)
        codes = [s["code"] for s in self.settings.evaluation_scale]
        ws["A1"], ws["B1"] = "状況", "自己評価"
        for i, s in enumerate(statuses, start=2):
            ws.cell(row=i, column=1, value=s)
        for i, c in enumerate(codes, start=2):
            ws.cell(row=i, column=2, value=c)
        ws.sheet_state = "hidden"
        ws.protection.sheet = True
        return {
            "status": f"'{S_LISTS}'!$A$2:$A${max(len(statuses), 1) + 1}",
            "evaluation": f"'{S_LISTS}'!$B$2:$B${max(len(codes), 1) + 1}",
        }

    def contents(self, lines: list[services.ItemLines], ranges: dict[str, str]) -> None:
        ws = self.wb.create_sheet(S_CONTENTS)
        headers = [
            ("番号", 8, False),
            ("項目", 28, False),
            ("No.", 6, False),
            ("実施内容", 50, False),
            ("区分", 10, False),
            (f"{fy_label(self.fy)}の予定", 14, False),
            ("状況", 14, True),
            ("備考", 40, True),
        ]
        self.title(ws, S_CONTENTS)
        self.headers(ws, headers)
        r = FIRST_ROW
        status_cells = []
        for item in lines:
            for c in item.contents:
                self.row(
                    ws,
                    r,
                    CONTENT,
                    content_key(item.node.key, c.position),
                    [
                        item.node.label,
                        item.node.title,
                        c.content.label or str(c.position),
                        c.content.text,
                        c.content.effective_tag,
                        c.planned or "―",
                    ],
                    [("status", c.status), ("note", c.note)],
                )
                status_cells.append(f"H{r}")
                r += 1
        self.validation(ws, ranges["status"], status_cells)
        self.finish(ws, len(headers), r - 1)

    def indicators(self, lines: list[services.ItemLines]) -> None:
        ws = self.wb.create_sheet(S_INDICATORS)
        years = list(range(self.plan.first_fy, self.fy))
        headers = [
            ("番号", 8, False),
            ("項目", 24, False),
            ("指標", 28, False),
            ("単位", 8, False),
            ("現状値", 18, False),
            *[(f"実績\n{fy_label(y)}", 14, False) for y in years],
            (f"目標\n{fy_label(self.fy)}", 14, False),
            ("最終目標", 14, False),
            (f"実績\n{fy_label(self.fy)}", 16, True),
            ("取組状況", 40, True),
            ("今後の展開", 40, True),
            ("備考", 24, True),
        ]
        self.title(ws, S_INDICATORS)
        self.headers(ws, headers)
        r = FIRST_ROW
        for item in lines:
            for ln in item.indicators:
                earlier = dict(ln.earlier)
                ind = ln.indicator
                self.row(
                    ws,
                    r,
                    INDICATOR,
                    ind.key,
                    [
                        item.node.label,
                        item.node.title,
                        f"{ind.label} {ind.name}".strip(),
                        ind.unit,
                        ln.baseline,
                        *[earlier.get(y, "") for y in years],
                        ln.target,
                        ln.final,
                    ],
                    [
                        ("actual", ln.actual),
                        ("done", ln.done),
                        ("next", ln.next),
                        ("note", ln.note),
                    ],
                )
                r += 1
        self.finish(ws, len(headers), r - 1)

    def items(self, lines: list[services.ItemLines], ranges: dict[str, str]) -> None:
        ws = self.wb.create_sheet(S_ITEMS)
        headers = [
            ("番号", 8, False),
            ("項目", 36, False),
            ("実施内容・指標", 14, False),
            ("取組状況", 50, True),
            ("今後の展開", 50, True),
            ("自己評価", 10, True),
        ]
        self.title(ws, S_ITEMS)
        self.headers(ws, headers)
        r = FIRST_ROW
        cells = []
        for item in lines:
            self.row(
                ws,
                r,
                ITEM,
                item.node.key,
                [
                    item.node.label,
                    item.node.title,
                    f"実施内容 {len(item.contents)}\n指標 {len(item.indicators)}",
                ],
                [("done", item.done), ("next", item.next), ("evaluation", item.evaluation)],
            )
            cells.append(f"G{r}")
            r += 1
        self.validation(
            ws, ranges["evaluation"], cells, _scale_text(self.settings.evaluation_scale)
        )
        # The scale's definitions beside the table, for the screen and the printout.
        col = 9
        ws.cell(row=HEADER_ROW, column=col, value="自己評価の基準").font = Font(bold=True)
        for i, s in enumerate(self.settings.evaluation_scale, start=FIRST_ROW):
            ws.cell(row=i, column=col, value=f"{s['code']} {s.get('name', '')}")
            ws.cell(row=i, column=col + 1, value=s.get("definition", ""))
        ws.column_dimensions[get_column_letter(col)].width = 14
        ws.column_dimensions[get_column_letter(col + 1)].width = 36
        self.finish(ws, len(headers), r - 1)

    def identifiers(self) -> None:
        ws = self.wb.create_sheet(S_IDS)
        report, dept = self.report, self.report.department
        values = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "plan": self.plan.slug,
            "plan_title": self.plan.title,
            "fy": self.fy,
            "department_id": dept.pk,
            "department": dept.name,
            "report_id": report.pk,
            "version": report.version,
            "downloaded": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for i, (label, key) in enumerate(META, start=1):
            ws.cell(row=i, column=1, value=label)
            ws.cell(row=i, column=2, value=values[key])
        for offset, rows, headers in (
            (INPUT_COL, self.inputs, INPUT_HEADERS),
            (ROW_COL, self.rows, ROW_HEADERS),
        ):
            for j, h in enumerate(headers):
                ws.cell(row=1, column=offset + j, value=h)
            for i, row in enumerate(rows, start=2):
                for j, value in enumerate(row):
                    ws.cell(row=i, column=offset + j, value=value if value != "" else None)
        ws.sheet_state = "hidden"
        ws.protection.sheet = True

    def build(self) -> bytes:
        lines = services.sheet(self.report)
        self.guide(lines)
        ranges = self.lists()
        self.contents(lines, ranges)
        self.indicators(lines)
        self.items(lines, ranges)
        self.identifiers()
        # Sheets cannot be added, removed or unhidden without unprotecting the book (no password).
        self.wb.security = WorkbookProtection(lockStructure=True)
        self.wb.active = 0
        self.wb.properties.creator = "Shinchoku"
        self.wb.properties.title = (
            f"{fy_label(self.fy)} 進捗状況調査票 {self.report.department.name}"
        )
        _no_formulas(self.wb)
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()


def _no_formulas(wb: Workbook) -> None:
    """Every value is written as text or a number, never as a formula: openpyxl takes a string
    starting with "=" for one, so a stored 備考 "=1+1" (or "=HYPERLINK(…)") would be evaluated
    by Excel and LibreOffice, read back as its result and reported as changed."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def write_sheet(report: Report) -> bytes:
    """The department's sheet for the round, pre-filled with what is stored now."""
    return _Writer(report).build()


# --------------------------------------------------------------------------- reading


def _grid(ws: Any) -> dict[tuple[int, int], str]:
    """Every non-empty cell of a read-only sheet as text, by (row, column)."""
    try:
        ws.reset_dimensions()  # files saved by other programs may declare a wrong size
    except AttributeError:
        pass
    out: dict[tuple[int, int], str] = {}
    for r, row in enumerate(ws.iter_rows(), start=1):
        for c, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if value is not None:
                text = cell_text(value, getattr(cell, "number_format", "General"))
                if text != "":
                    out[(r, c)] = text
    return out


NOT_A_SHEET = (
    "進捗状況調査票のファイルではありません。"
    "調査票の画面からダウンロードしたファイルに入力して、アップロードしてください。"
)


def read_sheet(data: bytes) -> SheetFile:
    """Read an uploaded sheet: identifiers and input cells, or problems; never raises."""
    result = SheetFile()
    try:
        check_xlsx(data)
    except UnsafeWorkbook as exc:
        result.problems.append(CellProblem("", "", str(exc)))
        return result
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any parse failure of an untrusted file is one message
        result.problems.append(
            CellProblem(
                "",
                "",
                "ワークブックを開けませんでした。Excelで開いて「.xlsx」形式で保存し直してください。",
            )
        )
        return result
    try:
        if S_IDS not in wb.sheetnames:
            result.problems.append(CellProblem("", "", NOT_A_SHEET))
            return result
        ids = _grid(wb[S_IDS])
        labels = {label: key for label, key in META}
        for r in range(1, len(META) + 5):
            key = labels.get(ids.get((r, 1), ""))
            if key:
                result.meta[key] = ids.get((r, 2), "")
        if result.meta.get("format") != FORMAT:
            result.problems.append(CellProblem("", "", NOT_A_SHEET))
            return result
        grids = {name: _grid(wb[name]) for name in DATA_SHEETS if name in wb.sheetnames}
        for name in DATA_SHEETS:
            if name not in grids:
                result.problems.append(
                    CellProblem(
                        name,
                        "",
                        f"シート「{name}」がありません。調査票をダウンロードし直してください。",
                    )
                )
        _read_rows(ids, grids, result)
        _read_inputs(ids, grids, result)
    finally:
        wb.close()
    return result


def _table(ids: dict[tuple[int, int], str], first_col: int, width: int) -> list[list[str]]:
    last = max((r for r, c in ids if first_col <= c < first_col + width), default=1)
    return [[ids.get((r, first_col + j), "") for j in range(width)] for r in range(2, last + 1)]


def _read_rows(ids: dict, grids: dict, result: SheetFile) -> None:
    """Compare every row's key and locked cells with what was downloaded."""
    for sheet, row_text, key, locked_json in _table(ids, ROW_COL, len(ROW_HEADERS)):
        if sheet not in grids or not row_text.isdigit():
            continue
        r = int(row_text)
        grid = grids[sheet]
        if grid.get((r, 1), "") != key:
            result.problems.append(
                CellProblem(
                    sheet,
                    f"{r}行目",
                    "行の並びが変わっています（行の挿入・削除・並べ替え）。"
                    "調査票をダウンロードし直して、入力し直してください。",
                )
            )
            continue
        try:
            locked = json.loads(locked_json or "[]")
        except ValueError:
            locked = []
        for j, expected in enumerate(locked):
            col = 2 + j
            if _norm(grid.get((r, col), "")) != _norm(expected):
                where = f"{get_column_letter(col)}{r}"
                result.problems.append(
                    CellProblem(
                        sheet,
                        where,
                        f"保護された欄が変更されています（ダウンロード時は「{expected}」）。"
                        "元に戻すか、調査票をダウンロードし直してください。",
                    )
                )


def _read_inputs(ids: dict, grids: dict, result: SheetFile) -> None:
    for sheet, cell, kind, key, name, downloaded in _table(ids, INPUT_COL, len(INPUT_HEADERS)):
        if sheet not in grids or kind not in FIELDS or name not in FIELDS[kind]:
            result.problems.append(CellProblem(S_IDS, "", NOT_A_SHEET))
            return
        try:
            letters, r = coordinate_from_string(cell)
        except ValueError:
            result.problems.append(CellProblem(S_IDS, "", NOT_A_SHEET))
            return
        value = grids[sheet].get((r, column_index_from_string(letters)), "")
        result.cells.append(
            InputCell(sheet, cell, kind, key, name, _norm(downloaded), _norm(value))
        )


# --------------------------------------------------------------------------- checking and merging


def _label(kind: str, key: str, name: str, names: dict[tuple[str, str], str]) -> str:
    return f"{names.get((kind, key), key)} {FIELD_NAMES[name]}"


def _identity_problems(report: Report, meta: dict[str, str]) -> list[CellProblem]:
    """A sheet of another plan, round or department is refused before anything else."""
    plan, fy, dept = report.round.plan, report.round.fy, report.department
    where = f"{meta.get('plan', '?')} {meta.get('fy', '?')}年度 {meta.get('department', '?')}"
    if meta.get("plan") != plan.slug:
        return [
            CellProblem(
                "",
                "",
                "このファイルは別の計画"
                f"（{meta.get('plan_title') or meta.get('plan')}）の調査票です。"
                f"「{plan.title}」の調査票をダウンロードして使ってください。",
            )
        ]
    if meta.get("fy") != str(fy):
        file_fy = meta.get("fy", "")
        label = fy_label(int(file_fy)) if file_fy.isdigit() else file_fy
        return [
            CellProblem(
                "",
                "",
                f"このファイルは{label}の調査票です。{fy_label(fy)}の調査票をダウンロードして使ってください。",
            )
        ]
    if meta.get("department_id") != str(dept.pk) or meta.get("report_id") != str(report.pk):
        return [
            CellProblem(
                "",
                "",
                f"このファイルは「{meta.get('department') or where}」の調査票です。"
                f"「{dept.name}」の調査票には読み込めません。",
            )
        ]
    return []


def _evaluation_code(value: str, scale: list[dict]) -> str | None:
    """The scale's code for what was typed: the code, its name, or "A 達成"; None if unknown."""
    text = value.replace("：", " ").replace(":", " ").strip()
    for s in scale:
        code, name = str(s["code"]), s.get("name", "")
        if text in (code, name, f"{code} {name}", f"{code}{name}"):
            return code
    return None


def _value_problems(
    report: Report, cells: list[InputCell], lines: list[services.ItemLines]
) -> tuple[list[CellProblem], dict[tuple[str, str, str], str]]:
    """Problems of the values in the file, and the values cleaned (evaluation → its code)."""
    settings = PlanSettings.of(report.round.plan)
    statuses = list(settings.content_statuses)
    scale = list(settings.evaluation_scale)
    indicators = {ln.indicator.key: ln.indicator for item in lines for ln in item.indicators}
    positions = {content_key(i.node.key, c.position) for i in lines for c in i.contents}
    nodes = {i.node.key for i in lines}
    known = {ITEM: nodes, CONTENT: positions, INDICATOR: set(indicators)}
    problems: list[CellProblem] = []
    values: dict[tuple[str, str, str], str] = {}
    reported_rows: set[tuple[str, str]] = set()
    for c in cells:
        if c.key not in known[c.kind]:
            if (c.kind, c.key) not in reported_rows:
                reported_rows.add((c.kind, c.key))
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        f"この行の{KIND_NAMES[c.kind]}（キー「{c.key}」）は今の調査票にありません"
                        "（計画が変わった可能性があります）。"
                        "調査票をダウンロードし直して、入力し直してください。",
                    )
                )
            continue
        value = c.value
        if c.field == "status" and value and value not in statuses:
            problems.append(
                CellProblem(
                    c.sheet,
                    c.cell,
                    f"状況「{value}」は使えません。{'・'.join(statuses)} のいずれかを"
                    "一覧から選んでください。",
                )
            )
        elif c.field == "evaluation" and value:
            code = _evaluation_code(value, scale)
            if code is None:
                codes = "・".join(str(s["code"]) for s in scale)
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        f"自己評価「{value}」は使えません。{codes} のいずれかを"
                        "一覧から選んでください"
                        "（基準は「説明」シートにあります）。",
                    )
                )
            else:
                value = code
        elif c.field == "actual" and value:
            ind = indicators[c.key]
            parsed = parse_value(value)
            if len(value) > MAX_ACTUAL:
                problems.append(
                    CellProblem(c.sheet, c.cell, f"実績は{MAX_ACTUAL}文字以内で書いてください。")
                )
            elif (
                parsed.is_numeric()
                and ind.unit
                and parsed.unit
                and not compatible(parsed.unit, ind.unit)
            ):
                yen = (
                    "（金額は千円・万円・円のどれでも換算します）" if ind.unit in YEN_UNITS else ""
                )
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        f"単位「{parsed.unit}」は指標「{ind.name}」の単位「{ind.unit}」に換算できません。"
                        f"{ind.unit}で書いてください{yen}。",
                    )
                )
        values[(c.kind, c.key, c.field)] = value
    return problems, values


def _stored(lines: list[services.ItemLines]) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for item in lines:
        for name in FIELDS[ITEM]:
            out[(ITEM, item.node.key, name)] = _norm(getattr(item, name))
        for c in item.contents:
            key = content_key(item.node.key, c.position)
            for name in FIELDS[CONTENT]:
                out[(CONTENT, key, name)] = _norm(getattr(c, name))
        for ln in item.indicators:
            for name in FIELDS[INDICATOR]:
                out[(INDICATOR, ln.indicator.key, name)] = _norm(getattr(ln, name))
    return out


def _names(lines: list[services.ItemLines]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for item in lines:
        out[(ITEM, item.node.key)] = str(item.node)
        for c in item.contents:
            out[(CONTENT, content_key(item.node.key, c.position))] = (
                f"{item.node} 実施内容{c.content.label or c.position}"
            )
        for ln in item.indicators:
            out[(INDICATOR, ln.indicator.key)] = f"指標「{ln.indicator.name}」"
    return out


def merge(
    report: Report,
    cells: list[InputCell],
    values: dict[tuple[str, str, str], str],
    lines: list[services.ItemLines],
) -> tuple[services.SheetInput, list[str], list[Conflict]]:
    """Three-way merge per cell: downloaded vs file vs stored now.

    A cell the user did not change keeps the stored value; a cell only the user changed is
    applied; a cell changed by both, differently, is a conflict.
    """
    stored = _stored(lines)
    names = _names(lines)
    changes: dict[tuple[str, str], dict[str, str]] = {}
    changed: list[str] = []
    conflicts: list[Conflict] = []
    for c in cells:
        ident = (c.kind, c.key, c.field)
        if ident not in stored:
            continue
        mine, now = values.get(ident, c.value), stored[ident]
        downloaded = c.downloaded
        if mine == downloaded or mine == now:
            continue
        if now != downloaded:
            conflicts.append(
                Conflict(
                    c.sheet,
                    c.cell,
                    _label(c.kind, c.key, c.field, names),
                    mine,
                    now,
                    downloaded,
                    report.updated_by,
                )
            )
            continue
        changes.setdefault((c.kind, c.key), {})[c.field] = mine
        changed.append(_label(c.kind, c.key, c.field, names))
    data = services.SheetInput()
    for (kind, key), fields in changes.items():
        full = {name: fields.get(name, stored[(kind, key, name)]) for name in FIELDS[kind]}
        if kind == ITEM:
            data.items[key] = full
        elif kind == CONTENT:
            node_key, _sep, position = key.rpartition("#")
            data.contents[(node_key, int(position))] = full
        else:
            data.indicators[key] = full
    return data, changed, conflicts


NOT_EDITABLE = "この調査票は今は変更できません（提出済・承認済、または調査の終了）。"


def apply_upload(report: Report, data: bytes, user: Any) -> UploadResult:
    """Check an uploaded sheet and write what the user changed, all or nothing."""
    parsed = read_sheet(data)
    if parsed.problems:
        return UploadResult("problems", parsed.problems)
    problems = _identity_problems(report, parsed.meta)
    if problems:
        return UploadResult("problems", problems)
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("round__plan", "department")
            .get(pk=report.pk)
        )
        if not locked.editable:
            return UploadResult("problems", [CellProblem("", "", NOT_EDITABLE)])
        lines = services.sheet(locked)
        problems, values = _value_problems(locked, parsed.cells, lines)
        if problems:
            return UploadResult("problems", problems)
        data_in, changed, conflicts = merge(locked, parsed.cells, values, lines)
        if conflicts:
            return UploadResult("conflicts", conflicts=conflicts, report=locked)
        if not changed:
            return UploadResult("unchanged", report=locked)
        try:
            saved = services.save(locked, data_in, version=locked.version, user=user)
        except services.RoundError as exc:
            return UploadResult(
                "problems", [CellProblem("", "", line) for line in str(exc).splitlines()]
            )
    return UploadResult("saved", changed=changed, report=saved)
