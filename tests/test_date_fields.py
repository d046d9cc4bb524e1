"""Every date input of every form shows and reads 和暦 with the western year."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django import forms

from shinchoku.date_fields import WarekiDateField

ROOT = Path(__file__).resolve().parents[1] / "shinchoku"


class OneDate(forms.Form):
    day = WarekiDateField(label="day")


@pytest.mark.parametrize("typed", ["令和元年5月31日", "R1.5.31", "2019-05-31", "2019/5/31"])
def test_it_reads_what_people_type(typed: str) -> None:
    form = OneDate({"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2019, 5, 31)


def test_it_shows_the_date_in_wareki_with_the_western_year() -> None:
    html = str(OneDate(initial={"day": date(2019, 5, 31)})["day"])
    assert 'type="text"' in html and 'value="令和元年5月31日(2019年5月31日)"' in html
    assert OneDate({"day": date(2019, 5, 31).isoformat()}).is_valid()


def test_a_wrong_date_is_refused_and_kept_as_typed() -> None:
    form = OneDate({"day": "令和元年2月30日"})
    assert not form.is_valid()
    assert 'value="令和元年2月30日"' in str(form["day"])


def test_no_form_uses_the_browsers_date_input() -> None:
    """The browser's date picker writes 01/31/2019 in an English browser: none is left."""
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in (".py", ".html") or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if (
            re.search(r"forms\.DateField|DateInput|type=.?date\b", text)
            and path.name != "date_fields.py"
        ):
            found.append(str(path.relative_to(ROOT)))
    assert found == []
