"""The register as a workbook (register.xlsx): its layout, and writing it.

Sheet 事務事業: row 1 is a note on how to fill it in, row 2 the headings, one business a row
from row 3. Columns A–I are the business (事業番号 … 計画の項目), then four columns per FY
(予算 / 決算 / 人工 / 活動実績) for every FY the register holds figures of. Sheet 設定 holds
the 人件費単価 in B2. Only businesses in operation are written: a business left out of an
upload is marked as ended (終了), so a file read back unchanged changes nothing.

計画の項目 are written as the item keys of the plan workbook (item-3), separated by 「、」;
a key used in more than one of the organization's plans is written with its plan's ID in front
(nishitokyo-action-plan-2019/item-3).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shinchoku.businesses.models import Business, RegisterSettings
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Node
from shinchoku.plans.xlsx_safety import no_formulas, xml_text

SHEET = "事務事業"
SETTINGS_SHEET = "設定"
HEADERS = (
    "事業番号",
    "事業名",
    "担当課",
    "種別",
    "目的",
    "対象",
    "活動指標",
    "単位",
    "計画の項目",
)
FIELDS = ("budget", "settlement", "staff_years", "output")
YEAR_HEADINGS = {
    "budget": "予算（千円）",
    "settlement": "決算（千円）",
    "staff_years": "人工",
    "output": "活動実績",
}
YEAR_HEADING = re.compile(r"^(\d{4})年度\s*(予算|決算|人工|活動実績)")
YEAR_WORDS = {"予算": "budget", "決算": "settlement", "人工": "staff_years", "活動実績": "output"}
RATE_LABEL = "人件費単価（千円／人工）"
NOTE = (
    "事務事業台帳。1行に1事業。事業番号で事業を見分けます（変えると別の事業になります）。"
    "担当課は部署名のとおりに、種別は新しい名前なら種別が追加されます。"
    "計画の項目は項目のキー（計画ワークブックの「キー」列、例: item-3）を"
    "「、」か「,」で区切って書きます。"
    "同じキーが複数の計画にあるときは「計画ID/キー」と書きます。"
    "金額は千円、人工は人（年間の従事割合、0.5 など）。空欄は「数値なし」です（0とは違います）。"
    "このファイルにない事業は削除されず「終了」になります。"
)
HEADING_ROW = 2
FIRST_ROW = 3


def node_refs(organization: Organization) -> tuple[dict[str, list[Node]], dict[int, str]]:
    """The organization's items by the texts that name them, and each item's text to write.

    Keys unique among the organization's own plans are written alone; others as plan ID/key.
    Both forms are read.
    """
    nodes = list(
        Node.objects.filter(plan__organization=organization, plan__owner_name="")
        .select_related("plan")
        .order_by("plan_id", "seq")
    )
    counts = Counter(n.key for n in nodes)
    by_text: dict[str, list[Node]] = {}
    written: dict[int, str] = {}
    for n in nodes:
        by_text.setdefault(n.key, []).append(n)
        by_text.setdefault(f"{n.plan.slug}/{n.key}", []).append(n)
        written[n.pk] = n.key if counts[n.key] == 1 else f"{n.plan.slug}/{n.key}"
    return by_text, written


def register_years(businesses: list[Business]) -> list[int]:
    return sorted({y.fiscal_year for b in businesses for y in b.years.all()})


def active_businesses(organization: Organization) -> list[Business]:
    return list(
        Business.objects.filter(organization=organization, active=True)
        .select_related("department", "kind")
        .prefetch_related("years", "businessnode_set")
        .order_by("order", "id")
    )


def _number(value: Decimal | None):
    if value is None:
        return None
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def write_register(organization: Organization) -> bytes:
    """The organization's businesses in operation and its 人件費単価, as the upload reads them."""
    businesses = active_businesses(organization)
    _by_text, written = node_refs(organization)
    fys = register_years(businesses)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([NOTE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 75
    headings = list(HEADERS)
    for fy in fys:
        headings += [f"{fy}年度 {YEAR_HEADINGS[f]}" for f in FIELDS]
    ws.append(headings)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[HEADING_ROW]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True)
    for b in businesses:
        years = {y.fiscal_year: y for y in b.years.all()}
        row = [
            b.code,
            b.name,
            b.department.name,
            b.kind.name if b.kind else "",
            b.purpose,
            b.target,
            b.output_name,
            b.output_unit,
            "、".join(written[bn.node_id] for bn in b.businessnode_set.all()),
        ]
        for fy in fys:
            y = years.get(fy)
            row += [_number(getattr(y, f)) if y else None for f in FIELDS]
        ws.append([xml_text(v) if isinstance(v, str) else v for v in row])
    for column, width in zip("ABCDEFGHI", (10, 30, 14, 14, 30, 20, 16, 8, 24), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=3)
    settings = wb.create_sheet(SETTINGS_SHEET)
    settings.append(["項目", "値"])
    settings.append([RATE_LABEL, _number(RegisterSettings.of(organization).staff_rate)])
    for cell in settings[1]:
        cell.font, cell.fill = bold, fill
    settings.column_dimensions["A"].width = 28
    no_formulas(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
