"""The progress tables' per-row cells made in Python give what the templates gave (issue 16)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shinchoku.core.achievement import AGAINST_FINAL, MISSING, Judgement
from shinchoku.core.keyed_urls import KeyedUrls
from shinchoku.core.values import Reason
from shinchoku.rounds.templatetags.progress import band_cell

BANDS = ["達成", "概ね達成", "未達成", "判定不能"]


@pytest.mark.parametrize("key", ["1-2-3", "a", "指標<&'\">", "x y+z", "ä~:@!$()*,;="])
def test_keyed_urls_are_what_reverse_gives(key):
    for name in ("plans:node", "rounds:indicator"):
        assert KeyedUrls(name, "my-plan").url(key) == reverse(name, args=["my-plan", key])


@pytest.mark.parametrize(
    "judgement",
    [
        Judgement("達成"),
        Judgement("未達成<b>"),
        Judgement("判定不能", reason=Reason.of(MISSING, what="target")),
        Judgement("概ね達成", against_final=True, reason=None),
        Judgement("判定不能", reason=Reason.of(AGAINST_FINAL)),
    ],
)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_band_cell_is_the_band_template(judgement, language):
    with translation.override(language):
        included = render_to_string(
            "rounds/progress/_band.html", {"j": judgement, "band_names": BANDS}
        )
        assert band_cell(judgement, BANDS) == included
