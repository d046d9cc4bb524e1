"""The layout of the progress sheet workbook, shared by sheet_xlsx_write and sheet_xlsx_read.

Sheet names, where the headings and data start, the input fields of each kind of row, the
labels and columns of the hidden identifiers sheet, and how a cell's text is made comparable.
Imports nothing of the two modules that use it. The format is documented in docs/sheet.md.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shinchoku.plans.xlsx_safety import xml_text

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
# Named in the active language in messages; the workbook itself is Japanese (sheet_xlsx_write).
FIELD_NAMES = {
    "done": _("What was done"),
    "next": _("What comes next"),
    "evaluation": _("Self-evaluation"),
    "status": _("Status"),
    "note": _("Note"),
    "actual": _("Actual"),
}
KIND_NAMES = {ITEM: _("Item"), CONTENT: _("Content"), INDICATOR: _("Indicator")}

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


def norm(value: Any) -> str:
    """A value as compared: text, \\r\\n as \\n, without surrounding whitespace."""
    text = "" if value is None else xml_text(str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "").strip()


def content_key(node_key: str, position: int) -> str:
    return f"{node_key}#{position}"


def row_key(kind: str, key: str) -> str:
    """The text of the hidden column A that says which row this is."""
    return f"{kind}:{key}"
