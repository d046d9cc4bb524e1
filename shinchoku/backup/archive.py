"""One backup file: a .tar.gz holding a manifest, the database copy and the secret key.

    manifest.json       format, product version, database vendor, created at, migration state,
                        and the SHA-256 of every other member
    database.sqlite3    (SQLite) a copy made with SQLite's online backup API
    database.sql        (PostgreSQL) pg_dump's plain SQL, without owners and privileges
    secret_key          DATA_DIR/secret_key, unless SHINCHOKU_SECRET_KEY is set

Nothing else that must survive lives on disk: an uploaded workbook is read in memory and its
pending preview (PendingUpload) is a database row; report PDFs are temporary files that are
made again on request. The file is written to a temporary name and renamed when complete, with
permissions 0600, because it holds the secret key.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from shinchoku.backup import databases
from shinchoku.backup.errors import BackupError

FORMAT = "shinchoku-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KEY_MEMBER = "secret_key"
# Tables that `migrate` fills by itself (plans.0002_sdg_goals writes the 17 SDGs); rows in
# them do not make a database "in use".
BOOKKEEPING = {"contenttypes.contenttype", "auth.permission", "plans.sdggoal"}


def product_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shinchoku")
    except PackageNotFoundError:
        return "unknown"


def secret_key_path() -> Path:
    return Path(settings.DATA_DIR) / "secret_key"


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    """{app label: [migration names]} as recorded in the database."""
    recorder = MigrationRecorder(connections[alias])
    state: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_name(vendor: str) -> str:
    return f"shinchoku-backup-{vendor}-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"


def write_backup(output: Path | None = None, alias: str = "default") -> tuple[Path, dict]:
    """Write the backup file; return its path and manifest."""
    vendor = databases.vendor(alias)
    target = Path(output) if output else Path.cwd() / default_name(vendor)
    if target.is_dir():
        target = target / default_name(vendor)
    if not target.parent.is_dir():
        raise BackupError(f"書き込み先のフォルダ {target.parent} がありません。")
    with tempfile.TemporaryDirectory(prefix="shinchoku-backup-") as tmp:
        work = Path(tmp)
        db_name = databases.dump_file_name(alias)
        tool = databases.dump(work / db_name, alias)
        if vendor == "sqlite":  # read from the copy itself: exactly the state it holds
            migrations = databases.sqlite_migrations(work / db_name)
        else:
            migrations = applied_migrations(alias)
        if not migrations:
            raise BackupError(
                "このデータベースはまだ作られていません。"
                "`shinchoku migrate` の後にバックアップしてください。"
            )
        members = {db_name: work / db_name}
        from_environment = bool(os.environ.get("SHINCHOKU_SECRET_KEY"))
        if from_environment:
            key_source = "environment"
        elif secret_key_path().is_file():
            key_source = "file"
            members[KEY_MEMBER] = secret_key_path()
        else:
            key_source = "none"
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "product_version": product_version(),
            "vendor": vendor,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {"file": db_name, "tool": tool},
            "migrations": migrations,
            "secret_key": key_source,
            "files": [],
            "checksums": {name: _sha256(path) for name, path in members.items()},
        }
        _write_atomically(target, manifest, members)
    return target, manifest


def _write_atomically(target: Path, manifest: dict, members: dict[str, Path]) -> None:
    fd, part = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
                for name, path in members.items():
                    tar.add(path, arcname=name, filter=_private)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


@dataclass
class Restored:
    manifest: dict
    notes: list[str] = field(default_factory=list)


def read_manifest(tar: tarfile.TarFile, path: Path) -> dict:
    try:
        manifest = json.loads(tar.extractfile(MANIFEST).read().decode("utf-8"))
    except (KeyError, AttributeError, ValueError, OSError, tarfile.TarError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} は shinchoku のバックアップではありません(manifest.json がありません)。"
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} の形式(版 {manifest.get('format_version')})には、この版の shinchoku は"
            f"対応していません(対応: 版 {FORMAT_VERSION})。"
        )
    return manifest


def data_present(alias: str = "default") -> list[str]:
    """The models whose tables hold rows, apart from what `migrate` writes by itself."""
    from django.apps import apps

    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    found = []
    for model in apps.get_models():
        if model._meta.label_lower in BOOKKEEPING or model._meta.db_table not in tables:
            continue
        if model._default_manager.using(alias).exists():
            found.append(model._meta.label)
    return found


def _check_known_migrations(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            "このバックアップは、より新しい版の shinchoku で作られています(この版の知らない"
            f"データベースの変更: {', '.join(unknown[:5])})。"
            "同じ版以降の shinchoku で戻してください。"
        )


def restore_backup(path: Path, *, force: bool = False, alias: str = "default") -> Restored:
    """Bring back the database and the secret key from a backup file."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"ファイル {path} がありません。")
    try:
        tar = tarfile.open(path, mode="r:gz")
    except (tarfile.TarError, OSError) as e:
        raise BackupError(f"{path} はバックアップファイルとして読めません({e})。") from None
    with tar, tempfile.TemporaryDirectory(prefix="shinchoku-restore-") as tmp:
        manifest = read_manifest(tar, path)
        vendor = databases.vendor(alias)
        if manifest.get("vendor") != vendor:
            raise BackupError(
                f"このバックアップは {manifest.get('vendor')} のデータベースのものです。"
                f"設定されているデータベースは {vendor} のため、戻せません。"
                "同じ種類のデータベースに戻してください(種類を移す方法は docs/backup.md)。"
            )
        _check_known_migrations(manifest)
        work = Path(tmp)
        checksums = manifest.get("checksums") or {}
        db_name = manifest.get("database", {}).get("file")
        if db_name != databases.dump_file_name(alias) or db_name not in checksums:
            raise BackupError(f"{path} にデータベースの記録がありません。")
        for name, expected in checksums.items():
            if name not in (db_name, KEY_MEMBER):
                continue
            try:
                member = tar.getmember(name)
                if not member.isfile():
                    raise KeyError(name)
                with tar.extractfile(member) as src, (work / name).open("wb") as dst:
                    while block := src.read(1 << 20):
                        dst.write(block)
            except (KeyError, OSError, tarfile.TarError, EOFError):
                raise BackupError(
                    f"{path} の {name} を読み出せません。ファイルが壊れています。"
                ) from None
            if _sha256(work / name) != expected:
                raise BackupError(
                    f"{path} の {name} が記録と一致しません。ファイルが壊れています。"
                )
        present = data_present(alias)
        if present and not force:
            raise BackupError(
                "戻し先のデータベースには既にデータがあります"
                f"({', '.join(present[:4])} など)。空のデータベースに戻すか、"
                "今のデータを消してよい場合だけ --force を付けて実行してください。"
            )
        databases.load(work / db_name, alias)
        result = Restored(manifest)
        _empty_cache(result)
        _restore_secret_key(manifest, work, result)
        _check_migrations(manifest, alias, result)
    return result


