"""{% field_group %}'s plain case (issue 16) is written without a form and three templates: it must
give byte for byte what the drawn field (components/field.html through the form renderer) gives."""

import itertools

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from shinchoku.components import _drawn_field, _plain_field, field_group

NAMES = ["note", "n|ind-1|done", "i|a<b>&\"c'|next", mark_safe("c|x|1|note")]
LABELS = ["備考", "What <b>was</b> done & why", mark_safe("取組状況 &amp; 今後")]
VALUES = [None, "", "0", " ", 0, 12, "1,234件", "line 1\nline 2", "<script>\"x\"&'y'</script>"]
VALUES += [mark_safe("<b>safe</b>")]
ATTRS = [{}, {"rows": 2}, {"rows": "3", "data_x": "a&b"}, {"maxlength": 200, "cols": 60}]


@pytest.mark.parametrize("kind", ["text", "textarea"])
@pytest.mark.parametrize("id", ["", "my-id", 'odd"id'])
def test_the_plain_field_is_the_drawn_field(kind, id):
    for name, label, value, attrs in itertools.product(NAMES, LABELS, VALUES, ATTRS):
        args = (name, label, value, kind, id, False, "", "", ())
        plain = _plain_field(*args, attrs)
        assert plain is not None
        assert plain == _drawn_field(*args, "", attrs), (name, label, value, attrs)


@pytest.mark.parametrize(
    "options",
    [
        {"required": True},
        {"help": "説明"},
        {"error": "入力してください。"},
        {"kind": "select", "choices": ["a", "b"]},
        {"kind": "search"},
        {"kind": "file"},
        {"disabled": True},
        {"label": ""},
        {"value": ["a"]},
    ],
)
def test_every_other_case_is_drawn_as_before(options):
    options = {"label": "備考", "value": "x", **options}
    name, label, value = "note", options.pop("label"), options.pop("value")
    assert field_group(name, label, value, **options) == _drawn_field(
        name,
        label,
        value,
        options.pop("kind", "text"),
        "",
        options.pop("required", False),
        options.pop("help", ""),
        options.pop("error", ""),
        options.pop("choices", ()),
        "",
        options,
    )


def test_the_sheet_s_call_in_a_template_gives_the_drawn_field():
    html = Template('{% field_group prefix|add:"|next" label v kind="textarea" rows=2 %}').render(
        Context({"prefix": "n|k<1>", "v": "a & b", "label": "今後の展開 <次>"})
    )
    assert html == _drawn_field(
        "n|k<1>|next", "今後の展開 <次>", "a & b", "textarea", "", 0, "", "", (), "", {"rows": 2}
    )
