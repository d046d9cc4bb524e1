"""Japanese quantities as plan documents write them, parsed beside their exact text.

A value is numeric only when, after its prefix (年, 既受講者…), unit, parenthesised second
figure and footnote markers are set aside, exactly one number or range remains. Otherwise it
is text, which is always safe: text values are kept and shown as written for a person to judge.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

NONE_MARKS = frozenset({"－", "―", "-", "—", "ー", "‐", "−", "–", "─"})
YEN_UNITS: dict[str, int] = {"円": 1, "千円": 1000, "万円": 10000, "百万円": 10**6, "億円": 10**8}
# Counters recognised at the start of what follows a number; the rest is a suffix:
# 回受講 → 回 + 受講.
COUNTERS = (
    "百万円", "千円", "万円", "億円", "円", "人/km", "人日", "%", "団体", "世帯", "法人", "組織",
    "施設", "地区", "か所", "箇所", "時間", "人", "件", "回", "名", "校", "戸", "台", "本", "部",
    "冊", "個", "社", "日", "か月", "ヶ月", "年", "倍", "点", "割",
)  # fmt: skip
MAX_PREFIX = 6
MAX_UNIT = 6

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MAIN = re.compile(
    rf"^(?P<prefix>[^\d△▲+\-]*?)\s*(?P<sign>[△▲\-])?\s*(?P<num>{_NUMBER})"
    rf"(?:\s*[~〜]\s*(?P<high>{_NUMBER}))?\s*(?P<rest>[^\d]*)$"
)
_FOOTNOTE = re.compile(r"\(\s*(\*\d*)\s*\)|(\*\d*)|(※\d*)")
_TRAILING_PAREN = re.compile(r"^(?P<head>.*?)\s*\((?P<inner>[^()]*)\)\s*$")
_ESTIMATE = re.compile(r"\(?\s*見込み?\s*\)?")


class IncompatibleUnits(ValueError):
    """Two units cannot be converted into each other."""


@dataclass(frozen=True)
class Value:
    text: str
    kind: str  # "number" | "range" | "text" | "none" | "empty"
    number: Decimal | None = None
    high: Decimal | None = None
    unit: str = ""
    prefix: str = ""
    suffix: str = ""
    second: Value | None = None
    footnotes: tuple[str, ...] = ()
    estimate: bool = False

    def is_numeric(self) -> bool:
        """True for a number or a range."""
        return self.kind in ("number", "range")


def normalise_digits(text: str) -> str:
    """Turn full-width digits and number punctuation into ASCII (NFKC), keeping other text."""
    out = unicodedata.normalize("NFKC", text)
    return out.replace("〜", "~").replace("，", ",")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _split_unit(rest: str) -> tuple[str, str] | None:
    """Split what follows a number into unit and suffix; None when it is not a unit."""
    rest = rest.strip()
    if not rest:
        return "", ""
    for counter in COUNTERS:
        if rest.startswith(counter):
            return counter, rest[len(counter) :].strip()
    if len(rest) <= MAX_UNIT and not re.search(r"[\s()、。,]", rest):
        return rest, ""
    return None


def parse_value(text: str | None) -> Value:
    """Parse a value cell; never raises, and keeps the text exactly as given."""
    original = "" if text is None else str(text)
    stripped = original.strip()
    if not stripped:
        return Value(original, "empty")
    if stripped in NONE_MARKS:
        return Value(original, "none")
    s = normalise_digits(stripped).replace("％", "%")
    estimate = bool(re.search(r"見込", s))
    if estimate:
        s = _ESTIMATE.sub("", s).strip()
    footnotes = []

    def take_footnote(m: re.Match[str]) -> str:
        footnotes.append(next(g for g in m.groups() if g))
        return ""

    s = _FOOTNOTE.sub(take_footnote, s).strip()
    second = None
    m = _TRAILING_PAREN.match(s)
    if m and m.group("head"):
        inner = parse_value(m.group("inner"))
        if inner.is_numeric():
            second = inner
            s = m.group("head").strip()
    parsed = _parse_main(s)
    if parsed is None:
        return Value(original, "text", estimate=estimate)
    number, high, unit, prefix, suffix = parsed
    return Value(
        text=original,
        kind="range" if high is not None else "number",
        number=number,
        high=high,
        unit=unit,
        prefix=prefix,
        suffix=suffix,
        second=second,
        footnotes=tuple(footnotes),
        estimate=estimate,
    )


def _parse_main(s: str) -> tuple[Decimal, Decimal | None, str, str, str] | None:
    m = _MAIN.match(s)
    if not m:
        return None
    prefix = m.group("prefix").strip()
    if len(prefix) > MAX_PREFIX or re.search(r"[()、。,.]", prefix):
        return None
    number = _decimal(m.group("num"))
    high = _decimal(m.group("high")) if m.group("high") else None
    split = _split_unit(m.group("rest"))
    if number is None or split is None:
        return None
    if m.group("sign"):
        number = -number
    unit, suffix = split
    if unit.startswith("%"):
        unit = "%"
    return number, high, unit, prefix, suffix


def format_number(number: Decimal, unit: str = "", prefix: str = "") -> str:
    """Write a number the way documents do: 9,708千円, △1,200円, 48.4%."""
    sign = "△" if number < 0 else ""
    return f"{prefix}{sign}{abs(number):,}{unit}"


def format_value(value: Value) -> str:
    """Render a parsed value canonically; text and none values come back as written."""
    if not value.is_numeric() or value.number is None:
        return value.text.strip()
    if value.kind == "range" and value.high is not None:
        core = f"{format_number(value.number)}~{format_number(value.high)}"
        out = f"{value.prefix}{core}{value.unit}{value.suffix}"
    else:
        out = format_number(value.number, value.unit, value.prefix) + value.suffix
    if value.second is not None:
        out += f"({format_value(value.second)})"
    return out


def _canonical_unit(unit: str) -> str:
    return unicodedata.normalize("NFKC", unit).replace("％", "%").replace("㎞", "km")


def compatible(unit_a: str, unit_b: str) -> bool:
    """True when numbers in the two units can be compared (same unit, or both yen)."""
    a, b = _canonical_unit(unit_a), _canonical_unit(unit_b)
    return a == b or (a in YEN_UNITS and b in YEN_UNITS)


def convert(number: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert exactly between yen units (千円 ↔ 万円 ↔ 円); same unit returns the number."""
    a, b = _canonical_unit(from_unit), _canonical_unit(to_unit)
    if a == b:
        return number
    if a in YEN_UNITS and b in YEN_UNITS:
        return number * YEN_UNITS[a] / Decimal(YEN_UNITS[b])
    raise IncompatibleUnits(f"単位「{from_unit}」と「{to_unit}」は換算できません。")


def comparable(a: Value, b: Value) -> tuple[Decimal, Decimal] | None:
    """Return both numbers in b's unit when both are numeric and compatible, else None."""
    if not (a.is_numeric() and b.is_numeric()) or a.number is None or b.number is None:
        return None
    if not compatible(a.unit, b.unit):
        return None
    return convert(a.number, a.unit, b.unit), b.number
