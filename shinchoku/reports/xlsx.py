"""The committee report as an Excel workbook: a summary sheet and one sheet per 基本目標.

Printable as it comes (A4 landscape, fit to width, header rows repeated, print area set).
A plain figure (504人, 19,177世帯, 50.70%) is stored as a number with its unit in the number
format, so it can be summed; anything else (ranges, words, 見込み, a second figure) stays text,
exactly as written. Text that a spreadsheet would read as a formula (= + - @ …) is stored as
text with a quote prefix, never as a formula: the names and notes come from uploaded data.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shinchoku.core.figures import figure
from shinchoku.core.signed import excel_format
from shinchoku.core.values import normalise_digits, parse_value
from shinchoku.core.wareki import fy_short
from shinchoku.plans.xlsx_print import fit_row_heights, landscape_a4
from shinchoku.reports.report import SAME, CommitteeReport, GoalSection, Row
from shinchoku.reviews.report import add_xlsx_sheet as add_opinions_sheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8EEF5")
BAND_FILLS = ("DCEFE3", "FDF1D2", "F8DCDA")
UNDETERMINED_FILL = "F0F0F0"
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
RIGHT = Alignment(vertical="top", horizontal="right")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def set_text(cell: Any, text: str) -> Any:
    """Store text as text: a leading = + - @ never becomes a formula."""
    cell.value = text
    if text and text.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _decimals(text: str) -> int:
    m = re.search(r"\.(\d+)", normalise_digits(text))
    return len(m.group(1)) if m else 0


def number_format(unit: str, decimals: int) -> str:
    """#,##0"人" / #,##0.00"%" / negative written with △ as the documents do."""
    base = "#,##0" + ("." + "0" * decimals if decimals else "")
    suffix = '"' + unit.replace('"', "") + '"' if unit else ""
    return excel_format(f"{base}{suffix}")


def set_value(cell: Any, text: str | None, unit: str | None = None) -> Any:
    """A value cell: a plain figure as a number with its unit in the format, else the text.

    With the indicator's `unit`, the figure is written in that unit (core.figures): an actual
    typed 3,310,000円 for an indicator in 千円 is the number 3310 formatted 千円, and the text as
    reported goes into the cell's note (and the 単位換算前の報告値 column, see _goal_sheet).
    """
    if text is None or not text.strip():
        return set_text(cell, "―")
    if unit is not None:
        f = figure(text, unit)
        if not f.plain or f.number is None or f.converted is None:
            return set_text(cell, f.shown)
        number = f.number
        same = not f.differs and f.value.unit
        decimals = _decimals(text) if same else max(0, -number.as_tuple().exponent)  # type: ignore[operator]
        cell.value = int(number) if number == number.to_integral_value() else float(number)
        cell.number_format = number_format(f.converted.unit, decimals)
        if f.differs:
            cell.comment = Comment(f.reported, "進捗")
        return cell
    parsed = parse_value(text)
    plain = (
        parsed.kind == "number"
        and parsed.number is not None
        and not (parsed.prefix or parsed.suffix or parsed.second or parsed.footnotes)
        and not parsed.estimate
    )
    if not plain:
        return set_text(cell, text.strip())
    number = parsed.number
    assert number is not None
    cell.value = int(number) if number == number.to_integral_value() else float(number)
    cell.number_format = number_format(parsed.unit, _decimals(text))
    return cell


def reported_notes(report: CommitteeReport, r: Row) -> list[str]:
    """The row's figures reported in another unit than the indicator's, as reported:
    「令和2年度 実績: 3,310,000円」 (one unit per column: the cells hold the converted figure)."""
    ip = r.ip
    fy = report.fy_short
    labelled: list[tuple[str, Any]] = [(report.baseline_heading, ip.baseline)]
    labelled += [
        (f"{fy_short(y)} 実績", v) for y, v in zip(report.earlier_years, r.earlier, strict=True)
    ]
    labelled.append((f"{fy} 実績", ip.actual))
    if report.has_fy_target:
        labelled.append((f"{fy} 目標", ip.target))
    labelled.append(("最終目標", ip.final))
    out = []
    for label, v in labelled:
        f = ip.figure(v)
        if f is not None and f.differs:
            out.append(f"{label}: {f.text}")
    return out


