"""Reports are read from the demo plans; the slow PDF is laid out once per module."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.services import SheetInput

CITY = "nishitokyo-chiiki-fukushi-4"
ACTION = "nishitokyo-action-plan-2019"
DRAFT_ONLY = "987,654,321"
APPROVED = "承認済みの取組"  # a figure that only ever sits in a draft


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, without the spaces the extraction puts between glyphs."""
    return [
        re.sub(r"[ \t]+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages
    ]


def pdf_fonts(data: bytes) -> set[tuple[str, bool]]:
    """(font name, embedded) for every font the pages and their drawings use, like pdffonts."""
    found: set[tuple[str, bool]] = set()

    def walk(resources, seen):
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.add((str(font["/BaseFont"]), embedded))
        for key in ("/XObject", "/Pattern"):
            for xobject in (resources.get(key) or {}).values():
                if id(xobject) in seen:
                    continue
                seen.add(id(xobject))
                walk(xobject.get_object().get("/Resources"), seen)

    for page in PdfReader(io.BytesIO(data)).pages:
        walk(page.get("/Resources"), set())
    return found


def fill(report, actual_for) -> SheetInput:
    data = SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {
            "done": "承認済みの取組",
            "next": "次の展開",
            "evaluation": "B",
        }
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for line in item.indicators:
            data.indicators[line.indicator.key] = {"actual": actual_for(line), "note": ""}
    return data


@pytest.fixture
def action_round(db):
    """FY2020 of the action plan: 総務課 approved, 福祉支援課 a draft with a distinctive figure."""
    make = get_user_model().objects.create_user
    staff, chief = make("担当", last_name="担当"), make("課長", last_name="課長")
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, 2020, date(2021, 5, 31), staff)
    approved = round_.reports.get(department__name="総務課")
    approved = services.save(
        approved,
        fill(approved, lambda line: f"1{line.indicator.unit}"),
        version=approved.version,
        user=staff,
    )
    services.approve(services.submit(approved, staff), chief)
    draft = round_.reports.get(department__name="福祉支援課")
    data = fill(draft, lambda line: f"{DRAFT_ONLY}{line.indicator.unit}")
    for key in data.items:
        data.items[key] = {"done": "下書きだけの取組", "next": "下書きの展開", "evaluation": "C"}
    for key in data.contents:
        data.contents[key] = {"status": "遅れ", "note": "下書きの遅れ"}
    services.save(draft, data, version=draft.version, user=staff)
    return round_
