"""Small builders of interchange documents, loaded through the real import code."""

from __future__ import annotations

import copy


def plan_doc(
    slug: str = "test-plan",
    n_goals: int = 2,
    items_per_goal: int = 2,
    org_slug: str = "test-council",
    with_indicators: bool = True,
) -> dict:
    """Return a valid document: goals → items, each item with contents, schedule, indicators."""
    goals = []
    for g in range(1, n_goals + 1):
        items = []
        for i in range(1, items_per_goal + 1):
            key = f"{g}-{i}"
            items.append(
                {
                    "key": f"item-{key}",
                    "level": 2,
                    "label": str(i),
                    "title": f"事業{key}",
                    "subtitle": "",
                    "sections": [{"heading": "現状と課題", "style": "bullets", "body": ["課題"]}],
                    "departments": ["総務課"],
                    "kinds": ["独自事業"],
                    "sdgs": [3],
                    "contents": [
                        {
                            "label": "1",
                            "text": f"内容{key}",
                            "tag": "新規",
                            "repost": False,
                            "shared": None,
                            "goals": [{"plan": slug, "node": f"goal-{g}"}],
                            "schedule": [
                                {"track": "", "from": 2024, "to": 2024, "phase": "検討"},
                                {"track": "", "from": 2025, "to": 2028, "phase": "実施"},
                            ],
                            "note": "",
                        },
                        {
                            "label": "事業共通1",
                            "text": "共通の内容",
                            "tag": "",
                            "repost": False,
                            "shared": "common-1",
                            "goals": [],
                            "schedule": [{"track": "", "from": 2024, "to": 2028, "phase": "実施"}],
                            "note": "",
                        },
                    ],
                    "indicators": [
                        {
                            "key": f"ind-{key}",
                            "label": "1",
                            "name": f"相談件数{key}",
                            "unit": "件",
                            "direction": "up",
                            "department": "",
                            "baseline": {
                                "fy": 2023,
                                "value": "100件",
                                "label": "令和5年度(見込み)",
                                "estimate": True,
                                "as_of": "2024-01-31",
                            },
                            "targets": [
                                {"fy": 2024, "value": "110件"},
                                {"fy": 2028, "value": "150件"},
                            ],
                            "actuals": [],
                            "reports": [],
                            "notes": "",
                        }
                    ]
                    if with_indicators
                    else [],
                    "children": [],
                }
            )
        goals.append(
            {
                "key": f"goal-{g}",
                "level": 1,
                "label": f"基本目標{g}",
                "title": f"目標{g}",
                "subtitle": "",
                "sections": [],
                "departments": [],
                "kinds": [],
                "sdgs": [],
                "contents": [],
                "indicators": [],
                "children": items,
            }
        )
    return {
        "format": "shinchoku-plan",
        "version": 1,
        "organization": {"slug": org_slug, "name": "テスト社会福祉協議会", "kind": "council"},
        "departments": [{"name": "総務課", "parent": None}, {"name": "庶務係", "parent": "総務課"}],
        "plan": {
            "slug": slug,
            "title": "テスト計画",
            "kind": "other",
            "first_fy": 2024,
            "last_fy": 2028,
            "philosophy": "みんなで支え合うまち",
            "level_names": ["基本目標", "事業"],
            "relations": [],
            "sections": [],
            "welfare_issues": [],
            "shared_contents": [
                {"key": "common-1", "label": "事業共通1", "text": "共通の内容", "tag": "継続"}
            ],
            "previous_evaluations": [
                {
                    "goal": "基本目標1",
                    "category": "相談支援",
                    "item": "出張相談会",
                    "followup": "年2回実施",
                    "evaluation": "参加者が少ない",
                    "status": "再検討",
                },
                {
                    "goal": "基本目標2",
                    "category": "",
                    "item": "見守り協定",
                    "followup": "",
                    "evaluation": "",
                    "status": "未実施",
                },
            ],
            "nodes": goals,
        },
    }


def variant(doc: dict, **plan_changes) -> dict:
    """Return a deep copy with plan fields changed."""
    out = copy.deepcopy(doc)
    out["plan"].update(plan_changes)
    return out
