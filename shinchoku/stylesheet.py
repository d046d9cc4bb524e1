"""The one stylesheet (static/shinchoku/app.css) and the sections of it that the PDFs reuse."""

from pathlib import Path

APP_CSS = Path(__file__).resolve().parent / "static" / "shinchoku" / "app.css"


def app_css_section(name: str) -> str:
    """Return the CSS between ``/* ==== pdf:NAME ====`` and ``/* ==== end pdf:NAME ==== */``.

    The web page and its PDF share these rules; WeasyPrint gets only the section, not the whole
    sheet (whose screen layout, header and page rules a PDF has no use for).
    """
    text = APP_CSS.read_text(encoding="utf-8")
    start_marker, end_marker = f"/* ==== pdf:{name} ====", f"/* ==== end pdf:{name} ==== */"
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        raise ValueError(f"app.css has no section pdf:{name}")
    body_start = text.index("*/", start) + 2
    return text[body_start:end].strip() + "\n"
