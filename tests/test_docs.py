"""Documentation is part of the product: every command and setting is in the README."""

from pathlib import Path

from django.core.management import get_commands

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_setup_commands():
    head = README.splitlines()[:5]
    assert any("make run" in line for line in head)
    assert any("make test" in line for line in head)


def test_every_shinchoku_command_is_documented():
    ours = [name for name, app in get_commands().items() if app.startswith("shinchoku")]
    assert ours
    for name in ours:
        assert f"shinchoku {name.replace('_', '-')}" in README, name


def test_every_setting_read_from_the_environment_is_documented():
    settings_py = (REPO / "shinchoku" / "settings.py").read_text(encoding="utf-8")
    import re

    names = set(re.findall(r'"((?:SHINCHOKU|DATABASE)_[A-Z_]+)"', settings_py))
    assert names
    for name in names:
        assert name in README, name


def test_every_page_type_has_its_screenshots_and_every_shown_image_exists():
    import re

    from scripts.page_types import PAGE_TYPES, WIDTHS

    shots = REPO / "docs" / "screenshots"
    for pt in PAGE_TYPES:
        for width in WIDTHS:
            assert (shots / f"{pt.name}-{width}.png").exists(), f"make screenshots: {pt.name}"
    gallery = (shots / "README.md").read_text(encoding="utf-8")
    for folder, text in ((REPO, README), (shots, gallery)):
        for src in re.findall(r'(?:src="|\]\()([^")]+\.png)', text):
            assert (folder / src).exists(), src
