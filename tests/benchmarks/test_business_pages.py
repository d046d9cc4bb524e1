"""benchmarks/business_pages.py keeps working: it loads the demo into a scratch SQLite file and
prints the CPU and queries of every 事務事業 page (the figures are not checked)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("register", "business page", "rotation", "round", "evaluation sheet", "report")


def test_the_business_pages_benchmark_prints_every_page(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # never a real database
    env.update(PYTHONPATH=str(ROOT), SHINCHOKU_DATA_DIR=str(tmp_path))
    args = ["--sqlite", str(tmp_path / "b.sqlite3"), "--runs", "1", "--warmup", "0"]
    done = subprocess.run(
        [sys.executable, "benchmarks/business_pages.py", *args, "--queries", "policy view"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for page in (*PAGES, "policy view"):
        assert any(line.startswith(page) for line in lines), page
    assert "businesses_businessnode" in done.stdout  # the policy view's SQL, as asked
