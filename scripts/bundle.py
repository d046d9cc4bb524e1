"""Build the offline bundle for isolated networks (LGWAN): `make bundle`, docs/production.md.

    .venv/bin/python scripts/bundle.py [--out dist] [--wheel-cache DIR]

Writes dist/shinchoku-bundle-<version>.tar.gz holding, under shinchoku-bundle-<version>/:

    wheels/             the product's wheel and a wheel of every dependency (pip wheel)
    requirements.txt    every wheel pinned by name and version, for `pip install -r`
    fonts/              the licence texts of the vendored IPAexGothic font (the font itself is
                        in the product's wheel, shinchoku/reports/fonts/ipaexg.ttf)
    README.md           the offline install and run commands, in Japanese and English

Building needs the network (PyPI); installing does not. The wheels are for this machine's
Python version and platform (e.g. CPython 3.11, manylinux x86-64): build on the same kind of
machine as the one it goes to. `--wheel-cache` keeps the dependency wheels between builds.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "shinchoku" / "reports" / "fonts"
BUILD_REQUIRES = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
WHEEL_NAME = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)-")

README = """\
# 進捗 (Shinchoku) {version} — オフライン導入 / offline installation

## 日本語

インターネットにつながらない端末（LGWAN 系など）に導入するための一式です。必要なものは
Python {python}（このバンドルを作った版と同じ版）と、帳票 PDF のための Pango
（Debian/Ubuntu: `libpango-1.0-0 libpangoft2-1.0-0`、RHEL 系: `pango`）だけです。
ネットワークには一切接続しません。

```sh
tar xzf shinchoku-bundle-{version}.tar.gz
cd shinchoku-bundle-{version}
python3 -m venv /opt/shinchoku/venv
/opt/shinchoku/venv/bin/pip install --no-index --find-links wheels -r requirements.txt

# 設定（値は例です。秘密鍵は一度作って保管し、Web サーバーが複数なら同じ値にします）
export SHINCHOKU_DATA_DIR=/var/lib/shinchoku
export SHINCHOKU_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SHINCHOKU_ALLOWED_HOSTS=shinchoku.example.lg.jp
export SHINCHOKU_STATIC_MANIFEST=1
# PostgreSQL を使う場合（使わなければ SQLite が SHINCHOKU_DATA_DIR に作られます）
# export DATABASE_URL=postgres://shinchoku:パスワード@127.0.0.1:5432/shinchoku

/opt/shinchoku/venv/bin/shinchoku migrate
/opt/shinchoku/venv/bin/shinchoku collectstatic --noinput
/opt/shinchoku/venv/bin/shinchoku check --deploy
/opt/shinchoku/venv/bin/shinchoku createsuperuser

# Web サーバー（リバースプロキシの後ろ、127.0.0.1:8000）と、帳票・メール・日次処理のワーカー
/opt/shinchoku/venv/bin/gunicorn -c python:shinchoku.gunicorn_conf shinchoku.wsgi:application
/opt/shinchoku/venv/bin/shinchoku worker
```

フォント IPAexゴシックは製品のホイールに含まれています（帳票 PDF に使用）。ライセンスは
`fonts/` にあります。本番の設定の詳細は製品の docs/production.md を参照してください。

## English

Everything needed to install Shinchoku on a machine without network access (e.g. on LGWAN).
The machine needs Python {python} (the version this bundle was built with) and Pango for the
report PDFs (Debian/Ubuntu: `libpango-1.0-0 libpangoft2-1.0-0`; RHEL: `pango`). Nothing is
downloaded.

```sh
tar xzf shinchoku-bundle-{version}.tar.gz
cd shinchoku-bundle-{version}
python3 -m venv /opt/shinchoku/venv
/opt/shinchoku/venv/bin/pip install --no-index --find-links wheels -r requirements.txt

# Settings (example values; make the secret key once, keep it, and give every web server the same)
export SHINCHOKU_DATA_DIR=/var/lib/shinchoku
export SHINCHOKU_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SHINCHOKU_ALLOWED_HOSTS=shinchoku.example.lg.jp
export SHINCHOKU_STATIC_MANIFEST=1
# With PostgreSQL (without it, SQLite in SHINCHOKU_DATA_DIR)
# export DATABASE_URL=postgres://shinchoku:PASSWORD@127.0.0.1:5432/shinchoku

/opt/shinchoku/venv/bin/shinchoku migrate
/opt/shinchoku/venv/bin/shinchoku collectstatic --noinput
/opt/shinchoku/venv/bin/shinchoku check --deploy
/opt/shinchoku/venv/bin/shinchoku createsuperuser

# The web server (behind the reverse proxy, on 127.0.0.1:8000) and the worker (report PDFs,
# e-mail, the daily jobs)
/opt/shinchoku/venv/bin/gunicorn -c python:shinchoku.gunicorn_conf shinchoku.wsgi:application
/opt/shinchoku/venv/bin/shinchoku worker
```

