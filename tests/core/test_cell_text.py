"""Row heights for wrapped text in spreadsheets (core.cell_text)."""

from __future__ import annotations

from shinchoku.core.cell_text import (
    char_width,
    fitting_height,
    line_height,
    lines_needed,
    row_height,
    text_width,
)


def test_a_full_width_character_is_two_digits_wide_and_a_half_width_one_about_one():
    assert char_width("法") == 2 and char_width("ア") == 2 and char_width("１") == 2
    assert 1 <= char_width("2") < 1.5 and 1 <= char_width("a") < 1.5
    assert text_width("22法人") == 2 * char_width("2") + 4


def test_text_wraps_into_as_many_lines_as_the_column_needs():
    assert lines_needed("", 10) == 1
    assert lines_needed("22法人", 10) == 1
    assert lines_needed("あ" * 20, 10) >= 4  # 40 digits of text in a 10-digit column
    assert lines_needed("あ" * 20, 50) == 1
    assert lines_needed("一行目\n二行目", 30) == 2  # line breaks count
    assert lines_needed("あ" * 40, 10, wrap=False) == 1  # unwrapped text stays on its line


def test_a_row_is_tall_enough_for_a_cjk_line_even_with_one_line():
    # LibreOffice's CJK font needs more than Excel's 15 pt for 「22法人」 at 11 pt.
    assert row_height(1) >= 16.5
    assert row_height(3) >= 3 * line_height(11)
    assert row_height(1, 14) > row_height(1, 11)
    assert row_height(2) * 2 % 1 == 0  # rounded to half points


def test_the_row_takes_its_tallest_cell():
    cells = [("22法人", 12.0, True, 11.0), ("取組の状況" * 10, 30.0, True, 11.0)]
    assert fitting_height(cells) == row_height(lines_needed("取組の状況" * 10, 30.0))
    assert fitting_height([]) == row_height(1)
