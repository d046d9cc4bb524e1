"""The three-year rotation of 事務事業評価: balanced by year and department, three years apart."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shinchoku.core import rotation as rotation_module
from shinchoku.core.rotation import (
    Candidate,
    avoidable,
    cycle_years,
    earliest_fy,
    is_balanced,
    propose,
    too_soon,
    year_counts,
)

FIRST = 2020


def test_the_module_does_not_import_django():
    source = Path(rotation_module.__file__).read_text(encoding="utf-8")
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not any(str(name).startswith("django") for name in names)


def breaches(candidates: list[Candidate], assignment: dict) -> list:
    return [c.key for c in candidates if too_soon(c.last_fy, assignment[c.key])]


def department_counts(candidates: list[Candidate], assignment: dict) -> dict:
    out: dict = {}
    for c in candidates:
        out.setdefault(c.department, [])
    for department in out:
        keys = [c.key for c in candidates if c.department == department]
        out[department] = year_counts(assignment, FIRST, keys)
    return out


def balanced_everywhere(candidates: list[Candidate], assignment: dict) -> bool:
    return is_balanced(year_counts(assignment, FIRST)) and all(
        is_balanced(counts) for counts in department_counts(candidates, assignment).values()
    )


# --------------------------------------------------------------------------- examples


def test_the_rule_of_three_years():
    assert cycle_years(2020) == [2020, 2021, 2022]
    assert earliest_fy(2017) == 2020 and earliest_fy(None) is None
    assert too_soon(2018, 2020) and too_soon(2019, 2021) and too_soon(2020, 2020)
    assert not too_soon(2017, 2020) and not too_soon(None, 2020)
    assert avoidable(2019, 2020)  # 2022 is in the cycle
    assert not avoidable(2020, 2020)  # evaluated in the cycle's first year: no year is left


def test_nine_businesses_of_three_departments_are_three_a_year_one_of_each():
    candidates = [Candidate(n, n // 3) for n in range(9)]
    result = propose(candidates, FIRST)
    assert sorted(result) == list(range(9))
    assert year_counts(result, FIRST) == [3, 3, 3]
    assert all(c == [1, 1, 1] for c in department_counts(candidates, result).values())


def test_the_previous_cycle_is_kept_three_years_on():
    previous = {n: 2017 + n % 3 for n in range(12)}
    candidates = [Candidate(n, n % 2, previous[n]) for n in range(12)]
    result = propose(candidates, FIRST)
    assert result == {n: fy + 3 for n, fy in previous.items()}


def test_a_business_evaluated_last_year_waits_for_the_third_year():
    candidates = [
        Candidate("late", "総務課", 2019),
        Candidate("a", "総務課"),
        Candidate("b", "総務課"),
    ]
    assert propose(candidates, FIRST)["late"] == 2022


def test_an_overdue_business_comes_first():
    candidates = [
        Candidate("old", "総務課", 2010),
        Candidate("a", "総務課"),
        Candidate("b", "総務課"),
    ]
    assert propose(candidates, FIRST)["old"] == 2020


def test_when_the_rule_cannot_be_kept_for_all_the_fewest_fall_short_and_by_the_least():
    # Four businesses evaluated last year; only a third may go to FY2022.
    candidates = [Candidate(n, "総務課", 2019) for n in range(4)] + [
        Candidate(n, "総務課") for n in range(4, 6)
    ]
    result = propose(candidates, FIRST)
    assert year_counts(result, FIRST) == [2, 2, 2]
    assert len(breaches(candidates, result)) == 2
    # The two that fall short go to FY2021 (two years after), not FY2020.
    assert sorted(result[n] for n in range(4)) == [2021, 2021, 2022, 2022]


def test_no_business_and_one_business():
    assert propose([], FIRST) == {}
    assert propose([Candidate(1, 1)], FIRST) == {1: 2020}


def test_a_business_is_placed_once():
    with pytest.raises(ValueError):
        propose([Candidate(1, 1), Candidate(1, 2)], FIRST)


# --------------------------------------------------------------------------- properties

departments = st.integers(min_value=0, max_value=4)
last_fys = st.one_of(st.none(), st.integers(min_value=2012, max_value=2022))
candidate_lists = st.lists(st.tuples(departments, last_fys), max_size=40).map(
    lambda rows: [Candidate(n, d, last) for n, (d, last) in enumerate(rows)]
)


@settings(max_examples=150, deadline=None)
@given(candidate_lists)
def test_every_business_is_placed_once_in_a_year_of_the_cycle(candidates):
    result = propose(candidates, FIRST)
    assert sorted(result) == sorted(c.key for c in candidates)
    assert set(result.values()) <= set(cycle_years(FIRST))


@settings(max_examples=150, deadline=None)
@given(candidate_lists)
def test_the_years_hold_a_third_each(candidates):
    counts = year_counts(propose(candidates, FIRST), FIRST)
    assert sum(counts) == len(candidates)
    assert max(counts) - min(counts) <= 1


@settings(max_examples=150, deadline=None)
@given(candidate_lists)
def test_each_department_is_spread_over_the_years(candidates):
    result = propose(candidates, FIRST)
    for department, counts in department_counts(candidates, result).items():
        assert max(counts) - min(counts) <= 1, department


@settings(max_examples=150, deadline=None)
@given(candidate_lists)
def test_the_same_businesses_give_the_same_rotation(candidates):
    assert propose(candidates, FIRST) == propose(list(candidates), FIRST)


@st.composite
def keepable(draw):
    """Businesses for which some balanced rotation keeps every three-year distance: a balanced
    rotation is built first (each department's members on consecutive years, departments one
    after the other, the years relabelled), then each business is given a last evaluation at
    least three years before its year in it (or none)."""
    sizes = draw(st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=5))
    order = draw(st.permutations(cycle_years(FIRST)))
    candidates, witness, position = [], {}, 0
    for department, size in enumerate(sizes):
        for _ in range(size):
            key = len(candidates)
            fy = order[position % 3]
            position += 1
            witness[key] = fy
            gap = draw(st.one_of(st.none(), st.integers(min_value=3, max_value=6)))
            candidates.append(Candidate(key, department, None if gap is None else fy - gap))
    shuffled = draw(st.permutations(candidates))
    return list(shuffled), witness


@settings(max_examples=200, deadline=None)
@given(keepable())
def test_no_business_comes_within_three_years_when_a_balanced_rotation_avoids_it(case):
    candidates, witness = case
    assert balanced_everywhere(candidates, witness) and breaches(candidates, witness) == []
    result = propose(candidates, FIRST)
    assert breaches(candidates, result) == []
    assert balanced_everywhere(candidates, result)


def fewest_breaches(candidates: list[Candidate]) -> int:
    """By trying every rotation: the fewest breaches of the rule a balanced rotation has."""
    keys = [c.key for c in candidates]
    best = None
    for years in itertools.product(cycle_years(FIRST), repeat=len(candidates)):
        assignment = dict(zip(keys, years, strict=True))
        if balanced_everywhere(candidates, assignment):
            n = len(breaches(candidates, assignment))
            best = n if best is None else min(best, n)
    assert best is not None
    return best


small_lists = st.lists(st.tuples(st.integers(min_value=0, max_value=2), last_fys), max_size=7).map(
    lambda rows: [Candidate(n, d, last) for n, (d, last) in enumerate(rows)]
)


@settings(max_examples=120, deadline=None)
@given(small_lists)
def test_as_few_businesses_fall_short_as_any_balanced_rotation_allows(candidates):
    result = propose(candidates, FIRST)
    assert len(breaches(candidates, result)) == fewest_breaches(candidates)


@settings(max_examples=150, deadline=None)
@given(candidate_lists)
def test_no_swap_within_a_department_would_remove_a_breach(candidates):
    """Swapping two businesses of one department keeps every balance: the proposal never breaks
    the rule where such a swap would keep it."""
    result = propose(candidates, FIRST)
    by_department: dict = {}
    for c in candidates:
        by_department.setdefault(c.department, []).append(c)
    for members in by_department.values():
        for a, b in itertools.permutations(members, 2):
            if too_soon(a.last_fy, result[a.key]) and not too_soon(b.last_fy, result[b.key]):
                # swapping a and b keeps every balance; it must not lower the breaches
                assert too_soon(a.last_fy, result[b.key]) or too_soon(b.last_fy, result[a.key])
