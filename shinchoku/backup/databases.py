"""Copying the database out of and into the configured server, one function per vendor.

SQLite is copied with SQLite's online backup API (a consistent copy while the site runs, and a
restore that replaces the whole file's content in one step). PostgreSQL is dumped with `pg_dump`
as plain SQL and loaded with `psql` in one transaction, so a restore that fails leaves the
database as it was. The connection comes from DATABASES; the password travels in PGPASSWORD,
never on a command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

from shinchoku.backup.errors import BackupError

SQLITE_FILE = "database.sqlite3"
POSTGRESQL_FILE = "database.sql"


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


def dump_file_name(alias: str = "default") -> str:
    return SQLITE_FILE if vendor(alias) == "sqlite" else POSTGRESQL_FILE


def dump(target: Path, alias: str = "default") -> str:
    """Write a consistent copy of the database to target; return a note on the tool used."""
    if vendor(alias) == "sqlite":
        return _sqlite_dump(target, alias)
    if vendor(alias) == "postgresql":
        return _pg_dump(target, alias)
    raise BackupError(f"データベース「{vendor(alias)}」のバックアップには対応していません。")


def load(source: Path, alias: str = "default") -> None:
    """Replace the database's whole content with the copy at source."""
    connections[alias].close()
    if vendor(alias) == "sqlite":
        _sqlite_load(source, alias)
    else:
        _pg_load(source, alias)
    connections[alias].close()


def _sqlite_path(alias: str) -> str:
    return str(connections[alias].settings_dict["NAME"])


def _sqlite_dump(target: Path, alias: str) -> str:
    path = _sqlite_path(alias)
    if not Path(path).is_file():
        raise BackupError(f"データベースのファイル {path} がありません。設定を確認してください。")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
        source.close()
    return f"sqlite {sqlite3.sqlite_version}"


def sqlite_migrations(copy: Path) -> dict[str, list[str]]:
    """{app label: [migration names]} recorded in a copy of an SQLite database."""
    db = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    except sqlite3.OperationalError:  # no such table: never migrated
        rows = []
    finally:
        db.close()
    state: dict[str, list[str]] = {}
    for app, name in rows:
        state.setdefault(app, []).append(name)
    return state


def _sqlite_load(source: Path, alias: str) -> None:
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(_sqlite_path(alias), timeout=20)
    try:
        backup.backup(target)  # all pages in one step: the file changes at once or not at all
    finally:
        target.close()
        backup.close()


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's environment for the configured connection (the password included)."""
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if conf.get(key):
            env[name] = str(conf[key])
        else:
            env.pop(name, None)
    options = conf.get("OPTIONS") or {}
    for key, name in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[name] = str(options[key])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} が見つかりません。PostgreSQL のクライアント(postgresql-client)を"
            "入れてから、もう一度実行してください。"
        )
    return path


def _run(args: list[str], alias: str, what: str) -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        args, env=_pg_env(alias), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what}に失敗しました: {done.stderr.strip()[-2000:]}")
    return done


def _pg_dump(target: Path, alias: str) -> str:
    tool = _tool("pg_dump")
    _run(
        [tool, "--format=plain", "--no-owner", "--no-privileges", "--file", str(target)],
        alias,
        "pg_dump によるバックアップ",
    )
    return _run([tool, "--version"], alias, "pg_dump").stdout.strip()


def _pg_load(source: Path, alias: str) -> None:
    """Drop what the database holds and load the dump, all in one transaction."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    connection.close()
    quote = connection.ops.quote_name
    prelude = "SET client_min_messages = warning;\n"
    if tables:
        prelude += f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in tables)} CASCADE;\n"
    _run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--command",
            prelude,
            "--file",
            str(source),
        ],
        alias,
        "psql によるデータベースの復元",
    )
