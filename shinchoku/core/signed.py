"""Signed figures as Japanese public documents write them: △ before a negative number.

One place for the sign of every figure shown to people (pages, PDF, Excel): `signed` writes a
number, `percent` a fraction as a percentage, `triangle` a figure typed with a minus sign
(-5件 → △5件), `excel_format` an Excel number format with the same convention. Open data
(CSV, JSON) keeps the ASCII minus: programs read it, not people.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

MINUS = "△"  # the documents' minus sign (▲ is the other spelling read, never written)

_MINUS_TYPED = re.compile(r"^(\D*?)[-−－▲]\s*(?=\d)")


def signed(number: Decimal | int | float, unit: str = "", *, places: int | None = None) -> str:
    """Write a number with grouping and △ when negative: -1200 → △1,200, 48.4 → 48.4.

    `places` rounds half up to that many decimals (and keeps trailing zeros); None writes the
    number's own digits. A number that rounds to zero has no sign.
    """
    value = number if isinstance(number, Decimal) else Decimal(str(number))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = MINUS if value < 0 else ""
    return f"{sign}{abs(value):,f}{unit}"


def percent(fraction: Decimal | int | float | None, places: int = 1) -> str:
    """A fraction as a percentage: 0.4591 → 45.9%, -0.5 → △50.0%; None → ""."""
    if fraction is None:
        return ""
    value = fraction if isinstance(fraction, Decimal) else Decimal(str(fraction))
    return signed(value * 100, "%", places=places)


def triangle(text: str) -> str:
    """A figure typed with a minus sign, as documents write it: -5件 → △5件, 前年比-3% → 前年比△3%.

    Texts without a leading minus before a digit come back unchanged.
    """
    return _MINUS_TYPED.sub(rf"\g<1>{MINUS}", text, count=1)


def excel_format(positive: str) -> str:
    """An Excel number format whose negatives carry △: #,##0"人" → #,##0"人";△#,##0"人"."""
    return f"{positive};{MINUS}{positive}"
