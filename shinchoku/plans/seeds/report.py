"""The import report: what a seed reader could not place, normalised or found in disagreement."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = {
    "unplaced": "未配置",
    "disagreement": "不一致",
    "normalised": "正規化",
    "interpretation": "解釈",
    "missing": "欠落",
}


@dataclass(frozen=True)
class Entry:
    source: str  # seed file name, e.g. "000"
    where: str  # a human pointer: "実施項目16 目標(数値)1", "line 412"
    kind: str  # one of KINDS
    message: str  # Japanese, says what was found and what was kept


@dataclass
class ImportReport:
    entries: list[Entry] = field(default_factory=list)

    def add(self, source: str, where: str, kind: str, message: str) -> None:
        """Record one irregularity."""
        if kind not in KINDS:
            raise ValueError(f"unknown report kind: {kind}")
        self.entries.append(Entry(source, where, kind, message))

    def of_kind(self, kind: str) -> list[Entry]:
        """Return the entries of one kind."""
        return [e for e in self.entries if e.kind == kind]

    def lines(self) -> list[str]:
        """Render the report, one line per entry, grouped by source."""
        out = []
        for e in sorted(self.entries, key=lambda e: e.source):
            out.append(f"[{e.source}] {KINDS[e.kind]} {e.where}: {e.message}")
        return out
