"""Indicator tables format their figures in Python (issue 16), exactly as the `in_unit` filter.

plans.views.value_html (core.figures.in_unit_html, memoized) gives the tables ready HTML; the
filter stays for the pages that still call it. Both must read the same, in both languages,
escaped alike.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from shinchoku.plans.models import IndicatorValue
from shinchoku.plans.templatetags.figures import in_unit
from shinchoku.plans.views import value_html

TEXTS = [
    "3,310,000円",
    "3,310千円",
    "4210",
    "△50千円",
    "1,200万円",
    "5人",
    "－",
    "",
    "  ",
    "80%",
    "約<5>件 & \"more\" 'x'",
    "12,000千円（見込み）",
]
UNITS = ["千円", "円", "件", "", "％"]


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("unit", UNITS)
def test_the_ready_html_is_what_the_filter_shows(language, unit):
    with translation.override(language):
        for text in TEXTS:
            value = IndicatorValue(text=text)
            assert str(value_html(value, unit)) == str(in_unit(value, unit)), (text, unit)
        assert value_html(None, unit) == in_unit(None, unit) == ""


def test_a_figure_in_another_unit_shows_the_figure_as_reported():
    with translation.override("ja"):
        html = value_html(IndicatorValue(text="3,310,000円"), "千円")
    assert html.startswith('3,310千円<small class="reported">（')
    assert "3,310,000円" in html
