"""Japanese quantities as plan documents write them, parsed beside their exact text.

A value is numeric only when, after its prefix (年, 既受講者…), unit, parenthesised second
figure and footnote markers are set aside, exactly one number or range remains. Otherwise it
is text, which is always safe: text values are kept and shown as written for a person to judge.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation, localcontext

from shinchoku.core.signed import signed

NONE_MARKS = frozenset({"－", "―", "-", "—", "ー", "‐", "−", "–", "─"})
YEN_UNITS: dict[str, int] = {"円": 1, "千円": 1000, "万円": 10000, "百万円": 10**6, "億円": 10**8}
# Counters recognised at the start of what follows a number; the rest is a suffix:
# 回受講 → 回 + 受講.
COUNTERS = (
    "百万円", "千円", "万円", "億円", "円", "人/km", "人日", "%", "団体", "世帯", "法人", "組織",
    "施設", "地区", "か所", "箇所", "ヶ所", "ヵ所", "カ所", "ケ所", "個所", "時間", "人", "件",
    "回", "名", "校", "戸", "台", "本", "部", "冊", "個", "社", "日", "か月", "ヶ月", "ヵ月",
    "カ月", "ケ月", "箇月", "年", "倍", "点", "割",
)  # fmt: skip
# Other spellings of one unit (after NFKC, which already turns ％ into %, ㎞ into km and
# full-width letters into ASCII): each is written as the first spelling of its group.
UNIT_SPELLINGS: dict[str, str] = {
    "箇所": "か所", "ヶ所": "か所", "ヵ所": "か所", "カ所": "か所", "ケ所": "か所", "個所": "か所",
    "ヶ月": "か月", "ヵ月": "か月", "カ月": "か月", "ケ月": "か月", "箇月": "か月",
    "パーセント": "%",
    "名": "人",  # people are counted in 人 or 名 alike (23名 = 23人)
}  # fmt: skip
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


# The figures a reason names (its `what` and `against`), worded by the web layer.
ACTUAL, TARGET, FINAL, BASELINE, INDICATOR = "actual", "target", "final", "baseline", "indicator"
# Reason codes of this module: two units that cannot be compared, and an actual typed in a
# unit its indicator cannot take.
INCOMPATIBLE_UNITS = "incompatible_units"
UNIT_PROBLEM = "unit_problem"


@dataclass(frozen=True)
class Reason:
    """Why a figure cannot be judged or compared: a code and its parameters, no wording.

    core has no Django and no catalogue: the web layer (shinchoku.rounds.reasons) words each
    code in the reader's language.
    """

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: str) -> Reason:
        """A reason whose parameters compare equal whatever order they are given in."""
        return cls(code, tuple(sorted(params.items())))

    @property
    def args(self) -> dict[str, str]:
        return dict(self.params)


class IncompatibleUnits(ValueError):
    """Two units cannot be converted into each other; `reason` names both."""

    def __init__(self, reason: Reason):
        self.reason = reason
        args = reason.args
        super().__init__(f"cannot convert {args['unit']!r} into {args['against_unit']!r}")


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


@functools.lru_cache(maxsize=16384)
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
    return f"{prefix}{signed(number, unit)}"


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


# Pure functions of a text, called for every cell of every table: each text is worked out once
# per process (issue 16). Their results are frozen (Value), safe to share.
@functools.lru_cache(maxsize=2048)
def canonical_unit(unit: str) -> str:
    """One spelling per unit: NFKC (％ → %, ㎞ → km), no spaces, か所 for 箇所/ヶ所/ヵ所…"""
    out = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit or ""))
    out = out.replace("％", "%").replace("㎞", "km")
    for spelling, canonical in UNIT_SPELLINGS.items():
        out = out.replace(spelling, canonical)
    return out


_canonical_unit = canonical_unit  # the name older callers use


def same_unit(unit_a: str, unit_b: str) -> bool:
    """True when the two are spellings of one unit (千円 and 万円 are not the same unit)."""
    return canonical_unit(unit_a) == canonical_unit(unit_b)


def compatible(unit_a: str, unit_b: str) -> bool:
    """True when numbers in the two units can be compared (same unit, or both yen)."""
    a, b = canonical_unit(unit_a), canonical_unit(unit_b)
    return a == b or (a in YEN_UNITS and b in YEN_UNITS)


def _scale(number: Decimal, digits: int) -> Decimal:
    """number × 10^digits, exactly, written without exponent or trailing zeros."""
    with localcontext() as ctx:
        ctx.prec = max(60, len(number.as_tuple().digits) + abs(digits) + 2)
        out = number.scaleb(digits).normalize()
        if out.as_tuple().exponent > 0:  # type: ignore[operator]
            out = out.quantize(Decimal(1))
    return out


def convert(number: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert exactly between yen units (千円 ↔ 万円 ↔ 円); same unit returns the number."""
    a, b = canonical_unit(from_unit), canonical_unit(to_unit)
    if a == b:
        return number
    if a in YEN_UNITS and b in YEN_UNITS:
        digits = len(str(YEN_UNITS[a])) - len(str(YEN_UNITS[b]))
        return _scale(number, digits)
    raise IncompatibleUnits(incompatible(ACTUAL, from_unit, INDICATOR, to_unit))


@functools.lru_cache(maxsize=16384)  # pure: a frozen value and a unit, judged per cell (issue 16)
def to_unit(value: Value, unit: str) -> Value | None:
    """The value written in `unit` (an indicator's unit), or None when it cannot be.

    A bare number (no unit) takes `unit`. Yen units convert exactly; other spellings of the same
    unit (箇所 / か所, ％ / %) are the same unit. Text, empty and "－" values give None.
    """
    if not value.is_numeric() or value.number is None:
        return None
    source = value.unit or unit
    if not compatible(source, unit):
        return None
    target = unit or value.unit
    converted = replace(
        value,
        number=convert(value.number, source, target),
        high=convert(value.high, source, target) if value.high is not None else None,
        unit=target,
    )
    return replace(converted, text=format_value(converted))


def incompatible(what: str, unit: str, against: str, against_unit: str, name: str = "") -> Reason:
    """Why a figure cannot be compared, naming both units: the actual's 「人」 and the
    indicator's 「件」 (`what` and `against` are roles: ACTUAL, TARGET…; `name` names the
    indicator when `against` is one)."""
    return Reason.of(
        INCOMPATIBLE_UNITS,
        what=what,
        unit=(unit or "").strip(),
        against=against,
        against_unit=(against_unit or "").strip(),
        **({"name": name} if name else {}),
    )


def unit_problem(value: Value, unit: str, *, indicator: str = "") -> Reason | None:
    """Why an actual typed in a unit its indicator's unit cannot take is refused, else None.

    A bare number takes the indicator's unit and is accepted; so is text (a person judges it).
    `indicator` names the indicator in the message when given; `yen` says that every yen unit
    would have been converted.
    """
    if not unit or not value.is_numeric() or to_unit(value, unit) is not None:
        return None
    return Reason.of(
        UNIT_PROBLEM,
        unit=value.unit.strip(),
        against_unit=unit.strip(),
        **({"name": indicator} if indicator else {}),
        **({"yen": "yes"} if canonical_unit(unit) in YEN_UNITS else {}),
    )


def comparable(a: Value, b: Value) -> tuple[Decimal, Decimal] | None:
    """Return both numbers in b's unit when both are numeric and compatible, else None."""
    if not (a.is_numeric() and b.is_numeric()) or a.number is None or b.number is None:
        return None
    if not compatible(a.unit, b.unit):
        return None
    return convert(a.number, a.unit, b.unit), b.number
