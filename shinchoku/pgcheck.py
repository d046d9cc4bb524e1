"""Exit 0 when the PostgreSQL server at the given URL answers, 1 otherwise."""

import sys


def reachable(url: str) -> bool:
    """Try one short connection."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
