"""Re-reading the seeds gives exactly the committed demo data set."""

from __future__ import annotations

import pytest

from shinchoku.plans.demo import DEMO_DIR, DEMO_FILES
from shinchoku.plans.interchange import dumps, export_plan, load_documents
from shinchoku.plans.seeds import SeedsMissing, build_documents, read_seed_texts
from tests.seeds import seeds_folder


@pytest.fixture(scope="module")
def seeds():
    folder = seeds_folder()
    if folder is None:
        pytest.skip("../shared/seeds is not beside this checkout")
    return build_documents(folder)


def test_reimported_seeds_equal_the_committed_demo_files(empty_db, seeds):
    docs, _ = seeds
    plans = {p.slug: p for p in load_documents(docs)}
    for name in DEMO_FILES:
        slug = name.removesuffix(".json")
        assert dumps(export_plan(plans[slug])) == (DEMO_DIR / name).read_text(encoding="utf-8")


def test_the_report_lists_every_kind_of_irregularity(seeds):
    _, report = seeds
    kinds = {e.kind for e in report.entries}
    assert {"disagreement", "interpretation", "normalised", "unplaced", "missing"} <= kinds
    disagreements = report.of_kind("disagreement")
    overview = [e for e in disagreements if e.source == "000" and "実施項目" in e.where]
    assert 15 <= len(overview) <= 30
    assert all(line.startswith("[") for line in report.lines())


def test_missing_seed_files_are_named(tmp_path):
    (tmp_path / "000_x.txt").write_text("", encoding="utf-8")
    with pytest.raises(SeedsMissing, match="001_"):
        read_seed_texts(tmp_path)


def test_import_seeds_command_prints_the_report(empty_db, seeds, capsys):
    from django.core.management import call_command

    call_command("import-seeds".replace("-", "_"), str(seeds_folder()))
    out = capsys.readouterr().out
    assert "取り込みレポート" in out
    assert "不一致" in out
    assert "読み込みました: nishitokyo-action-plan-2019" in out
