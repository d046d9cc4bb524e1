"""Every form field is drawn by the partials (components/field.html through FORM_RENDERER,
{% field_group %} or {{ form }}), so that it has its label, 「必須」, help and error with aria.

A template outside components/ that writes its own <label>, <input>, <select> or <textarea> (or
{{ field.label_tag }}) fails, unless it is in ALLOWED below with the reason and the number of
controls it may write; hidden inputs (type="hidden", or the `hidden` attribute of the user-name
field password managers read) are not fields a person fills in.
"""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CONTROL = re.compile(r"<(label|select|textarea)\b|<input\b[^>]*>|\.label_tag\b")
HIDDEN = re.compile(r'type="hidden"|\shidden[\s>]')

# path (under shinchoku/): (how many hand-written controls, why)
ALLOWED = {
    "templates/base.html": (
        4,
        "the header's search box and language switch: site chrome on every page, one "
        "visually hidden label each, no error or help to show",
    ),
    "public/templates/public/base.html": (2, "the public header's language switch"),
    "rounds/templates/rounds/sheet.html": (
        8,
        "the department sheet: the per-content status and note, cells of the contents table "
        "(each with a visually hidden label naming its row), are written by rounds/sheet_rows.py "
        "(issue 16; tests/rounds/test_sheet_rows.py); the actual and the self-evaluation "
        "scale keep the ids name|error and name|help that sheet.js writes when autosave refuses "
        "a value; the approver's keep/take choice of a conflicting actual",
    ),
    "templates/evaluations/next_plan.html": (
        8,
        "what continues into the next plan: a tree of check boxes, one per record, each in its "
        "label (the ID, name and period are drawn by the partials)",
    ),
    "templates/plans/edit/confirm_delete.html": (2, "one confirmation box inside its label"),
    "templates/plans/workbook/preview.html": (2, "one confirmation box inside its label"),
}


def hand_written(text: str) -> int:
    return sum(
        1
        for m in CONTROL.finditer(text)
        if not (m.group(0).startswith("<input") and HIDDEN.search(m.group(0)))
    )


def templates() -> dict[str, int]:
    found = {}
    for path in sorted(ROOT.rglob("*.html")):
        name = path.relative_to(ROOT).as_posix()
        if "/components/" in f"/{name}" or "static/" in name:
            continue
        n = hand_written(path.read_text(encoding="utf-8"))
        if n:
            found[name] = n
    return found


def test_no_template_hand_writes_a_form_field_outside_the_allowlist():
    found = templates()
    unexpected = {name: n for name, n in found.items() if name not in ALLOWED}
    assert not unexpected, (
        "draw these fields with {{ form }}, {{ field.as_field_group }} or {% field_group %}",
        unexpected,
    )
    grown = {name: n for name, n in found.items() if name in ALLOWED and n > ALLOWED[name][0]}
    assert not grown, ("more hand-written controls than allowed", grown)


def test_the_allowlist_holds_no_template_that_no_longer_needs_it():
    found = templates()
    stale = sorted(name for name in ALLOWED if name not in found)
    assert not stale, ("remove from ALLOWED", stale)
    assert all(reason for _, reason in ALLOWED.values())


def test_the_check_sees_labels_selects_and_visible_inputs_only():
    assert hand_written('<label for="x">名</label><input type="text" name="x">') == 2
    assert hand_written('<input type="hidden" name="version" value="3">') == 0
    assert hand_written('<input type="text" name="username" value="a" hidden>') == 0
    assert hand_written("<select name='fy'></select><textarea></textarea>") == 2
    assert hand_written("{{ field.label_tag }} {{ field }}") == 1
    assert hand_written("{{ form }}{% field_group 'comment' label %}") == 0


def test_field_group_draws_a_hand_read_field_with_its_name_id_label_and_error():
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("ja"):
        html = Template(
            '{% field_group "comment" "差し戻しの理由" "直してください" kind="textarea" '
            'id="return-comment" required=True rows=3 help="部署に届きます。" error=err %}'
        ).render(Context({"err": "入力してください。"}))
    assert '<label for="return-comment">差し戻しの理由<span class="required">必須</span>' in html
    assert 'name="comment"' in html and 'id="return-comment"' in html and 'rows="3"' in html
    assert ">\n直してください</textarea>" in html
    assert '<p class="help" id="return-comment_helptext">部署に届きます。</p>' in html
    assert 'aria-describedby="return-comment_helptext return-comment_error"' in html
    assert 'aria-invalid="true"' in html and 'class="field has-error"' in html
    assert '<p class="field-error" id="return-comment_error">入力してください。</p>' in html


def test_field_group_keeps_a_sheet_name_and_draws_a_select_with_its_empty_choice():
    from django.template import Context, Template

    html = Template(
        '{% field_group "i|item-1|final_status" "状況" "実施済" kind="select" choices=s '
        'empty="（選択）" %}'
    ).render(Context({"s": ["実施済", "未実施"]}))
    assert 'name="i|item-1|final_status" id="i|item-1|final_status"' in html
    assert '<option value="">（選択）</option>' in html
    assert '<option value="実施済" selected>実施済</option>' in html
    assert "aria-invalid" not in html and "required" not in html


def test_a_drawn_form_puts_the_services_error_on_its_field_and_keeps_what_was_typed():
    from django.utils import translation

    from shinchoku.reviews.forms import AnswerForm

    class Refused(Exception):
        field, message = "policy", "対応方針を入力してください。"

    with translation.override("ja"):
        html = str(AnswerForm({"policy": "", "action": "説明会を開いた"}, error=Refused()))
    assert '<a href="#answer-policy">対応方針: 対応方針を入力してください。</a>' in html
    assert 'aria-invalid="true"' in html and "説明会を開いた</textarea>" in html
    assert " required" not in html  # the server answers an empty field, as before
    assert "error-summary" not in str(AnswerForm({"policy": "方針"}))
