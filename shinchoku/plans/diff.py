"""What loading a plan document would change: the preview of an upload, and its history.

Compares the document of the plan as stored with the one about to be loaded and lists every
addition, change and removal with a readable locator and the values before and after, as
field → text snapshots (the same shape the browser editor records).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shinchoku.plans import lineage_format
from shinchoku.plans.vocabulary import DIRECTIONS, ORG_KINDS, PLAN_KINDS, STYLES

KIND_NAMES = {
    "plan": "計画",
    "department": "部署",
    "relation": "関連計画",
    "section": "本文",
    "welfare_issue": "福祉課題",
    "shared_content": "共通内容",
    "evaluation": "前計画の評価",
    "node": "項目",
    "content": "実施内容",
    "indicator": "指標",
}
LEVEL = ("level", "階層")


@dataclass(frozen=True)
class Change:
    action: str  # add | change | remove
    kind: str
    key: str
    label: str
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    loses_progress: bool = False
    node_key: str = ""

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def before_text(self) -> str:
        return _render(self.before, self.after if self.action == "change" else None)

    @property
    def after_text(self) -> str:
        return _render(self.after, self.before if self.action == "change" else None)


def _render(snapshot: dict[str, str], other: dict[str, str] | None) -> str:
    if other is None:  # an addition or removal: the fields that have a value
        names = [n for n in snapshot if snapshot[n]]
    else:  # a change: the fields that differ
        names = [n for n in snapshot if other.get(n, "") != snapshot[n]]
    return "\n".join(f"{n}: {snapshot[n]}" if n else snapshot[n] for n in names)


def summary(changes: list[Change]) -> dict[str, int]:
    """Counts per action: {"add": n, "change": n, "remove": n}."""
    out = {"add": 0, "change": 0, "remove": 0}
    for c in changes:
        out[c.action] += 1
    return out


def _lines(items: list[Any]) -> str:
    return "\n".join(str(i) for i in items)


def _walk(nodes: list[dict], parent: str = "") -> Iterator[tuple[dict, str]]:
    """Every node with its parent's key, in document order, without recursion."""
    stack = [(node, parent) for node in reversed(nodes)]
    while stack:
        node, above = stack.pop()
        yield node, above
        stack.extend((child, node["key"]) for child in reversed(node["children"]))


def _has_progress(node: dict) -> bool:
    return any(
        ind["actuals"] or ind["reports"] for n, _p in _walk([node]) for ind in n["indicators"]
    )


def _plan_snapshot(doc: dict) -> dict[str, str]:
    p, org = doc["plan"], doc["organization"]
    return {
        "計画名": p["title"],
        "種類": PLAN_KINDS.get(p["kind"], p["kind"]),
        "計画期間": f"{p['first_fy']}〜{p['last_fy']}年度",
        "基本理念": p["philosophy"],
        "階層名": "、".join(p["level_names"]),
        "組織": f"{org['name']}（{org['slug']}、{ORG_KINDS.get(org['kind'], org['kind'])}）",
    }


def _node_snapshot(node: dict, parent: str, position: int) -> dict[str, str]:
    return {
        "上位キー": parent,
        "階層": str(node["level"]),
        "順序": str(position),
        "番号": node["label"],
        "タイトル": node["title"],
        "サブタイトル": node["subtitle"],
        "担当部署": "、".join(node["departments"]),
        "種別": "、".join(node["kinds"]),
        "SDGs": "、".join(str(n) for n in node["sdgs"]),
        **lineage_format.node_snapshot(node),
    }


def _section_snapshot(s: dict) -> dict[str, str]:
    return {
        "見出し": s["heading"],
        "形式": STYLES.get(s["style"], s["style"]),
        "本文": _lines(s["body"]),
    }


def _schedule_text(spans: list[dict]) -> str:
    return _lines(
        f"{s['track'] + ': ' if s['track'] else ''}{s['from']}"
        + (f"〜{s['to']}" if s["to"] != s["from"] else "")
        + f" {s['phase']}"
        for s in spans
    )


def _content_snapshot(c: dict) -> dict[str, str]:
    return {
        "番号": c["label"],
        "実施内容": c["text"],
        "区分": c["tag"],
        "再掲": "○" if c["repost"] else "",
        "共通キー": c["shared"] or "",
        "結び付く目標": "、".join(f"{g['plan']}:{g['node']}" for g in c["goals"]),
        "実施時期": _schedule_text(c["schedule"]),
        "備考": c["note"],
        **lineage_format.content_snapshot(c),
    }