def _empty_cache(result: Restored) -> None:
    """Cached pages are keyed by each plan's version, and the restored database may count its
    versions again from lower numbers: a shared cache (Redis) is emptied so that no page of the
    replaced data is served. A local-memory cache lives in the servers, which are restarted."""
    from django.conf import settings
    from django.core.cache import cache

    cache.clear()
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        result.notes.append("共有キャッシュ(Redis)を空にしました。")


def _restore_secret_key(manifest: dict, work: Path, result: Restored) -> None:
    if manifest.get("secret_key") == "file":
        target = secret_key_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(".secret_key.part")
        part.write_bytes((work / KEY_MEMBER).read_bytes())
        part.chmod(0o600)
        part.replace(target)
        result.notes.append(
            f"秘密鍵を {target} に戻しました。動いているサーバーは再起動してください。"
        )
        if os.environ.get("SHINCHOKU_SECRET_KEY"):
            result.notes.append(
                "SHINCHOKU_SECRET_KEY が設定されているため、戻したファイルの鍵は使われません。"
            )
    elif manifest.get("secret_key") == "environment":
        result.notes.append(
            "バックアップ元は秘密鍵を SHINCHOKU_SECRET_KEY で設定していました。"
            "同じ値を設定してください(バックアップには含まれていません)。"
        )


def _check_migrations(manifest: dict, alias: str, result: Restored) -> None:
    connections[alias].close()
    restored = applied_migrations(alias)
    if restored != manifest.get("migrations"):
        raise BackupError(
            "戻したデータベースの変更履歴(migrations)がバックアップの記録と一致しません。"
            "バックアップを取り直してください。"
        )
    executor = MigrationExecutor(connections[alias])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        result.notes.append(
            f"この版には、まだ適用していないデータベースの変更が {len(pending)} 件あります。"
            "`shinchoku migrate` を実行してください。"
        )
