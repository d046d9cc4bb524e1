"""Set a download's Content-Disposition header: RFC 5987 UTF-8 name plus an ASCII fallback."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponseBase

from shinchoku.core.filenames import ascii_fallback


def disposition(name: str, *, fallback: str = "", inline: bool = False) -> str:
    """attachment; filename="fallback.pdf"; filename*=UTF-8''%E8%A8%88%E7%94%BB.pdf

    ``fallback`` (e.g. the plan's slug) is the ASCII name for clients without RFC 5987;
    by default the ASCII characters of ``name`` are kept.
    """
    kind = "inline" if inline else "attachment"
    if fallback and "." not in fallback and "." in name:
        fallback = f"{fallback}.{name.rpartition('.')[2]}"
    fallback = ascii_fallback(fallback or name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def set_download_name(
    response: HttpResponseBase, name: str, *, fallback: str = "", inline: bool = False
) -> HttpResponseBase:
    """Name the file the browser saves; returns the response for chaining."""
    response["Content-Disposition"] = disposition(name, fallback=fallback, inline=inline)
    return response