def set_fraction(cell: Any, fraction: Decimal | None) -> Any:
    if fraction is None:
        return set_text(cell, "―")
    cell.value = float(fraction)
    cell.number_format = excel_format("0.0%")
    return cell


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (≤31 characters, none of []:*?/\\)."""
    base = SHEET_NAME_BAD.sub("", name).strip("'") or "シート"
    base = base[:31]
    title, n = base, 2
    while title in taken:
        tail = f"({n})"
        title, n = base[: 31 - len(tail)] + tail, n + 1
    taken.add(title)
    return title


def print_setup(ws: Worksheet, header_row: int, last_col: int) -> None:
    landscape_a4(ws, header_row)
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(ws.max_row, header_row)}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    fit_row_heights(ws)


def write_header(ws: Worksheet, row: int, headings: list[tuple[str, float]]) -> None:
    for col, (text, width) in enumerate(headings, start=1):
        cell = set_text(ws.cell(row=row, column=col), text)
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEAD_FILL, CENTER, BORDER
        ws.column_dimensions[get_column_letter(col)].width = width


def _band_fill(band: str, band_names: list[str]) -> PatternFill:
    judged = band_names[:-1]
    color = UNDETERMINED_FILL
    if band in judged:
        rank = judged.index(band)
        if len(judged) > 1:
            rank = round(rank * (len(BAND_FILLS) - 1) / (len(judged) - 1))
        color = BAND_FILLS[rank]
    return PatternFill("solid", fgColor=color)


def _title_rows(ws: Worksheet, report: CommitteeReport, heading: str) -> None:
    set_text(ws.cell(row=1, column=1), heading).font = TITLE
    set_text(
        ws.cell(row=2, column=1),
        f"{report.plan.title} {report.fy_label}(計画{report.plan_year}年目)"
        f" 作成 {report.generated_text} 承認済みのデータのみ",
    )


def _summary_sheet(ws: Worksheet, report: CommitteeReport) -> None:
    ws.title = "概要"
    _title_rows(ws, report, f"{report.title} {report.fy_label}")
    header = 4
    headings = [(report.level_name, 52.0)] + [(b, 11.0) for b in report.band_names]
    headings.append(("計", 8.0))
    write_header(ws, header, headings)
    row = header
    for g in report.goals:
        row += 1
        set_text(ws.cell(row=row, column=1), g.heading).alignment = WRAP
        for col, (_band, n) in enumerate(g.tally_rows, start=2):
            ws.cell(row=row, column=col, value=n).number_format = '#,##0"件"'
        ws.cell(row=row, column=len(headings), value=g.goal.tally.total).number_format = '#,##0"件"'
    row += 1
    set_text(ws.cell(row=row, column=1), "計").font = BOLD
    for col, (_band, n) in enumerate(report.total_rows, start=2):
        cell = ws.cell(row=row, column=col, value=n)
        cell.number_format, cell.font = '#,##0"件"', BOLD
    total = ws.cell(row=row, column=len(headings), value=report.progress.total.total)
    total.number_format, total.font = '#,##0"件"', BOLD
    for r in ws.iter_rows(min_row=header + 1, max_row=row, max_col=len(headings)):
        for cell in r:
            cell.border = BORDER
    row += 2
    set_text(ws.cell(row=row, column=1), "判定の方法").font = BOLD
    rules = (
        "達成率は当年度の実績を当年度の目標と比べた割合です(値が小さいほど良い指標は 目標÷実績)。"
        + report.rules_text,
        "最終目標への進捗 = (実績 − 現状値) ÷ (最終目標 − 現状値)。"
        + (
            "当年度の目標がない指標は、最終目標と比べて判定します（「最終目標と比較」と表示）。"
            if report.final_when_no_target
            else f"当年度の目標がない指標は「{report.band_names[-1]}」とし、"
            "最終目標への進捗を示します。"
        ),
    )
    for text in rules:
        row += 1
        set_text(ws.cell(row=row, column=1), text)
    print_setup(ws, header, len(headings))


def _goal_sheet(ws: Worksheet, report: CommitteeReport, g: GoalSection) -> None:
    _title_rows(ws, report, g.heading)
    header = 4
    fy = report.fy_short
    # Widths keep the sheet near 200 digits wide: one A4 landscape page wide at about 70 %.
    headings: list[tuple[str, float]] = [("No.", 4.5), ("指標", 26.0)]
    if g.has_policy:
        headings.append(("施策", 18.0))
    headings += [("担当部署", 12.0), (report.baseline_heading, 12.0)]
    headings += [(fy_short(y), 12.0) for y in report.earlier_years]
    headings.append((f"{fy} 実績", 12.0))
    if report.has_fy_target:
        headings.append((f"{fy} 目標", 12.0))
    final = f"最終目標({fy_short(report.final_fy)})" if report.final_fy else "最終目標"
    headings += [
        (final, 12.0),
        ("達成率", 8.5),
        ("最終目標への進捗", 10.0),
        ("判定", 9.0),
        ("判定の理由", 15.0),
    ]
    # one unit per indicator: the figures as reported in another unit, when any row has one
    reported = any(reported_notes(report, r) for sec in report.goals for r in sec.rows)
    if reported:
        headings.append(("単位換算前の報告値", 28.0))
    if report.has_notes:
        headings += [
            (f"{fy}の取組状況", 32.0),
            (f"{report.next_fy_short}に向けた今後の展開", 32.0),
        ]
    write_header(ws, header, headings)
    row = header
    for r in g.rows:
        row += 1
        ip = r.ip
        values: list[tuple[str, Any]] = [("int", r.number), ("text", r.name)]
        if g.has_policy:
            values.append(("text", r.policy))
        values.append(("text", r.department))
        values.append(("value", ip.baseline))
        values += [("value", v) for v in r.earlier]
        values.append(("actual", ip.actual))
        if report.has_fy_target:
            values.append(("value", ip.target))
        values += [
            ("value", ip.final),
            ("fraction", ip.judgement.rate),
            ("fraction", ip.judgement.progress),
            ("band", r.band),
            ("text", r.reason),
        ]
        if reported:
            values.append(("text", "\n".join(reported_notes(report, r))))
        if report.has_notes:
            values += [
                ("text", SAME if r.done_same else r.done),
                ("text", SAME if r.next_same else r.next),
            ]
        for col, (kind, v) in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            if kind == "int":
                cell.value = v
            elif kind in ("value", "actual"):
                set_value(cell, v.text if v is not None else None, ip.unit)
                if kind == "actual":
                    cell.font = BOLD
            elif kind == "fraction":
                set_fraction(cell, v)
            else:
                set_text(cell, v or "")
                if kind == "band":
                    cell.fill = _band_fill(v, report.band_names)
            cell.border = BORDER
            cell.alignment = RIGHT if isinstance(cell.value, int | float) else WRAP
    if not g.rows:
        row += 1
        set_text(ws.cell(row=row, column=1), "指標はありません。")
    last_col = len(headings)
    row = _block(
        ws,
        row + 2,
        "取組状況(実施項目ごと)",
        _item_headings(fy, report.next_fy_short),
        [
            [
                f"{it.node.label} {it.node.title}".strip(),
                it.department,
                it.entry.done,
                it.entry.next,
                it.entry.evaluation,
            ]
            for it in g.items
        ],
        None,
    )
    _behind_block(ws, row + 1, g)
    print_setup(ws, header, last_col)


def _behind_block(ws, row: int, g) -> None:
    """The goal's contents behind schedule or not carried out, from `row`."""
    _block(
        ws,
        row,
        "予定より遅れている実施内容",
        ["実施項目", "実施内容", "担当部署", "状況", "説明"],
        [
            [
                f"{c.node.label} {c.node.title}".strip(),
                c.entry.text,
                c.department,
                c.entry.status,
                c.entry.note,
            ]
            for c in g.behind
        ],
        "予定より遅れている実施内容はありません。",
    )


