"""The template partials every page draws with (templates/components/) and the form renderer.

A template builtin (settings.TEMPLATES): ``{% status_badge %}`` needs no ``{% load %}``.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorDict
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.inclusion_tag("components/status_badge.html")
def status_badge(status: str, label: str) -> dict[str, str]:
    """A state as a badge: ``{% status_badge sheet.status sheet.get_status_display %}``."""
    return {"status": status, "label": label}


class WidgetIdBoundField(BoundField):
    """A field whose control keeps the id it was given (``attrs={"id": …}``): its help and error
    ids (``ID_helptext``, ``ID_error``) follow that id, not the field's name."""

    @property
    def auto_id(self) -> str:
        return self.field.widget.attrs.get("id") or super().auto_id


_KINDS = {
    "text": (forms.CharField, forms.TextInput),
    "search": (forms.CharField, forms.SearchInput),
    "textarea": (forms.CharField, forms.Textarea),
    "select": (forms.ChoiceField, forms.Select),
    "file": (forms.FileField, forms.FileInput),
}


@register.simple_tag
def field_group(
    name: str,
    label: str,
    value="",
    *,
    kind: str = "text",
    id: str = "",
    required: bool = False,
    help: str = "",
    error: str = "",
    choices=(),
    empty: str = "",
    **attrs,
) -> str:
    """One field of a form a view reads by hand, drawn through components/field.html.

    ``{% field_group "comment" label value kind="textarea" id="return-comment" required=True
    rows=3 %}``: the same name, id and value as a hand-written control, with the label, 「必須」,
    help (aria-describedby) and error (aria-invalid) of every other field. ``choices`` are
    (value, label) pairs or plain values, after an empty choice labelled ``empty`` when given;
    other keywords are the control's attributes (``data_x`` is written data-x).
    """
    fast = _plain_field(name, label, value, kind, id, required, help, error, choices, attrs)
    if fast is not None:
        return fast
    return _drawn_field(name, label, value, kind, id, required, help, error, choices, empty, attrs)


def _drawn_field(name, label, value, kind, id, required, help, error, choices, empty, attrs):
    """field_group through a one-field form and components/field.html (every case)."""
    field_class, widget_class = _KINDS[kind]
    widget_attrs = {key.replace("_", "-"): v for key, v in attrs.items()}
    if id:
        widget_attrs["id"] = id
    options = {"label": label, "required": bool(required), "help_text": help}
    if kind == "select":
        pairs = [c if isinstance(c, (tuple, list)) else (c, c) for c in choices]
        options["choices"] = [("", empty), *pairs] if empty else pairs
    form = forms.Form(
        data={name: "" if value is None else value},
        auto_id="%s",
        label_suffix="",
        bound_field_class=WidgetIdBoundField,
    )
    form.fields[name] = field_class(widget=widget_class(attrs=widget_attrs), **options)
    form._errors = ErrorDict(renderer=form.renderer)
    form.cleaned_data = {}
    if error:
        form.add_error(name, str(error))
    return form[name].as_field_group()


# issue 16: a sheet draws about 50 text fields; a form and three templates per field cost more
# than the rest of the page. The plain case (a text input or textarea with a label, no help, no
# error, not required, a str value) is written here as those templates write it, byte for byte
# (tests/components/test_field_group_plain.py compares the two for many inputs).
_TEXTAREA_DEFAULTS = {"cols": "40", "rows": "10"}  # forms.Textarea's own attrs


def _plain_value(v) -> bool:
    return isinstance(v, str) or (type(v) is int)


def _plain_field(name, label, value, kind, id, required, help, error, choices, attrs):
    if kind not in ("text", "textarea") or required or help or error or choices:
        return None
    if not label or not isinstance(label, str) or not isinstance(name, str):
        return None
    if value is not None and not _plain_value(value):
        return None
    widget_attrs = dict(_TEXTAREA_DEFAULTS) if kind == "textarea" else {}
    for key, v in attrs.items():
        if not _plain_value(v):
            return None
        widget_attrs[key.replace("_", "-")] = v
    if id and not _plain_value(id):
        return None
    widget_attrs["id"] = id or name
    shown = "" if value is None or value == "" else conditional_escape(str(value))
    html = "".join(
        f' {conditional_escape(k)}="{conditional_escape(str(v))}"' for k, v in widget_attrs.items()
    )
    if kind == "textarea":
        control = f'<textarea name="{conditional_escape(name)}"{html}>\n{shown}</textarea>'
    else:
        shown = f' value="{shown}"' if shown else ""
        control = f'<input type="text" name="{conditional_escape(name)}"{shown}{html}>'
    label_for = conditional_escape(str(widget_attrs["id"]))
    return mark_safe(
        f'<div class="field">\n  <label for="{label_for}">{conditional_escape(label)}</label>\n'
        f"  {control}\n</div>"
    )


class FormRenderer(TemplatesSetting):
    """Render ``{{ form }}`` and ``{{ field.as_field_group }}`` through the project's partials."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


class DrawnForm(forms.Form):
    """A form whose input a service checks, not Django's clean: drawn through the partials.

    Bound to what was posted (or to the stored values), it shows the service's error on its field
    (``error.field``, with ``error.message``), or at the top of the form for an error of no field
    of this form; ``errors`` ({field: message}) does the same for a service that finds several.
    No ``required`` attribute is set unless a field's widget asks for it, so the server keeps
    answering an empty field as before.
    """

    use_required_attribute = False
    bound_field_class = WidgetIdBoundField

    def __init__(
        self,
        data=None,
        *,
        error: Exception | None = None,
        errors: dict[str, str] | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(data if data is not None else {}, **kwargs)
        self.service_error = error
        self.service_errors = dict(errors or {})

    def full_clean(self) -> None:
        self._errors = ErrorDict(renderer=self.renderer)
        self.cleaned_data = {}
        found = dict(self.service_errors)
        error = self.service_error
        if error is not None:
            field = getattr(error, "field", None) or ""
            found[field] = str(getattr(error, "message", error)) if field else str(error)
        for field, message in found.items():
            if message:
                self.add_error(field if field in self.fields else None, message)

    def places(self, error: Exception | None) -> bool:
        """Whether this form shows `error` on one of its fields."""
        return error is not None and getattr(error, "field", None) in self.fields
