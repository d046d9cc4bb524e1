"""One visual language: the Digital Agency's tokens, one stylesheet, and the shared partials."""

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.stylesheet import APP_CSS, app_css_section

ROOT = Path(settings.BASE_DIR)
VENDOR = ROOT / "static" / "vendor" / "digital-go-jp-design-tokens"
TOKENS = "vendor/digital-go-jp-design-tokens/tokens-1.1.9.css"


class PlanForm(forms.Form):
    title = forms.CharField(label="名称", help_text="計画の正式な名前です。")
    note = forms.CharField(label="備考", required=False)
    done = forms.BooleanField(label="完了", required=False)


def test_the_tokens_are_vendored_with_licence_and_version():
    css = (VENDOR / "tokens-1.1.9.css").read_text(encoding="utf-8")
    assert "--color-primitive-blue-900: #0017c1;" in css
    assert "デジタル庁" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert (VENDOR / "VERSION").read_text().strip() == "1.1.9"
    readme = (ROOT / "static" / "vendor" / "README.md").read_text(encoding="utf-8")
    assert "@digital-go-jp/design-tokens 1.1.9" in readme and "MIT" in readme


def test_app_css_is_drawn_on_the_tokens():
    css = APP_CSS.read_text(encoding="utf-8")
    for alias in ("--ink:", "--muted:", "--line:", "--band:", "--accent:", "--accent-ink:"):
        assert re.search(re.escape(alias) + r"\s*var\(--(color|font)-", css), alias
    tokens = (VENDOR / "tokens-1.1.9.css").read_text(encoding="utf-8")
    used = set(
        re.findall(r"var\((--(?:color|font|line-height|border-radius|elevation)-[a-z0-9-]+)\)", css)
    )
    assert used and all(f"{name}:" in tokens for name in used), used - {
        n for n in used if f"{n}:" in tokens
    }


def test_no_template_links_another_stylesheet_and_no_page_styles_itself():
    """Only the tokens and app.css are linked, by the two base templates; no <style> but in PDFs;
    no other stylesheet but the report PDF's print sheets."""
    linked, styled = {}, []
    for path in ROOT.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text):
            linked.setdefault(href, []).append(path.relative_to(ROOT).as_posix())
        if "<style" in text and not path.name.endswith("_pdf.html"):
            styled.append(path.relative_to(ROOT).as_posix())
    expected = ["public/templates/public/base.html", "templates/base.html"]
    assert sorted(linked) == [
        "{% static 'shinchoku/app.css' %}",
        "{% static '" + TOKENS + "' %}",
    ]
    assert all(sorted(pages) == expected for pages in linked.values()), linked
    assert styled == []
    css_files = sorted(
        p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.css") if "vendor" not in p.parts
    )
    # Besides app.css, only the committee report PDF's own print sheets (read by reports/pdf.py
    # for WeasyPrint, linked by no page: their rules must not reach the screen; issue 16).
    assert css_files == [
        "reports/print/report.css",
        "reports/print/ua.css",
        "static/shinchoku/app.css",
    ]


def test_the_tokens_come_before_app_css_on_signed_in_and_public_pages(db):
    for html in (
        Client().get(reverse("accounts:login")).text,
        Client().get(reverse("public:index")).text,
    ):
        assert html.index(TOKENS) < html.index("shinchoku/app.css")


def test_the_pdfs_read_their_sections_of_app_css():
    report, summary = app_css_section("report"), app_css_section("summary")
    assert ".report-table" in report and "header.site .brand" not in report
    assert ".summary-page" in summary and ".report-table" not in summary


def test_a_field_renders_label_required_help_and_error_with_aria():
    with translation.override("ja"):
        form = PlanForm(data={"title": ""})
        form.is_valid()
        html = form["title"].as_field_group()
    assert '<label for="id_title">名称<span class="required">必須</span></label>' in html
    assert '<p class="help" id="id_title_helptext">計画の正式な名前です。</p>' in html
    assert '<p class="field-error" id="id_title_error">' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert 'class="field has-error"' in html


def test_an_optional_field_has_no_required_mark_and_a_valid_one_no_error():
    form = PlanForm(data={"title": "計画", "note": ""})
    assert form.is_valid()
    note = form["note"].as_field_group()
    assert "required" not in note and "aria-invalid" not in note and "field-error" not in note
    assert 'class="field check"' in form["done"].as_field_group()


def test_the_error_summary_at_the_top_of_a_form_links_to_its_fields():
    with translation.override("ja"):
        form = PlanForm(data={"title": ""})
        form.add_error(None, "保存できませんでした。")
        html = str(form)
    summary = html[: html.index('class="field')]
    assert 'class="error-summary" role="alert"' in summary
    assert "入力内容に誤りがあります" in summary
    assert "<li>保存できませんでした。</li>" in summary
    assert '<a href="#id_title">名称: このフィールドは必須です。</a>' in summary
    assert 'id="id_title"' in html[len(summary) :]


def test_a_valid_form_has_no_error_summary():
    assert "error-summary" not in str(PlanForm())


def test_the_status_badge_tag_needs_no_load():
    html = Template("{% status_badge state label %}").render(
        Context({"state": "approved", "label": "承認済"})
    )
    assert html.strip() == '<span class="status status-approved">承認済</span>'


def test_messages_are_drawn_as_banners(db):
    html = Template('{% include "components/messages.html" %}').render(
        Context({"messages": ["保存しました。"]})
    )
    assert '<ul class="messages" role="status">' in html and "保存しました。" in html
