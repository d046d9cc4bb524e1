"""The cost of a 事務事業: 人件費, フルコスト and 単位コスト, None-safe (no Django)."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core import business_cost as module
from shinchoku.core.business_cost import (
    amount_text,
    full_cost,
    staff_cost,
    unit_cost,
    year_cost,
)

D = Decimal
amounts = st.decimals(min_value=0, max_value=10**9, places=1, allow_nan=False)
person_years = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
maybe = st.none() | amounts


def test_the_module_does_not_import_django():
    source = Path(module.__file__).read_text(encoding="utf-8")
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not any(str(name).startswith("django") for name in names)


def test_a_sheet_of_the_usual_kind():
    # 決算 9,708千円, 0.5人工 at 8,000千円 → 人件費 4,000, フルコスト 13,708; 400件 → 34.3千円/件
    assert staff_cost(D("0.5"), D("8000")) == D("4000.0")
    assert full_cost(D("9708"), D("0.5"), D("8000")) == D("13708.0")
    assert unit_cost(D("13708"), D("400")) == D("34.3")
    year = year_cost(
        2020,
        budget=D("10000"),
        settlement=D("9708"),
        staff_years=D("0.5"),
        output=D("400"),
        rate=D("8000"),
    )
    assert (year.staff, year.full, year.unit) == (D("4000.0"), D("13708.0"), D("34.3"))
    assert year.shown["full"] == "13,708" and year.shown["unit"] == "34.3"
    assert year.shown["staff_years"] == "0.5"


def test_a_missing_figure_gives_no_cost_never_zero():
    assert full_cost(None, D("1"), D("8000")) is None
    assert full_cost(D("100"), None, D("8000")) is None
    assert full_cost(D("100"), D("1"), None) is None
    assert unit_cost(None, D("10")) is None
    assert unit_cost(D("100"), None) is None
    assert unit_cost(D("100"), D("0")) is None  # no output: no cost per output
    assert amount_text(None) == "―"
    year = year_cost(
        2021, budget=None, settlement=None, staff_years=None, output=None, rate=D("8000")
    )
    assert set(year.shown.values()) == {"―"}


def test_a_business_run_by_staff_time_only():
    assert full_cost(D("0"), D("1.5"), D("8000")) == D("12000.0")


def test_amounts_are_written_with_grouping_and_a_triangle():
    assert amount_text(D("1234567.0")) == "1,234,567"
    assert amount_text(D("12.50")) == "12.5"
    assert amount_text(D("-300")) == "△300"


@given(maybe, st.none() | person_years, st.none() | amounts)
def test_the_full_cost_is_the_settlement_plus_the_staff_cost(settlement, years, rate):
    full = full_cost(settlement, years, rate)
    if settlement is None or years is None or rate is None:
        assert full is None
    else:
        assert full is not None
        assert abs(full - (settlement + years * rate)) <= D("0.05")
        assert full >= settlement


@given(amounts, st.none() | amounts)
def test_the_unit_cost_times_the_output_gives_back_the_full_cost(full, output):
    unit = unit_cost(full, output)
    if output is None or output <= 0:
        assert unit is None
    else:
        assert unit is not None and unit >= 0
        assert abs(unit * output - full) <= D("0.05") * output


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_every_amount_text_reads_back(number):
    text = amount_text(number)
    back = D(text.replace(",", "").replace("△", "-"))
    assert back == number
