"""`shinchoku backup` and `shinchoku restore` end to end, as an operator runs them.

A source installation is made with `migrate` and `load-demo` in its own database (a temporary SQLite
file, and two scratch PostgreSQL databases when DATABASE_URL points at PostgreSQL) and data folder.
Its backup is restored into an empty database, and every plan's export and the rounds' data are
compared before and after.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("DATABASE_URL", "")
VENDORS = ["sqlite"] + (
    ["postgresql"] if PG_URL.startswith(("postgres://", "postgresql://")) else []
)

# Run in the installation's own process: every plan's `shinchoku export`, and the rounds' data
# and everything else as `shinchoku dumpdata` writes it.
SNAPSHOT = """
import io, json, django
django.setup()
from django.core.management import call_command
from shinchoku.plans.models import Plan

def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()

print(json.dumps({
    "exports": {slug: run("export", slug) for slug in Plan.objects.values_list("slug", flat=True)},
    "rounds": json.loads(run("dumpdata", "rounds")),
    "everything": json.loads(run("dumpdata", "--exclude", "sessions")),
}))
"""


@dataclass
class Install:
    """One installation: a data folder and a database, driven through the `shinchoku` CLI."""

    data_dir: Path
    db_env: dict[str, str]
    key: bytes = b""

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "SHINCHOKU_SQLITE", "SHINCHOKU_SECRET_KEY")
        }
        env.update(self.db_env, SHINCHOKU_DATA_DIR=str(self.data_dir), PYTHONPATH=str(REPO))
        env["DJANGO_SETTINGS_MODULE"] = "shinchoku.settings"
        return env

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "shinchoku.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            cwd=self.data_dir,
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    def snapshot(self) -> dict:
        done = subprocess.run(
            [sys.executable, "-c", SNAPSHOT], env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


class Databases:
    """Fresh databases of one vendor, removed at the end."""

    def __init__(self, vendor: str, root: Path):
        self.vendor, self.root, self.created = vendor, root, []

    def new(self, name: str) -> Install:
        data_dir = self.root / name
        data_dir.mkdir()
        if self.vendor == "sqlite":
            return Install(data_dir, {"SHINCHOKU_SQLITE": str(self.root / f"{name}.sqlite3")})
        import psycopg

        db = f"{PG_URL.rsplit('/', 1)[1]}_bk_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
        self.created.append(db)
        return Install(data_dir, {"DATABASE_URL": _pg_url(db)})

    def drop_all(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
            for db in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _pg_url(db: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + db


@pytest.fixture(scope="module", params=VENDORS)
def databases(request, tmp_path_factory):
    dbs = Databases(request.param, tmp_path_factory.mktemp(request.param))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="module")
def source(databases):
    """An installation with the demo: plans, organizations, users and a published round."""
    site = databases.new("source")
    site.run("migrate", "-v0")
    site.run("load-demo")
    return site


@pytest.fixture(scope="module")
def backup_file(source):
    target = source.data_dir / "nightly.tar.gz"
    done = source.run("backup", "-o", str(target))
    assert "バックアップを書きました" in done.stdout
    return target


@pytest.fixture(scope="module")
def before(source):
    return source.snapshot()


@pytest.fixture(scope="module")
def restored(databases, backup_file, before):
    """A new installation (its database never migrated) with the backup restored into it."""
    site = databases.new("restored")
    done = site.run("restore", str(backup_file))
    assert "バックアップを戻しました" in done.stdout
    return site


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def rewritten(path: Path, target: Path, change) -> Path:
    """A copy of the backup with its manifest changed by change(manifest)."""
    parts = members(path)
    manifest = json.loads(parts["manifest.json"])
    change(manifest)
    parts["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as tar:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def test_the_backup_is_one_private_file_with_a_manifest(databases, source, backup_file):
    assert backup_file.stat().st_mode & 0o777 == 0o600
    assert not list(backup_file.parent.glob("*.part"))
    parts = members(backup_file)
    manifest = json.loads(parts["manifest.json"])
    database = "database.sqlite3" if databases.vendor == "sqlite" else "database.sql"
    assert set(parts) == {"manifest.json", database, "secret_key"}
    assert manifest["format"] == "shinchoku-backup" and manifest["format_version"] == 1
    assert manifest["vendor"] == databases.vendor
    assert manifest["product_version"] and manifest["created_at"]
    assert "0001_initial" in manifest["migrations"]["plans"]
    assert "0001_initial" in manifest["migrations"]["rounds"]
    assert manifest["secret_key"] == "file"
    assert parts["secret_key"] == (source.data_dir / "secret_key").read_bytes()


def test_restoring_into_an_empty_database_brings_back_every_plan_and_round(
    source, restored, before
):
    after = restored.snapshot()
    assert len(before["exports"]) >= 3
    assert before["rounds"], "the demo has a round"
    assert after["exports"] == before["exports"]
    assert after["rounds"] == before["rounds"]
    assert after["everything"] == before["everything"]
    secret = (restored.data_dir / "secret_key").read_bytes()
    assert secret == (source.data_dir / "secret_key").read_bytes()
    assert (restored.data_dir / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_restored_database_takes_new_records(restored):
    env_user = "restored-admin"
    done = subprocess.run(
        [sys.executable, "-m", "shinchoku.cli", "createsuperuser", "--noinput"],
        env={
            **restored.env,
            "DJANGO_SUPERUSER_USERNAME": env_user,
            "DJANGO_SUPERUSER_EMAIL": "a@example.jp",
            "DJANGO_SUPERUSER_PASSWORD": "a-long-passphrase-2026",
        },
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr  # ids continue after the restored ones


def test_a_migrated_but_empty_database_is_restored_into(databases, source, backup_file):
    site = databases.new("migrated")
    site.run("migrate", "-v0")
    site.run("restore", str(backup_file))
    assert site.run("plans").stdout == source.run("plans").stdout


def test_a_database_with_data_is_refused_unless_forced(source, backup_file):
    plans = source.run("plans").stdout
    done = source.run("restore", str(backup_file), ok=False)
    assert done.returncode != 0
    assert "戻し先のデータベースには既にデータがあります" in done.stderr
    assert "--force" in done.stderr and "Traceback" not in done.stderr
    assert source.run("plans").stdout == plans
    forced = source.run("restore", "--force", str(backup_file))
    assert "バックアップを戻しました" in forced.stdout
    assert source.run("plans").stdout == plans


@pytest.fixture(scope="module")
def untouched(databases):
    """A migrated, empty installation that every refused restore must leave as it is."""
    site = databases.new("untouched")
    site.run("migrate", "-v0")
    site.key = (site.data_dir / "secret_key").read_bytes()
    return site


def assert_refused(site: Install, path: Path, message: str) -> None:
    done = site.run("restore", str(path), ok=False)
    assert done.returncode != 0
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert site.run("plans").stdout == ""
    assert (site.data_dir / "secret_key").read_bytes() == site.key


def test_a_backup_of_another_database_vendor_is_refused(databases, backup_file, untouched):
    other = "postgresql" if databases.vendor == "sqlite" else "sqlite"

    def to_other(manifest):
        manifest["vendor"] = other

    path = rewritten(backup_file, untouched.data_dir / "other.tar.gz", to_other)
    assert_refused(untouched, path, f"このバックアップは {other} のデータベースのものです")


def test_a_backup_made_by_a_newer_version_is_refused(backup_file, untouched):
    def newer(manifest):
        manifest["migrations"]["plans"].append("9999_from_the_future")

    path = rewritten(backup_file, untouched.data_dir / "newer.tar.gz", newer)
    assert_refused(untouched, path, "より新しい版の shinchoku で作られています")


def test_a_damaged_backup_is_refused(backup_file, untouched):
    def damaged(manifest):
        manifest["checksums"][manifest["database"]["file"]] = "0" * 64

    path = rewritten(backup_file, untouched.data_dir / "damaged.tar.gz", damaged)
    assert_refused(untouched, path, "が記録と一致しません。ファイルが壊れています。")


def test_a_file_that_is_not_a_backup_is_refused(untouched):
    path = untouched.data_dir / "plan.json"
    path.write_text("{}", encoding="utf-8")
    assert_refused(untouched, path, "バックアップファイルとして読めません")
    missing = untouched.run("restore", str(untouched.data_dir / "nope.tar.gz"), ok=False)
    assert missing.returncode != 0 and "がありません" in missing.stderr


def test_a_key_set_in_the_environment_is_noted_not_copied(source):
    env = {**source.env, "SHINCHOKU_SECRET_KEY": "from-the-environment-" + "x" * 40}
    target = source.data_dir / "env-key.tar.gz"
    subprocess.run(
        [sys.executable, "-m", "shinchoku.cli", "backup", "-o", str(target)],
        env=env,
        check=True,
        capture_output=True,
    )
    parts = members(target)
    assert json.loads(parts["manifest.json"])["secret_key"] == "environment"
    assert "secret_key" not in parts
    assert b"from-the-environment" not in b"".join(parts.values())


def test_a_backup_that_cannot_be_made_says_why_and_leaves_no_file(tmp_path):
    site = Install(tmp_path, {"SHINCHOKU_SQLITE": str(tmp_path / "missing.sqlite3")})
    target = tmp_path / "b.tar.gz"
    done = site.run("backup", "-o", str(target), ok=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "データベースのファイル" in done.stderr and "がありません" in done.stderr
    assert not target.exists() and not list(tmp_path.glob("*.part"))
    elsewhere = site.run("backup", "-o", str(tmp_path / "no" / "b.tar.gz"), ok=False)
    assert "書き込み先のフォルダ" in elsewhere.stderr


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


CACHE_SCRIPT = """
import sys, django
django.setup()
from django.core.cache import cache
if sys.argv[2]:
    cache.set(sys.argv[1], sys.argv[2], 600)
print(cache.get(sys.argv[1]))
"""


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_a_restore_empties_the_shared_cache(source, backup_file):
    """Pages cached before a restore could carry the replaced data (plan versions restart)."""
    from dataclasses import replace

    site = replace(source, db_env={**source.db_env, "REDIS_URL": "redis://127.0.0.1:6379/14"})
    key = f"restore-{uuid.uuid4().hex}"

    def cached(value: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-c", CACHE_SCRIPT, key, value],
            env=site.env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert cached("古いページ") == "古いページ"
    done = site.run("restore", "--force", str(backup_file))
    assert "共有キャッシュ(Redis)を空にしました。" in done.stdout
    assert cached() == "None"
