"""The sheet's fields and escapes written in rounds/sheet_rows.py (issue 16) give byte for byte
what Django and the components give; shinchoku/prepared.py runs a compiled query as the ORM does."""

import itertools

import pytest
from django.utils.html import conditional_escape as django_escape
from django.utils.html import format_html as django_format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from shinchoku.components import field_group
from shinchoku.prepared import Prepared
from shinchoku.rounds import sheet_rows

NAMES = ["n|ind-1|done", "i|a<b>&\"c'|next", "c|x|1|note"]
LABELS = ["備考", "What <b>was</b> done & why", mark_safe("取組状況 &amp; 今後")]
VALUES = ["", "0", " ", "1,234件", "line 1\nline 2", "<script>\"x\"&'y'</script>"]
VALUES += [mark_safe("<b>safe</b>")]


def test_a_textarea_is_the_components_field():
    for name, label, value, rows in itertools.product(NAMES, LABELS, VALUES, (2, 3)):
        expected = field_group(name, label, value, kind="textarea", rows=rows)
        assert sheet_rows.textarea(name, label, value, rows) == expected


def test_a_text_input_is_the_components_field():
    for name, label, value in itertools.product(NAMES, LABELS, VALUES):
        assert sheet_rows.text_input(name, label, value) == field_group(name, label, value)


@pytest.mark.parametrize(
    "value", ["", "a<b>&\"c'", 12, None, mark_safe("<i>x</i>"), gettext_lazy("Note")]
)
def test_the_escape_is_djangos(value):
    assert sheet_rows.conditional_escape(value) == django_escape(value)
    assert sheet_rows.format_html("<p>{}-{}</p>", value, "&") == django_format_html(
        "<p>{}-{}</p>", value, "&"
    )


def test_a_prepared_query_gives_what_the_orm_gives(db):
    from shinchoku.orgs.models import Department, Organization

    org = Organization.objects.create(name="市")
    a = Department.objects.create(organization=org, name="甲課", order=2)
    b = Department.objects.create(organization=org, name="乙課", order=1, parent=a)

    def make(organization_id: int, name: str):
        return (
            Department.objects.filter(organization_id=organization_id)
            .exclude(name=name)
            .select_related("organization", "parent")
            .order_by("order")
        )

    query = Prepared(make, int, str)
    for name in ("甲課", "乙課", "丙課"):
        found = query.objects(org.pk, name)
        assert found == list(make(org.pk, name))
        assert [d.organization.name for d in found] == [o.organization.name for o in found]
    found = query.objects(org.pk, "丙課")
    assert [d.parent_id for d in found] == [a.pk, None]
    assert found[0].parent == a and found[0].organization == org
    assert query.objects(org.pk + 1000, "") == []
    rows = Prepared(lambda pk: Department.objects.filter(pk=pk).values_list("name", "order"), int)
    assert [tuple(r) for r in rows.rows(b.pk)] == [("乙課", 1)]
