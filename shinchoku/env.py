"""Typed readers for the environment that refuse bad values."""

from __future__ import annotations

import os

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class EnvError(ValueError):
    pass


def envbool(name: str, default: str = "False") -> bool:
    """Read a boolean; anything but a clear yes or no is an error."""
    raw = os.environ.get(name, default).strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise EnvError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def envint(name: str, default: str) -> int:
    """Read an integer."""
    raw = os.environ.get(name, default).strip()
    try:
        return int(raw)
    except ValueError:
        raise EnvError(f"{name} must be an integer, got {raw!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list."""
    raw = os.environ.get(name, default)
    return [part.strip() for part in raw.split(",") if part.strip()]
