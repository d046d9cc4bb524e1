"""A sheet's contents row, written in Python (issue 16): the HTML contract the template had."""

from types import SimpleNamespace

from django.utils import translation

from shinchoku.rounds.lastyear import LastText
from shinchoku.rounds.services import ContentLine
from shinchoku.rounds.sheet_rows import (
    IndicatorWords,
    Words,
    content_row,
    last_year_block,
    scale_radios,
)
from shinchoku.rounds.sheet_rows import indicator_actual as _indicator_actual
from shinchoku.rounds.sheet_rows import indicator_entered as _indicator_entered
from shinchoku.rounds.sheet_rows import indicator_head as _indicator_head

STATUSES = ["実施済", "一部実施", "未実施<x>"]


def _row(line, **kw):
    with translation.override("ja"):
        words = Words.now()
    options = {"prefix": "c|item-1|2", "label": "2", "error": "", "statuses": STATUSES}
    options.update({"editable": True, "words": words, **kw})
    return content_row(line, **options)


def _line(planned="着手", status="", note="", text="相談窓口を<開く>\n二行目"):
    return ContentLine(2, SimpleNamespace(text=text), planned, status, note)


def test_an_editable_row_names_its_fields_and_labels_them_by_row():
    html = _row(_line(status="一部実施", note='"メモ" & 追記'))
    assert html.startswith("<tr>\n") and html.endswith("</td>\n      </tr>")
    assert '<span class="row-no">2</span> 相談窓口を&lt;開く&gt;<br>二行目</th>' in html
    assert '<td class="phase">着手</td>' in html
    assert '<label class="visually-hidden" for="c|item-1|2|status">状況: 2</label>' in html
    assert '<select id="c|item-1|2|status" name="c|item-1|2|status"><option value="">' in html
    assert "<option>実施済</option><option selected>一部実施</option>" in html
    assert "<option>未実施&lt;x&gt;</option></select>" in html
    assert '<label class="visually-hidden" for="c|item-1|2|note">備考: 2</label>' in html
    assert (
        '<input type="text" id="c|item-1|2|note" name="c|item-1|2|note" '
        'value="&quot;メモ&quot; &amp; 追記">' in html
    )
    assert "aria-invalid" not in html and "field-error" not in html


def test_a_refused_status_is_marked_beside_its_field():
    html = _row(_line(), error="使えない状況です。")
    assert (
        '<select id="c|item-1|2|status" name="c|item-1|2|status" aria-invalid="true" '
        'aria-describedby="c|item-1|2|status|error">' in html
    )
    assert (
        '<span class="field-error" id="c|item-1|2|status|error">使えない状況です。</span>' in html
    )


def test_a_content_with_nothing_planned_needs_no_status():
    html = _row(_line(planned=""))
    assert html.startswith('<tr class="not-planned">')
    assert '<td class="no-phase">' in html
    with translation.override("ja"):
        assert '<option value="">' + str(Words.now().not_needed) + "</option>" in html


def test_a_read_only_row_shows_the_values():
    html = _row(_line(status="", note="<b>"), editable=False)
    assert "<select" not in html and "<input" not in html
    assert "<td>―</td>\n        <td>&lt;b&gt;</td>\n      </tr>" in html


def _indicator(direction="down", **kw):
    ind = SimpleNamespace(name="相談<件数>", unit="件", direction=direction, key="ind-1")
    values = {"indicator": ind, "baseline": "100件", "earlier": [(2019, "90件"), (2020, "80&件")]}
    values.update(target="70件", final="", reporter=SimpleNamespace(name="福祉課"), actual="")
    values.update(done="", next="", note="", error="")
    values.update(kw)
    return SimpleNamespace(**values)


def _words(fy=2021):
    with translation.override("ja"):
        return IndicatorWords.now(fy)


