"""Read a form's fields out of a page as a browser would post them (no Django needed)."""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_TYPES = {"submit", "button", "reset", "file", "image"}


class _FormFields(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        # An input outside the form that names it (form="…") belongs to it too.
        if not (self.inside or a.get("form") == self.form_id):
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in SKIPPED_TYPES:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._first_option, self._chosen = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._chosen = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select, self._chosen or self._first_option or ""))
            self._select = None


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """The named fields of the form with this id, with the values a browser would send."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return dict(parser.fields)


def first_text_field(fields: dict[str, str]) -> str:
    """A free-text field of a sheet to type into (an item's 取組状況)."""
    return next(name for name in fields if name.startswith("i|") and name.endswith("|done"))
