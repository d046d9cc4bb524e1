"""Japanese-aware text search: normalise, split a query into terms, find them, cut an excerpt.

Plain Python. Both the query and the searched text go through the same `normalize` (NFKC, then
casefold), so that ＡＢＣ, abc and ABC, ｶﾞ and ガ, ２ and 2 find each other. Matching is by
substring: Japanese has no spaces between words, so a two-character word such as 防災 or 会費
is found wherever it is written. Several terms must all occur (AND).

`normalize_with_map` also says, for every character of the normalised text, which characters
of the original it came from, so that a match found in the normalised text is highlighted in
the text as written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MIN_TERM_LENGTH = 2  # one character (福, の) would match nearly everything
MAX_TERMS = 8
MAX_QUERY_LENGTH = 200


def _is_mark(char: str) -> bool:
    """Combines with the character before it once normalised (゛ of ｶﾞ, accents)."""
    first = unicodedata.normalize("NFKC", char)[:1]
    return bool(first) and unicodedata.combining(first) != 0


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of a base character with the marks that follow it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _is_mark(text[i]):
            spans.append((start, i))
            start = i
    return spans if text else []


def normalize_with_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The normalised text and, per normalised character, the span of the original it came from."""
    out: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in _clusters(text):
        piece = unicodedata.normalize("NFKC", text[start:end]).casefold()
        out.append(piece)
        origin.extend([(start, end)] * len(piece))
    return "".join(out), origin


def normalize(text: str) -> str:
    """NFKC, then casefold: what the query and the searched text are compared as.

    The same as `normalize_with_map(text)[0]` for Japanese and Latin text (tested), and much
    faster: it runs over every searched record, the map only over the excerpts shown.
    """
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Query:
    """A query split into terms; `dropped` are words too short to search for."""

    terms: tuple[str, ...]
    dropped: tuple[str, ...] = ()
    too_long: bool = False

    @property
    def empty(self) -> bool:
        return not self.terms


def split_terms(raw: str) -> Query:
    """Normalise the query and split it on spaces (full-width ones too) into distinct terms."""
    too_long = len(raw) > MAX_QUERY_LENGTH
    words = normalize(raw[:MAX_QUERY_LENGTH]).split()
    terms: list[str] = []
    dropped: list[str] = []
    for word in words:
        if len(word) < MIN_TERM_LENGTH:
            if word not in dropped:
                dropped.append(word)
        elif word not in terms:
            terms.append(word)
    # A term inside another adds nothing to an AND search: keep the longer one.
    kept = [t for t in terms if not any(t != u and t in u for u in terms)]
    return Query(tuple(kept[:MAX_TERMS]), tuple(dropped), too_long or len(kept) > MAX_TERMS)


def matches_all(normalized_text: str, terms: tuple[str, ...] | list[str]) -> bool:
    """Every term occurs in the (already normalised) text."""
    return bool(terms) and all(t in normalized_text for t in terms)


def find_spans(normalized_text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """Every occurrence of every term, as sorted, merged [start, end) spans."""
    found: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        i = normalized_text.find(term)
        while i != -1:
            found.append((i, i + len(term)))
            i = normalized_text.find(term, i + 1)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class Piece:
    """A run of an excerpt, as written; `hit` when it is a match to highlight."""

    text: str
    hit: bool = False


ELLIPSIS = "…"


def excerpt(text: str, terms: tuple[str, ...] | list[str], width: int = 80) -> list[Piece]:
    """About `width` characters of `text` around its first match, cut into plain and hit pieces.

    The pieces joined give a substring of `text` (with … where it was cut); the hit pieces are
    the matches as written in `text`. Without any match: the start of the text.
    """
    text = " ".join(text.split())  # line breaks and runs of spaces read as one space
    if not text:
        return []
    norm, origin = normalize_with_map(text)
    spans = [(origin[a][0], origin[b - 1][1]) for a, b in find_spans(norm, terms)]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    lo, hi = window(len(text), merged[0] if merged else (0, 0), width)
    pieces: list[Piece] = []
    if lo > 0:
        pieces.append(Piece(ELLIPSIS))
    at = lo
    for start, end in merged:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        if start > at:
            pieces.append(Piece(text[at:start]))
        pieces.append(Piece(text[start:end], hit=True))
        at = end
    if hi > at:
        pieces.append(Piece(text[at:hi]))
    if hi < len(text):
        pieces.append(Piece(ELLIPSIS))
    return pieces


def window(length: int, match: tuple[int, int], width: int) -> tuple[int, int]:
    """A [lo, hi) window of at most `width` characters (or the match, if longer) around it.

    About a third of the room goes before the match, so that it reads in context.
    """
    start, end = match
    if length <= width:
        return 0, length
    if end - start >= width:
        return start, end
    lo = max(0, start - (width - (end - start)) // 3)
    hi = min(length, lo + width)
    lo = max(0, hi - width)
    return lo, hi
