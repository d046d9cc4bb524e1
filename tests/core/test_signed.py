"""Negative figures are written with △, as Japanese public documents write them (no Django)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.signed import excel_format, percent, signed, triangle
from shinchoku.core.values import format_number, parse_value

decimals = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


def test_examples() -> None:
    assert signed(-1200) == "△1,200"
    assert signed(Decimal("48.4"), "%") == "48.4%"
    assert percent(Decimal("-0.5")) == "△50.0%"
    assert percent(Decimal("0.4591")) == "45.9%"
    assert percent(Decimal("0.00045")) == "0.0%"
    assert percent(Decimal("-0.0004")) == "0.0%"  # rounds to zero: no sign
    assert percent(None) == ""
    assert triangle("-5件") == "△5件" and triangle("前年比−3%") == "前年比△3%"
    assert triangle("1-2回") == "1-2回" and triangle("△5件") == "△5件"
    assert excel_format('#,##0"人"') == '#,##0"人";△#,##0"人"'


@given(decimals)
def test_a_sign_is_a_triangle_and_never_a_minus(number: Decimal) -> None:
    text = signed(number)
    assert "-" not in text and "−" not in text
    assert text.startswith("△") == (number < 0)


@given(decimals)
def test_what_is_written_reads_back(number: Decimal) -> None:
    assert parse_value(signed(number)).number == number
    assert format_number(number) == signed(number)  # values writes through the one function


@given(st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False))
def test_percent_is_the_rounded_fraction_with_one_decimal(fraction: Decimal) -> None:
    text = percent(fraction)
    assert text.endswith("%")
    shown = Decimal(text.rstrip("%").replace("△", "-").replace(",", ""))
    assert abs(shown - fraction * 100) <= Decimal("0.05")
    assert text.split(".")[1] and len(text.split(".")[1]) == 2  # one decimal, then %


@given(st.integers(min_value=-(10**6), max_value=10**6), st.sampled_from(["件", "人", "%", "千円"]))
def test_a_typed_minus_becomes_a_triangle(n: int, unit: str) -> None:
    typed = f"{n}{unit}"
    assert triangle(typed) == (f"△{-n}{unit}" if n < 0 else typed)
    assert triangle(triangle(typed)) == triangle(typed)
