"""The open-data formats are documented, and every public UI string has its Japanese."""

from __future__ import annotations

import re
from pathlib import Path

from shinchoku.public.downloads import CSV_HEADER

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "public.md").read_text(encoding="utf-8")
PO = REPO / "shinchoku" / "public" / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def test_every_csv_column_is_documented():
    for column in CSV_HEADER:
        assert column in DOC, column


def test_every_json_key_is_documented(anonymous):
    doc = anonymous.get("/public/nishitokyo-chiiki-fukushi-4/data.json").json()
    keys = set(doc) | set(doc["plan"]) | set(doc["nodes"][0]) | set(doc["indicators"][0])
    keys |= set(doc["indicators"][0]["baseline"]) | set(doc["indicators"][0]["judgements"][0])
    for key in keys:
        assert f'"{key}"' in DOC, key


def test_every_public_url_is_documented():
    from shinchoku.public.urls import urlpatterns

    for pattern in urlpatterns:
        assert f"public:{pattern.name}" in DOC, pattern.name


def test_every_ui_string_has_its_japanese_and_is_compiled():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first entry is the header
    assert entries
    for entry in entries:
        assert "#, fuzzy" not in entry, entry
        assert not re.search(r'^msgstr ""\Z', entry.strip(), re.MULTILINE), entry
    from django.utils import translation

    with translation.override("ja"):
        title = translation.gettext("Published progress of community welfare plans")
    assert title == "地域福祉計画の進捗状況（公開）"  # the .mo is compiled and found