def _indicator_snapshot(ind: dict) -> dict[str, str]:
    b = ind["baseline"]
    return {
        "番号": ind["label"],
        "指標名": ind["name"],
        "単位": ind["unit"],
        "方向": DIRECTIONS.get(ind["direction"], ind["direction"]),
        "担当部署": ind["department"],
        "現状値": _baseline_text(b),
        "目標": _lines(
            f"{t['fy']}年度 {t['value']}" for t in sorted(ind["targets"], key=lambda t: t["fy"])
        ),
        "実績": _lines(
            f"{a['fy']}年度 {a['value']}" + (f"（{a['note']}）" if a.get("note") else "")
            for a in ind["actuals"]
        ),
        "取組報告": _lines(f"{r['fy']}年度 {r['done']} / {r['next']}" for r in ind["reports"]),
        "備考": ind["notes"],
        **lineage_format.indicator_snapshot(ind),
    }


def _baseline_text(b: dict | None) -> str:
    if not b:
        return ""
    parts = [f"{b['fy']}年度 {b['value']}"]
    if b.get("label"):
        parts.append(f"見出し: {b['label']}")
    if b.get("estimate"):
        parts.append("見込み")
    if b.get("as_of"):
        parts.append(f"基準日: {b['as_of']}")
    return "、".join(parts)


def keyed(items: list[Any], key: Any) -> dict[str, Any]:
    """Items by a key; repeats get #2, #3 so that nothing is lost."""
    out: dict[str, dict] = {}
    for item in items:
        k = str(key(item))
        name, n = k, 1
        while name in out:
            n += 1
            name = f"{k} #{n}"
        out[name] = item
    return out


def content_key(c: dict) -> str:
    """How a content is told apart from its siblings: its number, or the start of its text."""
    return f"内容 {c['label']}" if c["label"] else f"内容 {c['text'][:30]}"


def _compare(
    changes: list[Change],
    kind: str,
    old: dict[str, dict],
    new: dict[str, dict],
    snapshot: Any,
    label: Any,
    *,
    node_key: str = "",
    prefix: str = "",
    progress: Any = None,
    ordered: bool = True,
    removals: bool = True,
) -> None:
    """Additions, changes and removals of keyed items; with `ordered`, a change of their order.

    Without `removals`, items missing from the new document are not listed: they are kept.
    """
    for k, item in new.items():
        if k not in old:
            changes.append(
                Change(
                    "add", kind, prefix + k, label(item), after=snapshot(item), node_key=node_key
                )
            )
        elif snapshot(old[k]) != snapshot(item):
            lost = bool(progress and progress(old[k], item))
            changes.append(
                Change(
                    "change",
                    kind,
                    prefix + k,
                    label(item),
                    snapshot(old[k]),
                    snapshot(item),
                    loses_progress=lost,
                    node_key=node_key,
                )
            )
    old_order = [k for k in old if k in new]
    new_order = [k for k in new if k in old]
    if ordered and old_order != new_order:
        changes.append(
            Change(
                "change",
                kind,
                prefix + "並び順",
                "並び順",
                {"並び順": "\n".join(old_order)},
                {"並び順": "\n".join(new_order)},
                node_key=node_key,
            )
        )
    for k, item in old.items():
        if removals and k not in new:
            lost = bool(progress and progress(item, None))
            changes.append(
                Change(
                    "remove",
                    kind,
                    prefix + k,
                    label(item),
                    before=snapshot(item),
                    loses_progress=lost,
                    node_key=node_key,
                )
            )


def _indicator_loss(old: dict, new: dict | None) -> bool:
    """Reported values or texts that the new document no longer has."""
    if new is None:
        return bool(old["actuals"] or old["reports"])
    kept_a = {(a["fy"], a["value"]) for a in new["actuals"]}
    kept_r = {(r["fy"], r["done"], r["next"]) for r in new["reports"]}
    return any((a["fy"], a["value"]) not in kept_a for a in old["actuals"]) or any(
        (r["fy"], r["done"], r["next"]) not in kept_r for r in old["reports"]
    )


