"""和暦 and fiscal years (no Django here)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.wareki import (
    era_of,
    fiscal_year,
    fy_alternatives,
    fy_era,
    fy_label,
    fy_short,
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
