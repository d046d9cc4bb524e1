"""The parts of every page's frame (base.html: head links, header, menu, footer) that depend only
on the language, rendered once per process and language (issue 16).

    {% per_language [key ...] %} … {% end_per_language %}

renders its contents once for each language (and URL prefix, and value of the optional keys,
e.g. whether the menu shows the 管理者's links) and then repeats that text. The contents may use
translations, {% static %}, {% url %} and the keys, nothing else of the page: no user, request,
CSRF token or page variable other than a key. The texts are rebuilt when a setting changes
(tests) or the templates are reloaded (each loaded template has its own nodes).
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_generation = [0]


@receiver(setting_changed, dispatch_uid="shinchoku-page-frame")
def _forget(**kwargs) -> None:
    _generation[0] += 1


class PerLanguageNode(template.Node):
    def __init__(self, nodelist: template.NodeList, keys: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.keys = keys
        self.rendered: dict[tuple, str] = {}

    def render(self, context: template.Context) -> str:
        key = (
            _generation[0],
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            *(k.resolve(context) for k in self.keys),
        )
        found = self.rendered.get(key)
        if found is None:
            with context.push():  # an `as` variable set inside stays inside, hit or miss
                found = self.rendered[key] = self.nodelist.render(context)
        return mark_safe(found)


@register.tag
def per_language(parser, token) -> PerLanguageNode:
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("end_per_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist, keys)