The IPAexGothic font is inside the product's wheel (used by the report PDFs); its licence is in
`fonts/`. The production settings are described in the product's docs/production.md.

Built for: {platform}, Python {python}.
"""


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _pip(*args: str, attempt: bool = False) -> None:
    """Run pip; an `attempt` keeps its output to itself (a failure is answered by the caller)."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    subprocess.run(command, check=True, capture_output=attempt)


def _source_copy(target: Path) -> Path:
    """The files the wheel is built from, copied so that the build leaves the checkout clean."""
    source = target / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "shinchoku",
        source / "shinchoku",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return source


def _product_wheel(source: Path, wheels: Path, cache: Path | None) -> None:
    """Build the product's wheel; its build tools come from the cache when they are there."""
    command = ["wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source)]
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        try:
            _pip(*command, "--no-index", "--find-links", str(cache), attempt=True)
            return
        except subprocess.CalledProcessError:  # first build: keep the build tools for the next
            _pip("download", "--quiet", "--dest", str(cache), *BUILD_REQUIRES)
    _pip(*command)


def _drop_product_wheels(deps: Path) -> None:
    """`pip wheel` leaves the product's own wheel beside its dependencies; a cache keeping it
    would answer the next build with that older wheel's requirements (a dependency added
    since would be missing from the bundle)."""
    for wheel in deps.glob("shinchoku-*.whl"):
        wheel.unlink()


def build(out: Path, wheel_cache: Path | None = None) -> Path:
    """Build the bundle into `out` and return the archive's path."""
    name = f"shinchoku-bundle-{version()}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shinchoku-bundle-") as tmp:
        work = Path(tmp)
        top = work / name
        wheels = top / "wheels"
        wheels.mkdir(parents=True)
        source = _source_copy(work)
        find = ["--find-links", str(wheel_cache)] if wheel_cache else []
        _product_wheel(source, wheels, wheel_cache)
        (product,) = wheels.glob("shinchoku-*.whl")
        # Every dependency as a wheel: taken from the cache when it holds them all (only the
        # ones the product needs: a cache may hold others, or older versions); otherwise built
        # or fetched by `pip wheel` (binary wheels where PyPI has them) into the cache first.
        deps = wheel_cache or work / "deps"
        deps.mkdir(parents=True, exist_ok=True)
        _drop_product_wheels(deps)
        select = ["download", "--quiet", "--no-index", "--find-links", str(deps)]
        select += ["--find-links", str(wheels), "--dest", str(wheels), str(product)]
        try:
            _pip(*select, attempt=True)
        except subprocess.CalledProcessError:
            _pip("wheel", "--quiet", *find, "--wheel-dir", str(deps), str(product))
            _drop_product_wheels(deps)
            _pip(*select)
        pins = []
        for wheel in sorted(wheels.glob("*.whl")):
            match = WHEEL_NAME.match(wheel.name)
            pins.append(f"{match['name'].replace('_', '-')}=={match['version']}")
        (top / "requirements.txt").write_text("\n".join(pins) + "\n")
        (top / "fonts").mkdir()
        for licence in FONTS.glob("*.txt"):
            shutil.copy2(licence, top / "fonts" / licence.name)
        shutil.copy2(FONTS / "README.md", top / "fonts" / "README.md")
        python = ".".join(map(str, sys.version_info[:2]))
        (top / "README.md").write_text(
            README.format(version=version(), python=python, platform=sysconfig.get_platform())
        )
        archive = out / f"{name}.tar.gz"
        partial = out / f".{name}.tar.gz.part"
        # Wheels are zip files already: the fastest gzip level makes nearly the same size.
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            tar.add(top, arcname=name)
        partial.replace(archive)
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--wheel-cache", type=Path, help="keep dependency wheels here")
    args = parser.parse_args()
    archive = build(args.out, args.wheel_cache)
    size = archive.stat().st_size / 1024 / 1024
    print(f"{archive} ({size:.1f} MB)")


if __name__ == "__main__":
    main()
