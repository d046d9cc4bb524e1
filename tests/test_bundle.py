"""`make bundle` (scripts/bundle.py): one archive that installs and runs with no network.

Builds the bundle once per session (the build may use PyPI; the dependency wheels are kept in
a cache under the system's temporary folder, so a second run only builds the product's wheel),
then follows the bundle's README in a fresh virtual environment with the network cut off
(`unshare -n` where the kernel allows it, and in any case pip without an index and with a
proxy that goes nowhere): install, `shinchoku check --deploy`, `shinchoku migrate` on a new
SQLite file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from scripts import bundle

ROOT = Path(__file__).resolve().parents[1]
WHEEL_CACHE = Path(tempfile.gettempdir()) / "shinchoku-bundle-wheel-cache"


def _offline_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def _offline_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "SHINCHOKU_", "DATABASE_URL", "DJANGO_", "PYTHON"))
    }
    env.update(
        # No index, no configured find-links or constraints: only the bundle's wheels.
        PIP_NO_INDEX="1",
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def bundle_archive(tmp_path_factory) -> Path:
    return bundle.build(tmp_path_factory.mktemp("dist"), WHEEL_CACHE)


def test_the_bundle_holds_every_wheel_the_fonts_and_a_bilingual_readme(bundle_archive):
    version = bundle.version()
    assert bundle_archive.name == f"shinchoku-bundle-{version}.tar.gz"
    with tarfile.open(bundle_archive) as tar:
        names = tar.getnames()
        top = f"shinchoku-bundle-{version}"
        readme = tar.extractfile(f"{top}/README.md").read().decode()
        pins = tar.extractfile(f"{top}/requirements.txt").read().decode().split()
    wheels = {Path(n).name for n in names if n.endswith(".whl")}
    assert f"shinchoku-{version}-py3-none-any.whl" in wheels
    for dependency in ("django-5.2.19", "weasyprint-70.0", "gunicorn-27.0.1", "psycopg_binary"):
        assert any(w.startswith(dependency) for w in wheels), dependency
    assert len(pins) == len(wheels)
    assert f"{top}/fonts/IPA_Font_License_Agreement_v1.0.txt" in names
    assert "## 日本語" in readme
    assert "## English" in readme
    assert "pip install --no-index --find-links wheels -r requirements.txt" in readme


def test_the_bundle_installs_and_runs_with_the_network_off(bundle_archive, tmp_path):
    with tarfile.open(bundle_archive) as tar:
        tar.extractall(tmp_path, filter="data")
    (folder,) = tmp_path.glob("shinchoku-bundle-*")
    offline = _offline_prefix()
    # A fresh environment from the base interpreter, not from the test's own environment.
    base_python = getattr(sys, "_base_executable", sys.executable)
    venv = tmp_path / "venv"
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=300)
    env = _offline_env()
    pip = [str(venv / "bin" / "pip"), "install", "--no-index", "--find-links", "wheels"]
    subprocess.run(
        [*offline, *pip, "-r", "requirements.txt"],
        cwd=folder,
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
    )

    data = tmp_path / "data"
    run_env = _offline_env(
        SHINCHOKU_DATA_DIR=str(data), SHINCHOKU_SECRET_KEY="offline-" * 8, SHINCHOKU_DEBUG="0"
    )
    shinchoku = str(venv / "bin" / "shinchoku")
    python = str(venv / "bin" / "python")
    where = subprocess.run(
        [*offline, python, "-c", "import shinchoku; print(shinchoku.__file__)"],
        cwd=tmp_path,
        env=run_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    package = Path(where.strip().splitlines()[-1]).parent
    assert package.is_relative_to(venv), "the check ran the checkout, not the installed bundle"
    assert (package / "reports" / "fonts" / "ipaexg.ttf").is_file()
    assert (package / "gunicorn_conf.py").is_file()
    for command in (["check", "--deploy"], ["migrate", "--noinput"]):
        result = subprocess.run(
            [*offline, shinchoku, *command],
            cwd=tmp_path,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    assert (data / "shinchoku.sqlite3").is_file()
    assert re.search(r"Applying \w+\.0001", result.stdout)
