"""The stages of a 事務事業評価 sheet: order, sending back, locks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core import evaluation_stages as module
from shinchoku.core.evaluation_stages import (
    CHIEF,
    CURRENT,
    DIRECTOR,
    DONE,
    ORDER,
    SELF,
    SIGNED,
    STAGES,
    WAITING,
    changeable,
    next_stage,
    previous_stage,
    state_of,
)


def test_the_module_does_not_import_django():
    source = Path(module.__file__).read_text(encoding="utf-8")
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not any(str(name).startswith("django") for name in names)


def test_three_signatures_complete_a_sheet():
    assert next_stage(SELF) == CHIEF and next_stage(CHIEF) == DIRECTOR
    assert next_stage(DIRECTOR) == DONE
    with pytest.raises(ValueError):
        next_stage(DONE)


def test_a_sheet_goes_back_one_stage_and_self_has_none_before_it():
    assert previous_stage(CHIEF) == SELF and previous_stage(DIRECTOR) == CHIEF
    assert previous_stage(SELF) is None and previous_stage(DONE) is None
    with pytest.raises(ValueError):
        previous_stage("approved")


@given(st.sampled_from([CHIEF, DIRECTOR]))
def test_sending_back_then_signing_again_returns_to_the_same_stage(stage):
    assert next_stage(previous_stage(stage)) == stage


@given(st.sampled_from(ORDER))
def test_the_stages_before_are_signed_and_those_after_wait(current):
    states = [state_of(stage, current) for stage in STAGES]
    n = ORDER.index(current)
    assert states == ([SIGNED] * n + [CURRENT] + [WAITING] * 2)[:3]
    assert states.count(CURRENT) == (0 if current == DONE else 1)


@given(st.sampled_from(STAGES), st.sampled_from(ORDER), st.booleans())
def test_only_the_sheets_own_stage_in_an_open_round_changes(stage, current, round_open):
    allowed = changeable(stage, current, round_open=round_open)
    assert allowed == (round_open and state_of(stage, current) == CURRENT)
    if current == DONE:
        assert not allowed  # a completed sheet is read-only to all
