"""The benchmark scripts keep working: each runs at its smallest size on a scratch SQLite file.

The figures are not checked (they depend on the machine); the scripts must finish, and print
their tables.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, *args: str, db: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # never a real database
    env.update(PYTHONPATH=str(ROOT), SHINCHOKU_DATA_DIR=str(db.parent))
    done = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--sqlite", str(db), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_benchmarks_run_at_their_smallest_size(tmp_path):
    db = tmp_path / "bench.sqlite3"
    made = run("councils.py", "--councils", "1", "--fresh", db=db)
    assert "plans/s" in made and "councils in the database: 1" in made

    pages = run(
        "pages.py", "--sizes", "1", "--runs", "1", "--warmup", "0", "--pdf-runs", "0", db=db
    )
    for page in ("item page", "draft save (autosave)", "federation dashboard", "login"):
        assert page in pages

    load = run(
        "load.py",
        *("--councils", "1", "--duration", "2", "--staff", "2", "--admins", "1"),
        *("--citizens", "1", "--think-min", "0.1", "--think-max", "0.3", "--workers", "1"),
        *("--port", str(18700 + os.getpid() % 1000)),
        db=db,
    )
    assert "requests/s" in load and "p95" in load
    assert ", 0 errors (" in load.split("== deadline day")[1]

    # The sheets the load test left untouched are filled and uploaded, each one saved.
    uploaded = run("upload.py", "--councils", "1", "--sheets", "3", db=db)
    assert "filled sheets at 1 councils" in uploaded and "sheets/s" in uploaded

    # One more council keeping the demo's links (--links): references waiting for the city's
    # plans, which the benchmark database does not hold.
    linked = run("councils.py", "--councils", "2", "--links", "--sample-every", "1000", db=db)
    assert "imported 1 councils (1 → 2)" in linked
    with sqlite3.connect(db) as conn:
        waiting = conn.execute(
            "SELECT count(*) FROM plans_contentgoal WHERE node_id IS NULL"
        ).fetchone()[0]
        relations = conn.execute("SELECT count(*) FROM plans_planrelation").fetchone()[0]
    assert (waiting, relations) == (108, 1)
