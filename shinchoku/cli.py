"""The `shinchoku` console script: Django's management commands under one name.

Commands may be written with hyphens (`shinchoku import-seeds`), as in the README.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["shinchoku", *args[1:]])
    except BrokenPipeError:  # `shinchoku plans | head -1`
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
