"""Write a department's progress sheet: the workbook a user downloads pre-filled.

`write_sheet` builds the workbook from services.sheet(report): one sheet per kind of row
(実施内容, 指標, 項目の評価), input cells unlocked and yellow, everything else locked, and a hidden
sheet of identifiers holding every input cell's key and its value as downloaded (read back by
sheet_xlsx_read). Every value is written as text or a number, never as a formula. The format is
documented in docs/sheet.md.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from shinchoku.core.wareki import date_label, fy_label, fy_short
from shinchoku.plans.xlsx_print import fit_row_heights, landscape_a4, workbook_bytes
from shinchoku.reviews.sheet import add_xlsx_sheet as add_opinions_sheet
from shinchoku.rounds import lastyear, services
from shinchoku.rounds.labels import NOT_PLANNED, content_label
from shinchoku.rounds.models import PlanSettings, Report
from shinchoku.rounds.sheet_xlsx_layout import (
    CONTENT,
    FIRST_ROW,
    FORMAT,
    FORMAT_VERSION,
    HEADER_ROW,
    INDICATOR,
    INPUT_COL,
    INPUT_HEADERS,
    ITEM,
    META,
    ROW_COL,
    ROW_HEADERS,
    S_CONTENTS,
    S_GUIDE,
    S_IDS,
    S_INDICATORS,
    S_ITEMS,
    S_LISTS,
    content_key,
    row_key,
    xml_text,
)

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
READONLY_FILL = PatternFill("solid", fgColor="EDEDED")  # another department reports the row
INPUT_HEADER_FILL = PatternFill("solid", fgColor="FFE699")
LAST_YEAR_FILL = PatternFill("solid", fgColor="EDEDED")  # last year's texts: read-only, grey
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TOP_WRAP = Alignment(vertical="top", wrap_text=True)


def sheet_filename(report: Report) -> str:
    from shinchoku.core.filenames import plan_fy_name

    plan = report.round.plan
    return plan_fy_name(
        plan.title, report.round.fy, "進捗状況調査票", "xlsx", report.department.name
    )


def _day(day: dt.date) -> str:
    """A deadline as every page writes it: 令和元年5月31日(2019年5月31日)."""
    return date_label(day)


def _scale_text(scale: list[dict]) -> str:
    return "\n".join(f"{s['code']} {s.get('name', '')}: {s.get('definition', '')}" for s in scale)


class _Writer:
    def __init__(self, report: Report, *, copy_last_year: bool = False):
        self.report = report
        # Pre-fill empty 取組状況 / 今後の展開 cells with last year's texts (rounds.lastyear).
        self.copy_last_year = copy_last_year
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

    def row(
        self,
        ws: Any,
        r: int,
        kind: str,
        key: str,
        fixed: list[Any],
        inputs: list[tuple[str, str]],
        prefill: dict[str, str] | None = None,
    ) -> None:
        """Write one data row: fixed (locked) values from B, then the input cells.

        `prefill` (field → text) fills an empty input cell, while the identifiers keep the value
        as stored, so the upload saves the pre-filled text as the user's own input.
        """
        ws.cell(row=r, column=1, value=row_key(kind, key))
        col = 2
        locked = []
        for value in fixed:
            text = "" if value is None else xml_text(str(value))
            cell = ws.cell(row=r, column=col, value=text or None)
            cell.number_format = "@"
            cell.alignment = TOP_WRAP
            cell.border = BOX
            locked.append(text)
            col += 1
        for name, raw in inputs:
            value = xml_text(raw or "")
            shown = value or xml_text((prefill or {}).get(name, ""))
            cell = ws.cell(row=r, column=col, value=shown or None)
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
        landscape_a4(ws, HEADER_ROW)
        ws.print_area = f"B1:{get_column_letter(n_cols + 1)}{max(last_row, HEADER_ROW)}"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.7
        ws.page_margins.header = ws.page_margins.footer = 0.25  # the header's line shown whole
        ws.oddHeader.right.text = f"{self.report.department.name}　{fy_label(self.fy)}"
        ws.oddFooter.center.text = "&P / &N"
        fit_row_heights(ws)  # the header and every row tall enough for its text (issue 15)

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
                f"指標 {_reported(lines)}件{_shown_only(lines)}",
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
                "金額は千円・万円・円のどれでも書けます（指標の単位に換算して表示します）。"
                "数字だけを書いたときは、指標の単位で書いたものとして扱います。",
            ],
            ["5", f"「{S_ITEMS}」シート: 項目ごとに、取組状況・今後の展開と自己評価を書きます。"],
            ["", "実施内容・指標のない項目は、このシートだけで報告します。"],
            [
                "",
                "前年度の承認済みの取組状況・今後の展開があるときは、灰色の列に参考として表示します"
                "（入力欄ではありません）。",
            ],
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
        ws.merge_cells("A1:C1")  # the title on one line, not wrapped in the narrow first column
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
        landscape_a4(ws)
        ws.page_setup.fitToHeight = 1  # the guide prints on one page, its scale table included
        fit_row_heights(ws)

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
                        content_label(c.content, c.position),  # issue 12 part 3
                        c.content.text,
                        c.content.effective_tag,
                        c.planned or NOT_PLANNED,
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
            *self.last_year_headers(lines),
        ]
        self.title(ws, S_INDICATORS)
        self.headers(ws, headers)
        r = FIRST_ROW
        for item in lines:
            for ln in item.indicators:
                earlier = dict(ln.earlier)
                ind = ln.indicator
                if ln.readonly:  # indicator owner (issue 12): shown, not as input
                    self.readonly_indicator(ws, r, item, ln, [earlier.get(y, "") for y in years])
                    r += 1
                    continue
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
                    self.prefill(ln),
                )
                self.last_year_cells(ws, r, len(headers), ln)
                r += 1
        self.finish(ws, len(headers), r - 1)

    def readonly_indicator(
        self, ws: Any, r: int, item: services.ItemLines, ln: services.IndicatorLine, earlier: list
    ) -> None:
        """An indicator another department reports: every cell locked and grey, no input."""
        ind = ln.indicator
        who = ln.reporter.name if ln.reporter else "ほかの部署"
        fixed = [
            item.node.label,
            item.node.title,
            f"{ind.label} {ind.name}".strip(),
            ind.unit,
            ln.baseline,
            *earlier,
            ln.target,
            ln.final,
            ln.approved or "―",
            "",
            "",
            f"{who}が報告する指標です（この調査票では入力しません）。"
            + ("実績の欄は承認された値です。" if ln.approved else ""),
        ]
        self.row(ws, r, INDICATOR, ind.key, fixed, [])
        for col in range(2, len(fixed) + 2):
            ws.cell(row=r, column=col).fill = READONLY_FILL

    def items(self, lines: list[services.ItemLines], ranges: dict[str, str]) -> None:
        ws = self.wb.create_sheet(S_ITEMS)
        headers = [
            ("番号", 8, False),
            ("項目", 36, False),
            ("実施内容・指標", 14, False),
            ("取組状況", 50, True),
            ("今後の展開", 50, True),
            ("自己評価", 10, True),
            *self.last_year_headers(lines),
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
                    f"実施内容 {len(item.contents)}\n指標 {len(item.indicators)}"
                    if item.contents or item.indicators
                    else "なし",
                ],
                [("done", item.done), ("next", item.next), ("evaluation", item.evaluation)],
                self.prefill(item),
            )
            self.last_year_cells(ws, r, len(headers), item)
            cells.append(f"G{r}")
            r += 1
        self.validation(
            ws, ranges["evaluation"], cells, _scale_text(self.settings.evaluation_scale)
        )
        # The scale's definitions beside the table, for the screen and the printout.
        col = len(headers) + 3
        ws.cell(row=HEADER_ROW, column=col, value="自己評価の基準").font = Font(bold=True)
        for i, s in enumerate(self.settings.evaluation_scale, start=FIRST_ROW):
            ws.cell(row=i, column=col, value=f"{s['code']} {s.get('name', '')}")
            ws.cell(row=i, column=col + 1, value=s.get("definition", ""))
        ws.column_dimensions[get_column_letter(col)].width = 14
        ws.column_dimensions[get_column_letter(col + 1)].width = 36
        self.finish(ws, len(headers), r - 1)

    # --- last year beside this year (rounds.lastyear): read-only columns after the inputs

    def last_year_headers(self, lines: list[services.ItemLines]) -> list[tuple[str, int, bool]]:
        """Two read-only columns when the plan has a round for FY − 1, else none."""
        fy = next((i.last_fy for i in lines if i.last_fy), None)
        if fy is None:
            return []
        return [
            (f"前年度（{fy_short(fy)}）の取組状況", 40, False),
            (f"前年度（{fy_short(fy)}）の今後の展開", 40, False),
        ]

    def last_year_cells(self, ws: Any, r: int, n_headers: int, line: Any) -> None:
        """Last year's texts in the last two columns (locked, grey); never read back."""
        if not line.last_fy:
            return
        texts = line.last_year
        for col, field in ((n_headers, "done"), (n_headers + 1, "next")):
            text = lastyear.shown(texts, field)
            cell = ws.cell(row=r, column=col, value=xml_text(text) or None)
            cell.number_format = "@"
            cell.alignment = TOP_WRAP
            cell.border = BOX
            cell.fill = LAST_YEAR_FILL

    def prefill(self, line: Any) -> dict[str, str] | None:
        if not self.copy_last_year:
            return None
        return {"done": line.last_done, "next": line.last_next}

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
        add_opinions_sheet(self.wb, self.report)  # issue 13: read-only, the reader ignores it
        self.identifiers()
        # Sheets cannot be added, removed or unhidden without unprotecting the book (no password).
        self.wb.security = WorkbookProtection(lockStructure=True)
        self.wb.active = 0
        self.wb.properties.creator = "Shinchoku"
        self.wb.properties.title = (
            f"{fy_label(self.fy)} 進捗状況調査票 {self.report.department.name}"
        )
        return workbook_bytes(self.wb)


def write_sheet(report: Report, *, copy_last_year: bool = False) -> bytes:
    """The department's sheet for the round, pre-filled with what is stored now.

    With `copy_last_year`, empty 取組状況 / 今後の展開 cells hold last year's approved texts.
    """
    return _Writer(report, copy_last_year=copy_last_year).build()


def _reported(lines: list[services.ItemLines]) -> int:
    """Indicators this department reports (not those another department reports)."""
    return sum(1 for i in lines for ln in i.indicators if not ln.readonly)


def _shown_only(lines: list[services.ItemLines]) -> str:
    shown = sum(1 for i in lines for ln in i.indicators if ln.readonly)
    return f"（ほかの部署が報告する指標 {shown}件は参照のみ）" if shown else ""
