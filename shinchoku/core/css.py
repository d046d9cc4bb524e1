"""Text inside a CSS string (`content: "…"`): the report's page header, the print header."""

from __future__ import annotations


def css_escape(text: str) -> str:
    """The text escaped for use between double quotes in a CSS declaration."""
    out = []
    for char in str(text):
        if char.isascii() and (char.isalnum() or char == " "):
            out.append(char)
        elif not char.isascii() and char.isprintable():
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return "".join(out)