# --- plans without figures (issue 12): self-evaluations instead of bands ----------------


def _evaluation_summary_sheet(ws: Worksheet, report: CommitteeReport) -> None:
    """Counts of self-evaluations per 基本目標 (approved sheets), the scale and the statuses."""
    ws.title = "概要"
    _title_rows(ws, report, f"{report.title} {report.fy_label}")
    header = 4
    headings = [(report.level_name, 52.0)] + [(label, 14.0) for label in report.evaluation_labels]
    headings.append(("計", 8.0))
    write_header(ws, header, headings)
    row = header
    count = '#,##0"件"'
    for g, counts in report.evaluation_summary:
        row += 1
        set_text(ws.cell(row=row, column=1), g.heading).alignment = WRAP
        for col, n in enumerate([*counts, g.evaluation_total], start=2):
            ws.cell(row=row, column=col, value=n).number_format = count
    row += 1
    set_text(ws.cell(row=row, column=1), "計").font = BOLD
    for col, n in enumerate([*report.evaluation_totals, report.evaluation_total], start=2):
        cell = ws.cell(row=row, column=col, value=n)
        cell.number_format, cell.font = count, BOLD
    for r in ws.iter_rows(min_row=header + 1, max_row=row, max_col=len(headings)):
        for cell in r:
            cell.border = BORDER
    row += 2
    set_text(ws.cell(row=row, column=1), "評価の方法").font = BOLD
    row += 1
    set_text(
        ws.cell(row=row, column=1),
        f"この計画には数値目標(指標)がないため、{report.project_level}ごとに担当部署が行った"
        "自己評価で進捗を示します。承認済みの調査票の評価のみ集計しています。",
    )
    for s in report.scale:
        row += 1
        text = f"{s.get('code', '')} {s.get('name', '')}".strip()
        if s.get("definition"):
            text += f": {s['definition']}"
        set_text(ws.cell(row=row, column=1), text)
    if report.status_rows:
        row += 2
        set_text(ws.cell(row=row, column=1), "実施内容の状況").font = BOLD
        for _key, label, n in report.status_rows:
            row += 1
            set_text(ws.cell(row=row, column=1), label)
            ws.cell(row=row, column=2, value=n).number_format = count
    print_setup(ws, header, len(headings))


