"""The template partials every page draws with (templates/components/) and the form renderer.

A template builtin (settings.TEMPLATES): ``{% status_badge %}`` needs no ``{% load %}``.
"""

from django import template
from django.forms.renderers import TemplatesSetting

register = template.Library()


@register.inclusion_tag("components/status_badge.html")
def status_badge(status: str, label: str) -> dict[str, str]:
    """A state as a badge: ``{% status_badge sheet.status sheet.get_status_display %}``."""
    return {"status": status, "label": label}


class FormRenderer(TemplatesSetting):
    """Render ``{{ form }}`` and ``{{ field.as_field_group }}`` through the project's partials."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"
