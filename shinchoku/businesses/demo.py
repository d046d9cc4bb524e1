"""Demo data of 事務事業: the action plan's council gets a register and one evaluation year."""

from __future__ import annotations


def load_demo_businesses() -> None:
    """Called by `shinchoku load-demo` after the plans and the demo users are loaded."""
    from shinchoku.businesses import demo_evaluation, demo_register

    demo_register.load()
    demo_evaluation.load()
