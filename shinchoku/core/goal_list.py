"""A plan's goals typed as a numbered list: one goal a line, the number saying its level.

Plain Python. "1 誰もが安心して暮らせるまち" is a top goal; "1-1 見守りの充実" (or 1.1, 1－1)
sits under goal 1. A line without a number continues nowhere: it is refused with its line number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LINE = re.compile(r"^\s*(?P<number>\d+(?:\s*[-.]\s*\d+)*)[\s.)）:：、]*(?P<title>.*)$")
MAX_DEPTH = 5
MAX_GOALS = 500


@dataclass
class Goal:
    """One typed goal: its number as parts (1, 2 for 1-2), its title and the goals under it."""

    number: tuple[int, ...]
    title: str
    children: list[Goal] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "-".join(str(n) for n in self.number)

    @property
    def key(self) -> str:
        return "g" + self.label


@dataclass
class GoalProblem:
    line: int  # 1-based line of the text
    message: str


def parse_goals(text: str) -> tuple[list[Goal], list[GoalProblem]]:
    """Read a numbered goal list; every problem comes with its line number (nothing half-read)."""
    roots: list[Goal] = []
    by_number: dict[tuple[int, ...], Goal] = {}
    problems: list[GoalProblem] = []
    for i, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line:
            continue
        match = LINE.match(line)
        title = match.group("title").strip() if match else ""
        if match is None or not title:
            problems.append(
                GoalProblem(
                    i, f"{i}行目: 「番号 目標名」の形で書いてください（例: 1-2 見守りの充実）。"
                )
            )
            continue
        number = tuple(int(p) for p in re.split(r"\s*[-.]\s*", match.group("number")))
        if len(number) > MAX_DEPTH:
            problems.append(GoalProblem(i, f"{i}行目: 番号の階層は{MAX_DEPTH}つまでです。"))
            continue
        if number in by_number:
            problems.append(
                GoalProblem(i, f"{i}行目: 番号「{match.group('number')}」が二度あります。")
            )
            continue
        goal = Goal(number, title[:500])
        if len(number) == 1:
            roots.append(goal)
        elif number[:-1] in by_number:
            by_number[number[:-1]].children.append(goal)
        else:
            parent = "-".join(str(n) for n in number[:-1])
            problems.append(
                GoalProblem(i, f"{i}行目: 上位の目標「{parent}」がこれより前の行にありません。")
            )
            continue
        by_number[number] = goal
        if len(by_number) > MAX_GOALS:
            problems.append(GoalProblem(i, f"目標は{MAX_GOALS}件までです。"))
            break
    return roots, problems


def goals_text(goals: list[Goal]) -> str:
    """The list back as text, one goal a line (the form shows a plan's goals this way)."""
    lines: list[str] = []

    def walk(items: list[Goal]) -> None:
        for g in items:
            lines.append(f"{g.label} {g.title}")
            walk(g.children)

    walk(goals)
    return "\n".join(lines)


def depth(goals: list[Goal]) -> int:
    """How many levels the list has (0 when empty)."""
    return max((1 + depth(g.children) for g in goals), default=0)
