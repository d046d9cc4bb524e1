"""Templates as they were, for the tests proving that rows written in Python print what a
template printed (issue 16).

A template whose loops were written in Python keeps its other lines. A test rebuilds its old
text from today's file and the parts that changed, kept in a text file of hunks:

    ==== <template name>
    ---- now
    <lines the template holds now>
    ---- was
    <the lines it held>

so the tests keep the old loops only, not a second copy of each template; a part not found once
in today's file fails the test (the template changed: its hunk must follow it).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.backends.django import DjangoTemplates

import shinchoku

APP = Path(shinchoku.__file__).resolve().parent


def read_hunks(path: Path) -> dict[str, list[tuple[str, str]]]:
    """The hunks of the file at `path`, per template name, in the file's order."""
    found: dict[str, list[tuple[str, str]]] = {}
    name, part, now, was = "", "", [], []

    def keep() -> None:
        if name:
            found.setdefault(name, []).append(("".join(now), "".join(was)))

    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("==== "):
            keep()
            name, part, now, was = line[5:].strip(), "", [], []
        elif line.startswith("---- "):
            part = line[5:].strip()
        elif part == "now":
            now.append(line)
        elif part == "was":
            was.append(line)
    keep()
    return found


def old_text(path: Path, hunks: list[tuple[str, str]]) -> str:
    """The template at `path` with each part it holds now put back as it was."""
    text = path.read_text(encoding="utf-8")
    for now, before in hunks:
        assert text.count(now) == 1, f"{path.name}: {now[:80]!r} is not in the template once"
        text = text.replace(now, before)
    return text


def engine(old: dict[str, str], dirs: list[Path]) -> DjangoTemplates:
    """The project's template engine with the old templates (name → text) and the old partials'
    folders in front of the app's templates."""
    (options,) = [dict(t) for t in settings.TEMPLATES]
    return DjangoTemplates(
        {
            "NAME": "oracle",
            "DIRS": [*dirs, *options["DIRS"]],
            "APP_DIRS": False,
            "OPTIONS": {
                **options["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", old),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    )
