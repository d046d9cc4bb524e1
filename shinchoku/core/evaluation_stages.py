"""The stages of a 事務事業評価 sheet: 自己評価 → 課長評価 → 事務局長の総合評価 → done.

Plain Python (the strings businesses.models.Stage stores): where a signed stage hands the sheet
on, where a sent-back one returns, and how each stage stands seen from the sheet's stage. A stage
may be changed only while it is the sheet's stage: once the next has started it is locked.
"""

from __future__ import annotations

SELF = "self"
CHIEF = "chief"
DIRECTOR = "director"
DONE = "done"
STAGES = (SELF, CHIEF, DIRECTOR)  # the stages that are signed
ORDER = (*STAGES, DONE)

SIGNED = "signed"  # before the sheet's stage: signed, locked
CURRENT = "current"  # the sheet's stage: being worked on
WAITING = "waiting"  # after it: not started


def next_stage(stage: str) -> str:
    """Where the sheet goes when `stage` is signed."""
    if stage not in STAGES:
        raise ValueError(f"not a stage that is signed: {stage!r}")
    return ORDER[ORDER.index(stage) + 1]


def previous_stage(stage: str) -> str | None:
    """Where the sheet at `stage` is sent back to; None at self (and when done)."""
    if stage not in ORDER:
        raise ValueError(f"not a stage: {stage!r}")
    if stage in (SELF, DONE):
        return None
    return ORDER[ORDER.index(stage) - 1]


def state_of(stage: str, current: str) -> str:
    """How `stage` stands when the sheet is at `current`: signed, current or waiting."""
    a, b = ORDER.index(stage), ORDER.index(current)
    return SIGNED if a < b else CURRENT if a == b else WAITING


def changeable(stage: str, current: str, *, round_open: bool) -> bool:
    """Whether `stage`'s fields may still change: its own stage, in an open round."""
    return round_open and stage in STAGES and stage == current
