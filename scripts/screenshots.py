"""Regenerate docs/screenshots/: every page type at 1366 px and 390 px, and the printouts.

    make screenshots            (or: .venv/bin/python scripts/screenshots.py [--only NAME …])

A demo server of its own on a temporary SQLite file and a free port (the demo, plus the round,
final evaluation, opinion and submitted sheet of scripts/page_types.py), Debian's Chromium,
each page as the person who uses it. The committee report's PDF, its .xlsx and a department's
Excel sheet are rendered to PNG through LibreOffice and pdftoppm (skipped with a message when
they are missing). Stops the server at the end.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from scripts.page_types import (  # noqa: E402
    CITY,
    PAGE_TYPES,
    PASSWORD,
    STAFF,
    WIDTHS,
    PageType,
    setup_commands,
)
from tests.browser.conftest import CHROMIUM, demo_env, shinchoku_script, start_runserver, stop  # noqa: E402

OUT = REPO / "docs" / "screenshots"
HEIGHT = {1366: 900, 390: 844}  # a laptop, a phone
TALLEST = 2600  # px: a full-page shot is cut there (the README needs the top, not 9,000 px)


def log_in(context, base: str, user: str) -> None:
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.close()


def open_page(page, base: str, pt: PageType) -> int:
    """Go to the page type as its user would; the HTTP status of the page shown."""
    response = page.goto(base + pt.path)
    if pt.follow:
        href = page.locator(pt.follow).first.get_attribute("href")
        response = page.goto(base + href if href.startswith("/") else href)
    if pt.click:
        page.click(pt.click)
        page.wait_for_selector(pt.wait_for)
        page.locator(pt.wait_for).scroll_into_view_if_needed()
    return response.status if response else 0


def shoot(page, pt: PageType, width: int, path: Path) -> None:
    if pt.full_page:
        height = min(page.evaluate("document.documentElement.scrollHeight"), TALLEST)
        page.screenshot(
            path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
        )
    else:
        page.screenshot(path=str(path))


def optimise(path: Path) -> None:
    """A palette PNG: a screenshot of text and flat colours loses nothing visible."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def pages(base: str, browser, only: set[str]) -> list[str]:
    problems = []
    contexts: dict[tuple[str | None, int], object] = {}
    for pt in PAGE_TYPES:
        if only and pt.name not in only:
            continue
        for width in WIDTHS:
            key = (pt.user, width)
            if key not in contexts:
                contexts[key] = browser.new_context(
                    viewport={"width": width, "height": HEIGHT[width]}, locale="ja-JP"
                )
                if pt.user:
                    log_in(contexts[key], base, pt.user)
            page = contexts[key].new_page()
            status = open_page(page, base, pt)
            if status != pt.status:
                problems.append(f"{pt.name}: HTTP {status} at {page.url}")
            path = OUT / f"{pt.name}-{width}.png"
            shoot(page, pt, width, path)
            optimise(path)
            print(f"{path.relative_to(REPO)}\t{page.url.removeprefix(base)}")
            page.close()
    for context in contexts.values():
        context.close()
    return problems


def to_png(pdf: Path, name: str, pages: int = 2, dpi: int = 90) -> None:
    """The first pages of a PDF as docs/screenshots/<name>-<n>.png."""
    prefix = pdf.parent / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf), str(prefix)],
        check=True,
    )
    for made in sorted(pdf.parent.glob(f"{name}-*.png")):
        number = int(made.stem.rsplit("-", 1)[1])
        target = OUT / f"{name}-{number}.png"
        shutil.move(made, target)
        optimise(target)
        print(target.relative_to(REPO))


def office_to_pdf(xlsx: Path) -> Path:
    """An .xlsx printed to PDF by LibreOffice, as a user printing it would get it."""
    profile = xlsx.parent / "lo-profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(xlsx.parent),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
    )
    return xlsx.with_suffix(".pdf")


def printouts(base: str, browser, env: dict[str, str], work: Path) -> list[str]:
    if not shutil.which("pdftoppm"):
        return ["pdftoppm is missing (apt-get install poppler-utils): no printouts"]
    script = str(shinchoku_script())
    for fmt in ("pdf", "xlsx"):
        out = work / f"report-{fmt}.{fmt}"
        subprocess.run(
            [script, "report", CITY, "--fy", "2019", "--format", fmt, "-o", str(out)],
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
        )
    to_png(work / "report-pdf.pdf", "report-pdf", pages=PRINTOUTS[0][1])
    if not shutil.which("soffice"):
        return ["LibreOffice (soffice) is missing: no renderings of the .xlsx files"]
    to_png(office_to_pdf(work / "report-xlsx.xlsx"), "report-xlsx", pages=PRINTOUTS[1][1])
    # A department's Excel sheet, downloaded by its 部署担当 from the sheet page.
    context = browser.new_context()
    log_in(context, base, STAFF)
    page = context.new_page()
    sheet = next(p for p in PAGE_TYPES if p.name == "sheet")
    open_page(page, base, sheet)
    response = context.request.get(page.url + "xlsx/")
    (work / "sheet-xlsx.xlsx").write_bytes(response.body())
    context.close()
    to_png(office_to_pdf(work / "sheet-xlsx.xlsx"), "sheet-xlsx", pages=PRINTOUTS[2][1])
    return []


PRINTOUTS = [
    ("report-pdf", 2, "Committee report (委員会資料), PDF from `shinchoku report --format pdf`"),
    ("report-xlsx", 2, "Committee report, .xlsx printed to PDF by LibreOffice"),
    ("sheet-xlsx", 3, "A department's Excel sheet (総務課), printed to PDF by LibreOffice"),
]


def gallery() -> str:
    """docs/screenshots/README.md: every page type at both widths, then the printouts."""
    lines = [
        "# Screenshots",
        "",
        "Made by `make screenshots` (scripts/screenshots.py; the page list is",
        "scripts/page_types.py) on the demo data: every page type at 1366 px and 390 px, signed",
        "in as the person who uses it, and the printouts rendered through LibreOffice and",
        "pdftoppm. tests/browser/test_a11y_in_chromium.py checks the same pages with axe-core.",
        "",
        "Debian's Chromium ships only its en-US locale, so the browser's own controls (file",
        "inputs, date inputs) read in English here; a Japanese browser shows them in Japanese.",
        "",
    ]
    for pt in PAGE_TYPES:
        lines += [
            f"## {pt.label()}",
            "",
            f"`{pt.path}`" + (f", then the link `{pt.follow}`" if pt.follow else ""),
            "",
            f'<img src="{pt.name}-1366.png" width="640" alt="{pt.title} at 1366 px"> '
            f'<img src="{pt.name}-390.png" width="190" alt="{pt.title} at 390 px">',
            "",
        ]
    lines += ["## Printouts", ""]
    for name, pages, title in PRINTOUTS:
        lines += [f"### {title}", ""]
        lines += [
            f'<img src="{name}-{n}.png" width="420" alt="{title}, page {n}">'
            for n in range(1, pages + 1)
        ]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="page type names (default: all)")
    parser.add_argument("--no-printouts", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "README.md").write_text(gallery() + "\n", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="shinchoku-shots-") as tmp:
        work = Path(tmp)
        env = demo_env(work / "data", *setup_commands())
        server, base = start_runserver(env)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                problems = pages(base, browser, set(args.only))
                if not args.no_printouts and not args.only:
                    problems += printouts(base, browser, env, work)
                browser.close()
        finally:
            stop(server)
    for problem in problems:
        print("!", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
