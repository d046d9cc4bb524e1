"""Short texts for a one-page summary: a text cut cleanly, and the few items worth showing.

Plain Python, no Django. A summary that must fit one A4 page shows a few items' 取組状況, each
cut to a length that the page can hold; cutting at a sentence end (。) reads better than in the
middle of a word, so the cut falls there when a sentence ends late enough.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")
_SENTENCE_ENDS = "。！？!?"

T = TypeVar("T")


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters: whitespace collapsed, cut after the last sentence
    end in the second half of the limit, else at the limit with "…"."""
    flat = _SPACE.sub(" ", text or "").strip()
    if limit <= 0:
        return ""
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    cut = max(head.rfind(c) for c in _SENTENCE_ENDS)
    if cut >= limit // 2:
        return head[: cut + 1]
    return head.rstrip(" 、,・") + ELLIPSIS


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """An item that may be shown: its grade code, its group (a goal) and what to show."""

    grade: str
    group: Hashable
    value: T


def pick(candidates: Sequence[Candidate[T]], best_first: Sequence[str], limit: int) -> list[T]:
    """Up to `limit` values: the best grades first (only grades on the scale's first half), and
    among equals one per group in turn, so that every goal gets its turn before one gets two.

    Candidates keep their order (the plan's) within a grade and group.
    """
    if limit <= 0:
        return []
    good = list(best_first[: max(1, (len(best_first) + 1) // 2)])
    out: list[T] = []
    for grade in good:
        queues: dict[Hashable, list[T]] = {}
        for c in candidates:
            if c.grade == grade:
                queues.setdefault(c.group, []).append(c.value)
        while any(queues.values()):
            for queue in queues.values():
                if queue:
                    out.append(queue.pop(0))
                    if len(out) == limit:
                        return out
    return out
