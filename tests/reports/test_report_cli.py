"""`shinchoku report` end to end on real temporary files."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from .conftest import CITY, pdf_fonts

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_workbook(tmp_path):
    target = tmp_path / "資料2.xlsx"
    out = run(CITY, "--fy", "2019", "--format", "xlsx", "-o", str(target))
    assert "令和元年度(2019年度)" in out and "xlsx" in out
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[:2] == ["概要", "見通し"] and len(wb.sheetnames) == 8


def test_it_writes_the_pdf_and_takes_the_format_from_the_name(tmp_path):
    target = tmp_path / "report.pdf"
    out = run(CITY, "--fy", "2019", "-o", str(target))
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and "pdf" in out
    assert all(embedded for _name, embedded in pdf_fonts(data))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-plan", "--fy", "2019"], "計画「no-such-plan」はありません"),
        ([CITY, "--fy", "2030"], "令和12年度(2030年度)は計画期間(令和元年度〜令和5年度)の外です"),
        (["nishitokyo-action-plan-2019", "--fy", "2021"], "承認済みの進捗データがありません"),
    ],
)
def test_it_refuses_in_japanese(tmp_path, args, message):
    target = tmp_path / "out.xlsx"
    with pytest.raises(CommandError) as raised:
        run(*args, "-o", str(target))
    assert message in str(raised.value)
    assert not target.exists()


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--format pdf"):
        run(CITY, "--fy", "2019", "-o", str(tmp_path / "out.txt"))


def test_the_console_script_runs_it(tmp_path, settings):
    """Through `shinchoku report` as a user types it (hyphens and all), on a real database."""
    import subprocess
    import sys

    db = tmp_path / "db.sqlite3"
    env = {"SHINCHOKU_SQLITE": str(db), "PATH": "/usr/bin:/bin"}
    exe = [sys.executable, "-c", "from shinchoku.cli import main; main()"]
    subprocess.run([*exe, "migrate", "-v0"], env=env, check=True, capture_output=True)
    subprocess.run([*exe, "load-demo"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [*exe, "report", CITY, "--fy", "2019", "-o", str(tmp_path / "r.xlsx")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    missing = subprocess.run(
        [*exe, "report", "nope", "--fy", "2019", "-o", str(tmp_path / "r.xlsx")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "計画「nope」はありません" in missing.stderr