def diff_documents(old: dict | None, new: dict) -> list[Change]:
    """Every change that loading `new` over `old` (None: a new plan) would make."""
    changes: list[Change] = []
    empty = {
        "plan": {
            "nodes": [],
            "sections": [],
            "relations": [],
            "welfare_issues": [],
            "shared_contents": [],
            "previous_evaluations": [],
        },
        "departments": [],
    }
    base = old or empty
    slug = new["plan"]["slug"]
    if old is None:
        changes.append(Change("add", "plan", slug, new["plan"]["title"], after=_plan_snapshot(new)))
    elif _plan_snapshot(old) != _plan_snapshot(new):
        changes.append(
            Change(
                "change",
                "plan",
                slug,
                new["plan"]["title"],
                _plan_snapshot(old),
                _plan_snapshot(new),
            )
        )
    op, np_ = base["plan"], new["plan"]
    if old is not None:  # issue 13: 策定中 / 策定済 (a document without a status keeps it)
        was = lineage_format.status_snapshot(None, op)
        will = lineage_format.status_snapshot(op, np_)
        if was != will:
            changes.append(Change("change", "plan", f"{slug} › 状態", np_["title"], was, will))
    _compare(
        changes,
        "department",
        keyed(base["departments"], lambda d: d["name"]),
        keyed(new["departments"], lambda d: d["name"]),
        lambda d: {"上位部署": d["parent"] or ""},
        lambda d: d["name"],
        ordered=False,
        # Departments belong to the organization (other plans and past sheets name them): a
        # plan that stops naming one leaves it in place, so the preview does not list a removal.
        removals=False,
    )
    _compare(
        changes,
        "relation",
        keyed(op["relations"], lambda r: f"{r['type']}:{r['plan']}"),
        keyed(np_["relations"], lambda r: f"{r['type']}:{r['plan']}"),
        lambda r: {"関係": r["type"], "計画ID": r["plan"]},
        lambda r: r["plan"],
        ordered=False,
    )
    _compare(
        changes,
        "section",
        keyed(op["sections"], lambda s: s["heading"]),
        keyed(np_["sections"], lambda s: s["heading"]),
        _section_snapshot,
        lambda s: s["heading"],
        prefix="計画本文 › ",
    )
    _compare(
        changes,
        "welfare_issue",
        keyed(op["welfare_issues"], lambda w: w["number"]),
        keyed(np_["welfare_issues"], lambda w: w["number"]),
        lambda w: {"福祉課題": w["title"], "市民の声": _lines(w["voices"])},
        lambda w: w["title"],
        prefix="福祉課題 ",
    )
    _compare(
        changes,
        "shared_content",
        keyed(op["shared_contents"], lambda s: s["key"]),
        keyed(np_["shared_contents"], lambda s: s["key"]),
        lambda s: {"番号": s["label"], "内容": s["text"], "区分": s["tag"]},
        lambda s: s["text"][:80],
    )
    _compare(
        changes,
        "evaluation",
        keyed(op.get("previous_evaluations", []), lambda e: f"{e['goal']} › {e['item']}"),
        keyed(np_.get("previous_evaluations", []), lambda e: f"{e['goal']} › {e['item']}"),
        lambda e: {
            "事業区分": e["category"],
            "その後の取組": e["followup"],
            "評価・課題": e["evaluation"],
            "状況": e["status"],
            **lineage_format.evaluation_snapshot(e),
        },
        lambda e: e["item"],
    )

    def positions(nodes: list[dict]) -> dict[str, tuple[dict, str, int]]:
        out = {}
        stack = [(n, "", i) for i, n in reversed(list(enumerate(nodes, start=1)))]
        while stack:
            n, parent, i = stack.pop()
            out[n["key"]] = (n, parent, i)
            stack.extend((c, n["key"], j) for j, c in reversed(list(enumerate(n["children"], 1))))
        return out

    old_nodes, new_nodes = positions(op["nodes"]), positions(np_["nodes"])
    for key, (node, parent, pos) in new_nodes.items():
        after = _node_snapshot(node, parent, pos)
        label = f"{node['label']} {node['title']}".strip()
        if key not in old_nodes:
            changes.append(Change("add", "node", key, label, after=after, node_key=key))
            old_node = None
        else:
            old_node, old_parent, old_pos = old_nodes[key]
            before = _node_snapshot(old_node, old_parent, old_pos)
            if before != after:
                changes.append(Change("change", "node", key, label, before, after, node_key=key))
        _node_parts(changes, key, old_node, node)
    for key, (node, _parent, _pos) in old_nodes.items():
        if key not in new_nodes:
            label = f"{node['label']} {node['title']}".strip()
            changes.append(
                Change(
                    "remove",
                    "node",
                    key,
                    label,
                    before=_node_snapshot(node, _parent, _pos),
                    loses_progress=_has_progress(node),
                    node_key=key,
                )
            )
            _node_parts(changes, key, node, None)
    return changes


def _node_parts(changes: list[Change], key: str, old: dict | None, new: dict | None) -> None:
    """Sections, contents and indicators of one node (old or new may be missing)."""
    o = old or {"sections": [], "contents": [], "indicators": []}
    n = new or {"sections": [], "contents": [], "indicators": []}
    _compare(
        changes,
        "section",
        keyed(o["sections"], lambda s: s["heading"]),
        keyed(n["sections"], lambda s: s["heading"]),
        _section_snapshot,
        lambda s: s["heading"],
        node_key=key,
        prefix=f"{key} › ",
    )

    _compare(
        changes,
        "content",
        keyed(o["contents"], content_key),
        keyed(n["contents"], content_key),
        _content_snapshot,
        lambda c: c["text"][:80],
        node_key=key,
        prefix=f"{key} › ",
    )
    _compare(
        changes,
        "indicator",
        keyed(o["indicators"], lambda i: i["key"]),
        keyed(n["indicators"], lambda i: i["key"]),
        _indicator_snapshot,
        lambda i: i["name"],
        node_key=key,
        progress=_indicator_loss,
    )
