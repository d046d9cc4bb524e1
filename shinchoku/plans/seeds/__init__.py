"""Readers for the real Nishitokyo plan documents (text extracted from PDF).

Plain Python: each reader turns a seed text into interchange documents and fills an ImportReport.
"""

from __future__ import annotations

from pathlib import Path

from shinchoku.plans.seeds.report import ImportReport

SEED_FILES = {
    "000": "アクションプラン",
    "001": "第四次地域福祉活動計画 第8章",
    "002": "第四次地域福祉活動計画 概要版",
    "004": "第4期地域福祉計画 進捗状況調査票",
}


class SeedsMissing(FileNotFoundError):
    pass


def read_seed_texts(folder: Path) -> dict[str, str]:
    """Read the four seed files, found by their number prefix."""
    texts = {}
    missing = []
    for prefix, title in SEED_FILES.items():
        found = sorted(folder.glob(f"{prefix}_*.txt"))
        if not found:
            missing.append(f"{prefix}_*.txt（{title}）")
            continue
        texts[prefix] = found[0].read_text(encoding="utf-8")
    if missing:
        raise SeedsMissing(f"{folder} に次のファイルがありません: " + "、".join(missing))
    return texts


def build_documents(folder: Path) -> tuple[list[dict], ImportReport]:
    """Parse the seeds into interchange documents, in the order they must be loaded."""
    from shinchoku.plans.seeds.action_plan import parse_action_plan
    from shinchoku.plans.seeds.activity_plan import parse_activity_plan
    from shinchoku.plans.seeds.city_plan import parse_city_plan

    texts = read_seed_texts(folder)
    report = ImportReport()
    city = parse_city_plan(texts["004"], report)
    activity = parse_activity_plan(texts["001"], texts["002"], report)
    action = parse_action_plan(texts["000"], report)
    return [city, activity, action], report
