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


def envint(name: str, default: str, minimum: int | None = None) -> int:
    """Read an integer, at least `minimum` when one is given."""
    raw = os.environ.get(name, default).strip()
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name} must be at least {minimum}, got {value}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list."""
    raw = os.environ.get(name, default)
    return [part.strip() for part in raw.split(",") if part.strip()]
