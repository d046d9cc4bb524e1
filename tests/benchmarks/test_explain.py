"""benchmarks/explain.py finds an index for every query of every page type (PostgreSQL only).

Runs the script on a scratch database of its own beside the test database (two councils, every
table of more than 50 rows checked with sequential scans switched off), then drops it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not URL.startswith("postgres"), reason="EXPLAIN of the pages' queries needs PostgreSQL"
)


def test_every_query_of_every_page_can_use_an_index():
    import psycopg
    from psycopg import sql

    name = f"explain_{os.getpid()}"
    url = URL.rsplit("/", 1)[0] + "/" + name
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT))
    try:
        done = subprocess.run(
            [sys.executable, "benchmarks/explain.py", "--councils", "2", "--min-rows", "50"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every query of every page and of an import can use an index" in done.stdout
    for page in ("item page", "sheet", "public goal", "federation dashboard", "import"):
        assert page in done.stdout
