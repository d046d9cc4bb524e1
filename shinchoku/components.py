"""The template partials every page draws with (templates/components/) and the form renderer.

A template builtin (settings.TEMPLATES): ``{% status_badge %}`` needs no ``{% load %}``.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorDict

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
