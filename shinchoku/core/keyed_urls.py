"""URLs of many rows of one page that differ only in their last argument, reversed once.

`reverse()` costs about as much as rendering a table cell; a table of indicators or nodes asks
for one URL per row (issue 16). `KeyedUrls("plans:node", plan.slug)` reverses the pattern once
with a placeholder and then gives `url(key)` by quoting the key as `reverse()` does, so the
result is the same string.
"""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

PLACEHOLDER = "KEYEDURLSPLACEHOLDER"
SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted


class KeyedUrls:
    def __init__(self, viewname: str, *args: object) -> None:
        self.viewname = viewname
        self.args = args
        self.parts: tuple[str, str] | None = None  # reversed when first asked for

    def url(self, key: object) -> str:
        if self.parts is None:
            url = reverse(self.viewname, args=[*self.args, PLACEHOLDER])
            head, _sep, tail = url.rpartition(PLACEHOLDER)
            self.parts = (head, tail)
        text = str(key)
        if not text or "/" in text or "%" in text:  # reverse() decides (or refuses)
            return reverse(self.viewname, args=[*self.args, key])
        return self.parts[0] + quote(text, safe=SAFE) + self.parts[1]
