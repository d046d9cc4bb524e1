"""Download file names: built in Japanese from the plan title, the 和暦 FY and the kind of document.

Pure functions (no Django). shinchoku.downloads puts the result into a Content-Disposition
header with an RFC 5987 ``filename*`` and an ASCII ``filename`` fallback.
"""

from __future__ import annotations

import re
import unicodedata

from shinchoku.core.wareki import fy_short

# Characters Windows, macOS or a browser refuse or rewrite in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
_UNDERSCORES = re.compile(r"_{2,}")
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM = 120


def safe_part(text: str) -> str:
    """One part of a name: unsafe characters and spaces become "_", no leading or trailing dots."""
    text = unicodedata.normalize("NFC", str(text))
    text = _UNSAFE.sub("_", text)
    text = _SPACES.sub("_", text)
    text = _UNDERSCORES.sub("_", text)
    return text.strip("._ ")


def download_name(*parts: str | None, ext: str) -> str:
    """Join the non-empty parts with "_": 計画名_令和元年度_委員会資料.pdf.

    The stem is kept under MAX_STEM characters (a long plan title is shortened with "…").
    """
    cleaned = [p for p in (safe_part(p) for p in parts if p) if p]
    stem = "_".join(cleaned) or "download"
    if len(stem) > MAX_STEM:
        stem = stem[: MAX_STEM - 1] + "…"
    ext = safe_part(ext).lstrip(".")
    return f"{stem}.{ext}" if ext else stem


def plan_fy_name(plan_title: str, fy: int | None, kind: str, ext: str, *extra: str) -> str:
    """The usual shape: plan title, 和暦 FY (when there is one), document kind, extras."""
    return download_name(plan_title, fy_short(fy) if fy else None, kind, *extra, ext=ext)


def ascii_fallback(name: str, default: str = "download") -> str:
    """An ASCII-only name for old clients: report_2019.pdf from 計画_report_2019.pdf."""
    normalized = unicodedata.normalize("NFKC", name)
    stem, dot, ext = normalized.rpartition(".")
    if not dot:
        stem, ext = normalized, ""
    stem = _NOT_ASCII_SAFE.sub("_", stem)
    stem = _UNDERSCORES.sub("_", stem).strip("._-")
    ext = _NOT_ASCII_SAFE.sub("", ext)
    stem = stem or default
    return f"{stem}.{ext}" if ext else stem
