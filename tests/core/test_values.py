"""Japanese quantities: examples from the seed documents and properties (no Django here)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.values import (
    YEN_UNITS,
    IncompatibleUnits,
    comparable,
    compatible,
    convert,
    format_number,
    format_value,
    normalise_digits,
    parse_value,
)

DEMO = Path(__file__).resolve().parents[2] / "shinchoku" / "plans" / "demo"


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("9,708千円", Decimal(9708), "千円"),
        ("１２３人", Decimal(123), "人"),
        ("△1,200円", Decimal(-1200), "円"),
        ("▲3件", Decimal(-3), "件"),
        ("48.4%", Decimal("48.4"), "%"),
        ("48.4％", Decimal("48.4"), "%"),
        ("12", Decimal(12), ""),
        ("3,000万円", Decimal(3000), "万円"),
    ],
)
def test_numbers(text: str, number: Decimal, unit: str) -> None:
    value = parse_value(text)
    assert value.kind == "number"
    assert value.number == number
    assert value.unit == unit
    assert value.text == text


def test_per_year_prefix() -> None:
    value = parse_value("年12回")
    assert (value.kind, value.prefix, value.number, value.unit) == ("number", "年", 12, "回")


def test_range() -> None:
    value = parse_value("4~6回")
    assert (value.kind, value.number, value.high, value.unit) == ("range", 4, 6, "回")
    assert parse_value("4〜6回").high == 6
    assert format_value(value) == "4~6回"


def test_second_figure_in_parentheses() -> None:
    value = parse_value("66人 (31人)")
    assert value.number == 66 and value.unit == "人"
    assert value.second is not None and value.second.number == 31
    assert format_value(value) == "66人(31人)"


def test_footnotes_and_estimate() -> None:
    value = parse_value("1,234人(*1)")
    assert value.number == 1234 and value.footnotes == ("*1",)
    assert value.second is None
    estimate = parse_value("250件(見込み)")
    assert estimate.estimate and estimate.number == 250


@pytest.mark.parametrize("mark", ["－", "―", "-"])
def test_no_figure(mark: str) -> None:
    assert parse_value(mark).kind == "none"
    assert not parse_value(mark).is_numeric()


def test_empty_and_text() -> None:
    assert parse_value("").kind == "empty"
    assert parse_value(None).kind == "empty"
    text = parse_value("取り組み実施")
    assert text.kind == "text" and text.text == "取り組み実施" and text.number is None
    # Two numbers in a sentence are not one quantity: kept as text.
    assert parse_value("3地区で実施、5地区で検討").kind == "text"


def test_suffix_after_counter() -> None:
    value = parse_value("20回受講")
    assert (value.number, value.unit, value.suffix) == (20, "回", "受講")


def test_yen_conversion_is_exact() -> None:
    assert convert(Decimal(9708), "千円", "円") == 9708000
    assert convert(Decimal(9708), "千円", "万円") == Decimal("970.8")
    assert convert(Decimal("970.8"), "万円", "千円") == 9708
    assert convert(Decimal(5), "人", "人") == 5
    with pytest.raises(IncompatibleUnits) as refused:
        convert(Decimal(1), "人", "円")
    assert (refused.value.reason.args["unit"], refused.value.reason.args["against_unit"]) == (
        "人",
        "円",
    )
    assert compatible("千円", "万円") and compatible("%", "％") and not compatible("人", "件")


def test_comparable_converts_into_second_unit() -> None:
    assert comparable(parse_value("1,000千円"), parse_value("200万円")) == (100, 200)
    assert comparable(parse_value("5人"), parse_value("5件")) is None
    assert comparable(parse_value("実施"), parse_value("5件")) is None


def test_normalise_digits() -> None:
    assert normalise_digits("１，２３４〜５") == "1,234~5"


decimals = st.decimals(
    min_value=Decimal(-(10**9)), max_value=Decimal(10**9), places=2, allow_nan=False
)
units = st.sampled_from(["", "人", "件", "回", "千円", "万円", "円", "%", "世帯", "団体"])


@given(decimals, units, st.sampled_from(["", "年", "月"]))
def test_format_then_parse_round_trips(number: Decimal, unit: str, prefix: str) -> None:
    text = format_number(number, unit, prefix)
    value = parse_value(text)
    assert value.kind == "number"
    assert value.number == number
    assert value.unit == unit
    assert value.prefix == prefix
    assert format_value(value) == text


@given(decimals, st.sampled_from(list(YEN_UNITS)), st.sampled_from(list(YEN_UNITS)))
def test_yen_conversion_inverts(number: Decimal, a: str, b: str) -> None:
    assert convert(convert(number, a, b), b, a) == number


@given(st.text(max_size=40))
def test_parse_never_raises_and_keeps_text(text: str) -> None:
    value = parse_value(text)
    assert value.text == text
    assert value.kind in ("number", "range", "text", "none", "empty")
    if value.kind == "text":
        assert value.number is None


def _seed_value_texts() -> list[str]:
    texts = []
    for path in sorted(DEMO.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        stack = list(doc["plan"]["nodes"])
        while stack:
            node = stack.pop()
            stack.extend(node.get("children", []))
            for indicator in node.get("indicators", []):
                baseline = indicator.get("baseline")
                if baseline:
                    texts.append(baseline["value"])
                texts.extend(t["value"] for t in indicator.get("targets", []))
                texts.extend(a["value"] for a in indicator.get("actuals", []))
    return texts


def test_every_seed_value_parses_or_stays_text() -> None:
    texts = _seed_value_texts()
    assert len(texts) > 150
    plain_quantity = re.compile(r"^[△▲]?[\d,，.０-９]+(千円|万円|円|人|件|回|%|％|世帯|団体)?$")
    kinds: dict[str, int] = {}
    for text in texts:
        value = parse_value(text)
        kinds[value.kind] = kinds.get(value.kind, 0) + 1
        assert value.text == text
        if plain_quantity.match(text.strip()):
            assert value.is_numeric(), text
        if value.kind == "text":
            assert text.strip(), "an empty cell is never text"
    # Most seed cells are real quantities; a minority are words such as 実現 or 取り組み実施.
    assert kinds.get("number", 0) > kinds.get("text", 0)
