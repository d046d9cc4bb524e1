"""The shared seed documents beside this checkout, for the seed reader tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def seeds_dir() -> Path:
    """Return the folder of the shared seed documents (SHINCHOKU_SEEDS overrides)."""
    return Path(os.environ.get("SHINCHOKU_SEEDS", REPO.parent / "shared" / "seeds"))


def seeds_folder() -> Path | None:
    """The seed folder when this checkout has it beside it, else None."""
    folder = seeds_dir()
    return folder if folder.is_dir() else None


def seed_text(name: str) -> str:
    """Return one seed's text, or skip when this checkout has no seeds beside it."""
    path = seeds_dir() / name
    if not path.is_file():
        pytest.skip(f"seed {path} is not available")
    return path.read_text(encoding="utf-8")