def _project_sheet(ws: Worksheet, report: CommitteeReport, g: GoalSection) -> None:
    """A 基本目標 of a plan without figures: a row per 事業 and department, contents behind."""
    _title_rows(ws, report, g.heading)
    header = 4
    fy = report.fy_short
    headings: list[tuple[str, float]] = [
        ("No.", 5.0),
        (report.project_level, 30.0),
        ("上位項目", 24.0),
        ("担当部署", 14.0),
        ("自己評価", 16.0),
        (f"{fy}の取組状況", 36.0),
        (f"{report.next_fy_short}に向けた今後の展開", 36.0),
        ("実施内容の状況", 28.0),
    ]
    write_header(ws, header, headings)
    row = header
    for number, p in enumerate(g.projects, start=1):
        parent = f"{p.parent.label} {p.parent.title}".strip() if p.parent else ""
        name = f"{p.node.label} {p.node.title}".strip()
        lines: list[list[Any]] = []
        for it in p.items:
            statuses = "\n".join(
                f"{c.entry.text}: {c.entry.status}"
                for c in p.contents
                if c.department == it.department
            )
            texts = [it.evaluation, it.entry.done, it.entry.next, statuses]
            lines.append([number, name, parent, it.department, *texts])
        if not lines:
            none = ["", "承認済みの報告はありません。", "", ""]
            lines.append([number, name, parent, p.departments, *none])
        for values in lines:
            row += 1
            for col, v in enumerate(values, start=1):
                cell = ws.cell(row=row, column=col)
                if isinstance(v, int):
                    cell.value = v
                    cell.alignment = RIGHT
                else:
                    set_text(cell, v or "")
                    cell.alignment = WRAP
                cell.border = BORDER
            if values[4]:
                code = values[4].split(" ")[0]
                codes = [str(s.get("code", "")) for s in report.scale]
                names = [*codes, "未評価"]
                ws.cell(row=row, column=5).fill = _band_fill(code, names)
    if not g.projects:
        row += 1
        set_text(ws.cell(row=row, column=1), f"{report.project_level}はありません。")
    _behind_block(ws, row + 2, g)
    print_setup(ws, header, len(headings))


# --- end of plans without figures --------------------------------------------------------


def _item_headings(fy: str, next_fy: str) -> list[str]:
    return ["実施項目", "担当部署", f"{fy}の取組状況", f"{next_fy}に向けた今後の展開", "自己評価"]


def _block(
    ws: Worksheet,
    row: int,
    title: str,
    headings: list[str],
    rows: list[list[str]],
    empty: str | None,
) -> int:
    """A small table under the indicators (items, contents behind); returns its last row."""
    if not rows and empty is None:
        return row - 1
    set_text(ws.cell(row=row, column=2), title).font = BOLD
    if not rows:
        set_text(ws.cell(row=row + 1, column=2), empty or "")
        return row + 1
    row += 1
    for col, text in enumerate(headings, start=2):
        cell = set_text(ws.cell(row=row, column=col), text)
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEAD_FILL, CENTER, BORDER
    for values in rows:
        row += 1
        for col, text in enumerate(values, start=2):
            cell = set_text(ws.cell(row=row, column=col), text or "")
            cell.alignment, cell.border = WRAP, BORDER
    return row


def report_workbook(report: CommitteeReport) -> Workbook:
    wb = Workbook()
    if report.has_figures:
        _summary_sheet(wb.active, report)
    else:
        _evaluation_summary_sheet(wb.active, report)
    taken = {"概要", "見通し"}
    for g in report.goals:
        ws = wb.create_sheet(sheet_title(g.label or g.title, taken))
        if report.has_figures:
            _goal_sheet(ws, report, g)
        else:
            _project_sheet(ws, report, g)
    add_opinions_sheet(wb, report.fy, report.previous_opinions)  # issue 13
    from shinchoku.reports.xlsx_forecast import add_forecast_sheet  # it builds on this module

    add_forecast_sheet(wb, report)  # issue 17: 最終目標の達成見通し
    wb.properties.title = f"{report.title} {report.fy_label}"
    wb.properties.creator = "進捗"
    return wb


def report_xlsx(report: CommitteeReport) -> bytes:
    buf = io.BytesIO()
    report_workbook(report).save(buf)
    return buf.getvalue()
