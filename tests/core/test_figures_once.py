"""Issue 16: a value's text is parsed and converted once per process, whatever the number of
cells that show it; the answer is the same as working it out again."""

from __future__ import annotations

from shinchoku.core.figures import figure
from shinchoku.core.values import canonical_unit, parse_value


def test_a_figure_is_worked_out_once_and_stays_right():
    figure.cache_clear()
    first = figure("3,310,000円", "千円")
    assert figure("3,310,000円", "千円") is first
    assert figure.cache_info().hits == 1
    assert (first.shown, first.differs) == ("3,310千円", True)
    assert figure("3,310千円", "千円").differs is False


def test_parsed_values_and_units_are_shared_and_frozen():
    assert parse_value("19,177世帯") is parse_value("19,177世帯")
    assert parse_value("19,177世帯").number == 19177
    assert canonical_unit("ヶ所") == canonical_unit("箇所")
