"""One log record per line, as key=value pairs (logfmt).

Chosen over JSON because the lines are read by people as often as by machines (journalctl,
`docker logs`, grep), and logfmt stays readable there while Loki, Vector, Fluent Bit and most
log shippers parse it as it is. Values with spaces, quotes, `=` or line breaks are quoted and
escaped, so a username typed at the login form cannot forge a second line; a traceback is
kept in one `exc="…"` value.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

_PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@+,")


def quote(value: Any) -> str:
    """A value as logfmt writes it: bare when safe, else in double quotes with escapes."""
    text = "" if value is None else str(value)
    if text and all(ch in _PLAIN for ch in text):
        return text
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    escaped = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in escaped)
    return f'"{escaped}"'


class KeyValueFormatter(logging.Formatter):
    """time, level, logger and message, then the record's `audit` fields, then `exc` (errors)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        pairs: list[tuple[str, Any]] = [
            ("time", moment.replace("+00:00", "Z")),
            ("level", record.levelname),
            ("logger", record.name),
            ("msg", record.getMessage()),
        ]
        pairs.extend(getattr(record, "audit", {}).items())
        status = getattr(record, "status_code", None)
        if status is not None:
            pairs.append(("status", status))
        # Django logs every 403 with its PermissionDenied traceback; only errors need one.
        if record.levelno >= logging.ERROR and record.exc_info:
            pairs.append(("exc", self.formatException(record.exc_info)))
        return " ".join(f"{key}={quote(value)}" for key, value in pairs)
