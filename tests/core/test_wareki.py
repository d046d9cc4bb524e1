"""和暦 and fiscal years (no Django here)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.wareki import (
    ERAS,
    date_label,
    date_short,
    era_of,
    fiscal_year,
    fy_alternatives,
    fy_era,
    fy_label,
    fy_short,
    parse_date,
    parse_fy,
    parse_wareki_date,
)


@pytest.mark.parametrize(
    ("day", "era"),
    [
        (date(2019, 4, 30), ("平成", 31)),
        (date(2019, 5, 1), ("令和", 1)),
        (date(1989, 1, 7), ("昭和", 64)),
        (date(1989, 1, 8), ("平成", 1)),
        (date(1926, 12, 25), ("昭和", 1)),
        (date(2026, 11, 22), ("令和", 8)),
    ],
)
def test_era_boundaries(day: date, era: tuple[str, int]) -> None:
    assert era_of(day) == era


def test_before_meiji_is_refused() -> None:
    with pytest.raises(ValueError):
        era_of(date(1800, 1, 1))


def test_fiscal_year_starts_in_april() -> None:
    assert fiscal_year(date(2020, 3, 31)) == 2019
    assert fiscal_year(date(2020, 4, 1)) == 2020


def test_fy2019_is_reiwa_gannen_and_heisei_31() -> None:
    assert fy_short(2019) == "令和元年度"
    assert fy_label(2019) == "令和元年度(2019年度)"
    assert fy_alternatives(2019) == ["令和元年度", "平成31年度"]
    assert fy_alternatives(2024) == ["令和6年度"]


def test_fy1988_is_showa_63() -> None:
    assert fy_era(1988) == ("昭和", 63)
    assert fy_short(1989) == "平成元年度"


@pytest.mark.parametrize(
    ("text", "fy"),
    [
        ("平成31(2019)年度", 2019),
        ("2019(平成31)年度", 2019),
        ("令和元年度", 2019),
        ("平成31年度", 2019),
        ("令和５年度", 2023),
        ("R6", 2024),
        ("H30", 2018),
        ("2020年度", 2020),
        ("令和 2 年度", 2020),
        ("計画期間外", None),
        ("", None),
    ],
)
def test_parse_fy(text: str, fy: int | None) -> None:
    assert parse_fy(text) == fy


def test_parse_wareki_date() -> None:
    assert parse_wareki_date("平成31年1月31日現在") == date(2019, 1, 31)
    assert parse_wareki_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_wareki_date("令和2年2月30日") is None
    assert parse_wareki_date("2019年1月1日") is None


@given(st.integers(min_value=1900, max_value=2100))
def test_fy_label_round_trips(fy: int) -> None:
    assert parse_fy(fy_label(fy)) == fy
    assert parse_fy(fy_short(fy)) == fy
    for alternative in fy_alternatives(fy):
        assert parse_fy(alternative) == fy


@given(st.dates(min_value=date(1869, 1, 1), max_value=date(2100, 12, 31)))
def test_era_year_is_positive_and_consistent(day: date) -> None:
    name, year = era_of(day)
    assert year >= 1
    assert parse_fy(f"{name}{year}年度") == day.year


# Dates typed into forms (core.wareki.parse_date) and shown in them (date_label).

days = st.dates(min_value=date(1868, 10, 23), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    "typed",
    [
        "令和元年5月31日",
        "令和1年5月31日",
        "令和元年5月31日(2019年5月31日)",
        "令和元年5月31日（2019年）",
        "R1.5.31",
        "r1/5/31",
        "R1-5-31",
        "R1年5月31日",
        "2019-05-31",
        "2019/5/31",
        "2019.5.31",
        "2019年5月31日",
        "２０１９－０５－３１",
        " 令和元年 5月 31日 ",
    ],
)
def test_a_date_is_read_the_ways_people_type_it(typed: str) -> None:
    assert parse_date(typed) == date(2019, 5, 31)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "令和元年4月30日",
        "R0.1.1",
        "2019-02-30",
        "令和元年5月31日(2020年)",
        "5/31",
        "R1.5",
    ],
)
def test_what_is_not_one_date_is_refused(typed: str) -> None:
    assert parse_date(typed) is None


def test_the_label_has_the_western_date() -> None:
    assert date_label(date(2019, 5, 31)) == "令和元年5月31日(2019年5月31日)"
    assert date_label(date(2019, 4, 30)) == "平成31年4月30日(2019年4月30日)"


@given(days)
def test_every_label_reads_back(day: date) -> None:
    assert parse_date(date_label(day)) == day
    assert parse_date(date_short(day)) == day


@given(days)
def test_every_western_and_initial_spelling_reads_back(day: date) -> None:
    era, year = era_of(day)
    initial = {e.name: e.initial for e in ERAS}[era]
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == day
    assert parse_date(f"{initial}{year}.{day.month}.{day.day}") == day


@given(st.text(max_size=30))
def test_any_text_gives_a_date_or_none(text: str) -> None:
    result = parse_date(text)
    assert result is None or isinstance(result, date)
