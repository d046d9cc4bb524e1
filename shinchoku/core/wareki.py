"""Japanese eras (和暦) and fiscal years (年度: 1 April – 31 March)."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Era:
    name: str
    start: date
    initial: str  # the one-letter abbreviation: R, H, S, T, M


ERAS: tuple[Era, ...] = (
    Era("令和", date(2019, 5, 1), "R"),
    Era("平成", date(1989, 1, 8), "H"),
    Era("昭和", date(1926, 12, 25), "S"),
    Era("大正", date(1912, 7, 30), "T"),
    Era("明治", date(1868, 10, 23), "M"),
)
_BY_NAME = {e.name: e for e in ERAS}
_BY_INITIAL = {e.initial: e for e in ERAS}


def era_of(day: date) -> tuple[str, int]:
    """Return the era and its year for a day: 2019-05-01 → ("令和", 1)."""
    for era in ERAS:
        if day >= era.start:
            return era.name, day.year - era.start.year + 1
    raise ValueError(f"{day} is before the Meiji era")


def fiscal_year(day: date) -> int:
    """Return the fiscal year a day falls in: 2020-03-31 → 2019."""
    return day.year if day.month >= 4 else day.year - 1


def fy_era(fy: int) -> tuple[str, int]:
    """Return the era name used for a fiscal year.

    The latest era that began on or before 31 December of that western year: FY2019 is 令和元年度,
    FY1988 is 昭和63年度.
    """
    return era_of(date(fy, 12, 31))


def era_year_text(n: int) -> str:
    """Write an era year: 1 → 元."""
    return "元" if n == 1 else str(n)


@functools.lru_cache(maxsize=256)  # a report writes a few years hundreds of times (issue 16)
def fy_short(fy: int) -> str:
    """令和元年度."""
    name, year = fy_era(fy)
    return f"{name}{era_year_text(year)}年度"


def fy_western(fy: int) -> str:
    """2019年度."""
    return f"{fy}年度"


def fy_label(fy: int) -> str:
    """令和元年度(2019年度): the era name with the western year."""
    return f"{fy_short(fy)}({fy}年度)"


def fy_alternatives(fy: int) -> list[str]:
    """Every era name a document may use for a fiscal year: FY2019 → 令和元年度, 平成31年度."""
    names = [fy_short(fy)]
    start_name, start_year = era_of(date(fy, 4, 1))
    alt = f"{start_name}{era_year_text(start_year)}年度"
    if alt not in names:
        names.append(alt)
    return names


_FY_PATTERNS = (
    # 平成31(2019)年度, 2019(平成31)年度: the western year in either place wins.
    re.compile(r"(\d{4})\s*\((?:令和|平成|昭和|大正|明治)\s*(?:\d+|元)\s*\)\s*年度?"),
    re.compile(r"(?:令和|平成|昭和|大正|明治)\s*(?:\d+|元)\s*\(\s*(\d{4})\s*\)\s*年度?"),
)
_ERA_YEAR = re.compile(r"(令和|平成|昭和|大正|明治|[RHSTM])\s*(\d+|元)\s*(?:年度|年|$)")
_WESTERN_FY = re.compile(r"(?<!\d)(\d{4})\s*年度")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _western(era_name: str, year_text: str) -> int | None:
    era = _BY_NAME.get(era_name) or _BY_INITIAL.get(era_name.upper())
    if era is None:
        return None
    year = 1 if year_text == "元" else int(year_text)
    return era.start.year + year - 1


def parse_fy(text: str) -> int | None:
    """Read a fiscal year from text: 平成31(2019)年度, 2020年度, 令和５年度, H30 → western FY."""
    s = _normalise(text or "").strip()
    for pattern in _FY_PATTERNS:
        m = pattern.search(s)
        if m:
            return int(m.group(1))
    m = _ERA_YEAR.search(s)
    if m:
        return _western(m.group(1), m.group(2))
    m = _WESTERN_FY.search(s)
    if m:
        return int(m.group(1))
    return None


_DATE = re.compile(r"(令和|平成|昭和|大正|明治)\s*(\d+|元)\s*年\s*(\d+)\s*月\s*(\d+)\s*日")


def parse_wareki_date(text: str) -> date | None:
    """Read a 和暦 date: 平成31年1月31日 → 2019-01-31."""
    m = _DATE.search(_normalise(text or ""))
    if not m:
        return None
    year = _western(m.group(1), m.group(2))
    try:
        return date(year, int(m.group(3)), int(m.group(4))) if year else None
    except ValueError:
        return None


def date_short(day: date) -> str:
    """令和元年5月31日: a day in 和暦 only."""
    era, year = era_of(day)
    return f"{era}{era_year_text(year)}年{day.month}月{day.day}日"


def date_label(day: date) -> str:
    """令和元年5月31日(2019年5月31日): a day in 和暦 with the western date, as pages write it."""
    return f"{date_short(day)}({day.year}年{day.month}月{day.day}日)"


_ERA_NAMES = "令和|平成|昭和|大正|明治"
_SEP = r"\s*[./\-・]\s*"
_TYPED_DATES = (
    # 令和元年5月31日, R1年5月31日, optionally followed by (2019年5月31日) or (2019年)
    re.compile(
        rf"(?P<era>{_ERA_NAMES}|[RHSTM])\s*(?P<ey>\d+|元)\s*年\s*(?P<m>\d+)\s*月\s*(?P<d>\d+)\s*日?"
        r"(?:\s*\(\s*(?P<wy>\d{4})\s*年?(?:\s*(?P<wm>\d+)\s*月\s*(?P<wd>\d+)\s*日?)?\s*\))?",
        re.IGNORECASE,
    ),
    # R1.5.31, H31/4/30, 令和1.5.31
    re.compile(
        rf"(?P<era>{_ERA_NAMES}|[RHSTM])\s*(?P<ey>\d+|元){_SEP}(?P<m>\d+){_SEP}(?P<d>\d+)",
        re.IGNORECASE,
    ),
    # 2019-05-31, 2019/5/31, 2019.5.31, 2019年5月31日
    re.compile(rf"(?P<y>\d{{4}})(?:{_SEP}|\s*年\s*)(?P<m>\d+)(?:{_SEP}|\s*月\s*)(?P<d>\d+)\s*日?"),
)


def parse_date(text: str) -> date | None:
    """Read a date typed in any of the usual ways; None when it is not one date.

    令和元年5月31日, 令和元年5月31日(2019年5月31日), 令和1年5月31日(2019年), R1.5.31, r1/5/31,
    2019-05-31, 2019/5/31, 2019年5月31日; full-width digits too. A 和暦 date before its era
    began (令和元年4月30日) is refused, and so is a western year in brackets that disagrees.
    """
    s = _normalise(text or "").strip()
    for pattern in _TYPED_DATES:
        m = pattern.fullmatch(s)
        if not m:
            continue
        groups = m.groupdict()
        try:
            if groups.get("era"):
                era = _BY_NAME.get(groups["era"]) or _BY_INITIAL[groups["era"].upper()]
                era_year = 1 if groups["ey"] == "元" else int(groups["ey"])
                if era_year < 1:
                    return None
                day = date(era.start.year + era_year - 1, int(groups["m"]), int(groups["d"]))
                if day < era.start:
                    return None
                if groups.get("wy") and int(groups["wy"]) != day.year:
                    return None
                if groups.get("wm") and (int(groups["wm"]), int(groups["wd"])) != (
                    day.month,
                    day.day,
                ):
                    return None
                return day
            return date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        except (ValueError, OverflowError):
            return None
    return None


def moment_label(moment: datetime) -> str:
    """令和8年12月3日(2026年12月3日) 21:18: a local date and time in 和暦 with the western date."""
    return f"{date_label(moment.date())} {moment:%H:%M}"