def test_an_indicator_block_names_its_unit_direction_and_facts():
    html = _indicator_head(_indicator(), _words())
    assert html.startswith(
        '<legend>相談&lt;件数&gt; <small>(単位: 件)</small> <span class="tag tag-down">'
    )
    assert "<dd>100件</dd>" in html
    assert "<dd>令和元年度 90件、令和2年度 80&amp;件</dd>" in html
    assert "<dd>70件</dd>" in html and "<dd>―</dd>" in html  # no final target
    assert '<dd class="reporter">福祉課</dd>' in html and html.endswith("</dl>")
    plain = _indicator_head(_indicator(direction="up", earlier=[], reporter=None), _words())
    assert "tag-down" not in plain and '<dd class="reporter">―</dd>' in plain
    assert "令和元年度" not in plain


def test_an_editable_actual_is_described_by_its_help_and_its_error():
    ln = _indicator(actual='1"2')
    html = _indicator_actual(ln, "n|ind-1", _words())
    assert '<label for="n|ind-1|actual">' in html and '<span class="required">' in html
    assert '<span class="help" id="n|ind-1|help">' in html
    assert (
        '<input type="text" id="n|ind-1|actual" name="n|ind-1|actual" value="1&quot;2" '
        'aria-describedby="n|ind-1|help">' in html
    )
    assert "field-error" not in html
    refused = _indicator_actual(_indicator(error="数字で<入力>"), "n|ind-1", _words())
    assert 'aria-invalid="true" aria-describedby="n|ind-1|actual|error n|ind-1|help">' in refused
    assert (
        '<span class="field-error" id="n|ind-1|actual|error">数字で&lt;入力&gt;</span>' in refused
    )


def test_a_read_only_indicator_shows_only_the_texts_entered():
    html = _indicator_entered(_indicator(actual="60件", done="a<b", note="メモ"), _words())
    assert html.startswith('<dl class="facts"><dt>')
    assert "<dd><strong>60件</strong></dd>" in html
    assert '<dd class="pre">a&lt;b</dd>' in html and "<dd>メモ</dd>" in html
    assert html.count("<dt>") == 3 and html.endswith("</dl>")
    empty = _indicator_entered(_indicator(), _words())
    assert "<dd><strong>―</strong></dd>" in empty and empty.count("<dt>") == 1
    assert "&lt;" not in empty


def test_the_self_evaluation_checks_the_stored_grade_and_marks_a_refusal():
    scale = [
        {"code": "A", "name": "順調", "definition": "計画<どおり>"},
        {"code": "B", "name": "遅れ", "definition": ""},
    ]
    html = scale_radios(scale, "i|item-1|evaluation", "B", False)
    assert html == (
        '<label><input type="radio" name="i|item-1|evaluation" value="A"> '
        "<strong>A 順調</strong> <small>計画&lt;どおり&gt;</small></label>"
        '<label><input type="radio" name="i|item-1|evaluation" value="B" checked> '
        "<strong>B 遅れ</strong> <small></small></label>"
    )
    refused = scale_radios(scale, "i|item-1|evaluation", "", True)
    assert refused.count(' aria-invalid="true">') == 2 and " checked" not in refused


def test_last_years_texts_name_other_departments_and_offer_the_copy():
    texts = [LastText("福祉課", "相談<対応>", ""), LastText("子育て課", "", "継続")]
    line = SimpleNamespace(last_year=texts, last_fy=2020, last_done="相談<対応>", last_next="継続")
    with translation.override("ja"):
        html = last_year_block(line, "n|ind-1", "福祉課", True)
        alone = last_year_block(
            SimpleNamespace(last_year=texts[:1], last_fy=2020, last_done="", last_next=""),
            "i|item-1",
            "福祉課",
            False,
        )
    assert '<div class="last-year" role="group" aria-labelledby="n|ind-1|last">' in html
    assert '<p class="last-year-title" id="n|ind-1|last">前年度（令和2年度）の内容</p>' in html
    assert html.count('<p class="last-year-dept">') == 2  # several departments: each named
    assert '<dd class="pre">相談&lt;対応&gt;</dd>' in html and '<dd class="pre">―</dd>' in html
    assert 'data-copy-last="n|ind-1" data-done="相談&lt;対応&gt;" data-next="継続"' in html
    assert "last-year-dept" not in alone  # only this department's own texts
    assert "data-copy-last" not in alone  # a read-only sheet copies nothing
    assert last_year_block(SimpleNamespace(last_year=[]), "i|x", "", True) == ""
