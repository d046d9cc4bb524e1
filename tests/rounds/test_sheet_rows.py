"""A sheet's contents row, written in Python (issue 16): the HTML contract the template had."""

from types import SimpleNamespace

from django.utils import translation

from shinchoku.rounds.services import ContentLine
from shinchoku.rounds.sheet_rows import Words, content_row

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
