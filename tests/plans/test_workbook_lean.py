"""The plan workbook read by the lean cell reader gives what openpyxl gave (issue 16).

`read_workbook` reads through `plans/xlsx_cells.py` (expat, only the parts it needs); with
`lean=False` it reads through openpyxl as before. Both must give the same document and the same
problems (sheet, cell, message) for every plan workbook a council sends: every demo plan's, the
fixture council's (事業 rows, no indicators), the same files with values of every type typed into
every column, saved again by LibreOffice, and the hostile corpus (tests/hostile_files.py), where
the only accepted difference is a file broken in a part the lean reader never opens.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shinchoku.plans.interchange import export_plan
from shinchoku.plans.loading import walk
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import (
    S_GUIDE,
    S_LISTS,
    read_workbook,
    workbook_plan_keys,
    write_workbook,
)
from shinchoku.plans.xlsx_guard import CANNOT_OPEN
from tests import hostile_files as hc
from tests.rounds.test_xlsx_cells import libreoffice_all

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
DEMO = ("nishitokyo-action-plan-2019", "nishitokyo-chiiki-fukushi-4", "nishitokyo-katsudo-4")


@pytest.fixture(scope="module")
def workbooks(django_db_setup, django_db_blocker) -> dict[str, bytes]:
    """Every demo plan's workbook as downloaded, and the fixture council's as sent."""
    with django_db_blocker.unblock():
        out = {slug: write_workbook(export_plan(Plan.objects.get(slug=slug))) for slug in DEMO}
    out["other-shape"] = FIXTURE.read_bytes()
    return out


def same(data: bytes, known: dict[str, set[str]] | None = None, what: str = "") -> None:
    lean, full = read_workbook(data, known), read_workbook(data, known, lean=False)
    assert lean.problems == full.problems, what
    assert lean.doc == full.doc, what


def test_every_plan_shape_reads_the_same(workbooks):
    for name, data in workbooks.items():
        result = read_workbook(data, {})
        assert result.problems == [], name
        assert result.doc is not None and result.doc["plan"]["nodes"], name
        same(data, {})


def test_links_to_other_plans_read_the_same(workbooks):
    known = {p.slug: set(p.nodes.values_list("key", flat=True)) for p in Plan.objects.all()}
    for data in workbooks.values():
        same(data, known)
        slug, keys = workbook_plan_keys(data)
        doc = read_workbook(data, {}, lean=False).doc
        assert slug == doc["plan"]["slug"]
        assert keys == {n["key"] for n in walk(doc["plan"]["nodes"])}


def test_values_of_every_type_in_every_column_read_the_same(workbooks):
    kinds = 0
    for name, data in workbooks.items():
        sheets = hc.sheet_parts(data)
        columns = {s: c for s, c in hc.PLAN_COLUMNS.items() if s in sheets}
        for kind, file in hc.wrong_types(data, columns, 2, name):
            same(file, {}, kind)
            kinds += 1
    assert kinds >= 4 * len(hc.PLAN_COLUMNS) * len(hc.WRONG_TYPES)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_workbooks_saved_by_libreoffice_read_the_same(workbooks):
    saved = libreoffice_all({f"{name}.xlsx": data for name, data in workbooks.items()})
    for name, data in saved.items():
        assert read_workbook(data, {}).problems == [], name
        same(data, {})


def both(data: bytes, lean: bool = True) -> tuple:
    result = read_workbook(data, {}, lean=lean)
    return result.doc, result.problems


def test_hostile_workbooks_are_refused_as_openpyxl_refuses_them(workbooks):
    data = workbooks["nishitokyo-chiiki-fukushi-4"]
    parts = hc.sheet_parts(data)
    kinds = [("plan:as-downloaded", data)]
    kinds += hc.part_damage(data, "plan")
    kinds += hc.macros(data, "plan")
    kinds += hc.zip_tricks(data, "plan")
    kinds += hc.cell_tricks(data, list(parts), "plan")
    kinds += hc.not_workbooks()
    kinds += hc.huge(data, "体系", "plan")
    unread = {parts[S_GUIDE], parts[S_LISTS]}  # the guide and the lists: never read
    assert hc.lean_differences(kinds, both, unread, str(CANNOT_OPEN)) == []
