"""The one frame of a wide table: `{% tableframe %}` (issue 15 part 2)."""

from __future__ import annotations

from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load tableframe %}" + source).render(Context(context))


def test_it_is_a_focusable_labelled_region_with_a_sticky_first_column():
    html = render("{% tableframe label %}<table></table>{% endtableframe %}", label="指標 <b>")
    assert html == (
        '<div class="table-frame stick-1" tabindex="0" role="region" aria-label="指標 &lt;b&gt;">'
        "<table></table></div>"
    )


def test_a_table_with_many_rows_keeps_its_header_in_view():
    source = "{% tableframe 'x' long=rows stick=2 class='own' %}{% endtableframe %}"
    assert 'class="table-frame table-frame-long stick-2 own"' in render(source, rows=range(11))
    assert 'class="table-frame stick-2 own"' in render(source, rows=range(10))
    assert 'class="table-frame"' in render("{% tableframe 'x' stick=0 %}{% endtableframe %}")
    assert "table-frame-long" in render("{% tableframe 'x' long %}{% endtableframe %}")
