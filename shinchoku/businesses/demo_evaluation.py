"""Demo evaluation year of 事務事業 (see demo.py)."""


def load() -> None:
    """Not written yet."""
