"""Counts of self-evaluations and content statuses, for plans judged without figures.

Plain Python, no Django. A plan without indicators is summarised by its self-evaluation scale
(A 計画どおり実施 / B 概ね実施 / C 一部実施 / D 未実施 …, set per plan) instead of achievement
bands: how many 事業 got each evaluation, per 基本目標, per department and for the whole plan.
Content statuses (予定どおり, 遅れ …) are counted the same way in the plan's own order.

A code that is not on the scale (the scale was changed after the sheets were approved) is
counted under its own name after the scale's codes; an empty evaluation is 未評価.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

UNRATED = "未評価"


@dataclass
class Counts:
    """Counts per key, in a fixed order (the scale's codes, the plan's statuses)."""

    order: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # key → "A 計画どおり実施"
    empty: str = UNRATED  # what an empty key is counted as
    counts: Counter = field(default_factory=Counter)

    def fresh(self) -> Counts:
        """An empty count with the same order and labels."""
        return Counts(self.order, self.labels, self.empty)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key.strip() or self.empty] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def keys(self) -> list[str]:
        """The order's keys, then any other key counted, then the empty one when counted."""
        extra = [k for k in self.counts if k not in self.order and k != self.empty]
        tail = [self.empty] if self.counts.get(self.empty) else []
        return [*self.order, *extra, *tail]

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def rows(self, keys: Iterable[str] | None = None) -> list[tuple[str, str, int]]:
        """(key, label, count) for every key (the given ones, for columns shared by a table)."""
        return [(k, self.label(k), self.counts.get(k, 0)) for k in (keys or self.keys())]


def scale_labels(scale: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Evaluation code → "A 計画どおり実施" (the code alone when the scale gives no name)."""
    out = {}
    for s in scale:
        code = str(s.get("code", "")).strip()
        if code:
            name = str(s.get("name", "")).strip()
            out[code] = f"{code} {name}".strip()
    return out


def evaluation_counts(scale: Iterable[Mapping[str, str]]) -> Counts:
    """An empty count of evaluations on the plan's scale."""
    labels = scale_labels(scale)
    return Counts(tuple(labels), labels)


def status_counts(statuses: Iterable[str]) -> Counts:
    """An empty count of content statuses in the plan's order."""
    return Counts(tuple(s for s in statuses if s), empty="状況未記入")


def count_by(pairs: Iterable[tuple[str, str]], template: Counts) -> dict[str, Counts]:
    """Counts per group from (group, key) pairs, each group with the template's order."""
    out: dict[str, Counts] = {}
    for group, key in pairs:
        if group not in out:
            out[group] = template.fresh()
        out[group].add(key)
    return out


def shared_keys(counts: Iterable[Counts]) -> list[str]:
    """Columns for a table of several counts: every key any of them shows, in order."""
    keys: list[str] = []
    for c in counts:
        for k in c.keys():
            if k not in keys:
                keys.append(k)
    return keys
