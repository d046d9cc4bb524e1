"""The lineage to the previous plan in the plan formats (JSON, workbook, diff): optional fields.

Every field here is optional, so that files written before lineage existed still load:

- plan ``status``: "draft" for a next plan being written (策定中); absent is "keep as stored"
  (a new plan is adopted), so that an old file never adopts or withdraws a draft;
- node ``tag`` (区分) and ``continues`` (前計画キー: the node of the previous plan it continues);
- content ``continues`` (its node's key in the previous plan) and ``continues_position``
  (前計画の順番: its 1-based position under that node);
- indicator ``continues`` (the indicator key in the previous plan);
- previous evaluation rows ``subcategory`` (区分の小見出し), ``number`` (番号) and
  ``source_key`` (前計画キー: the item of the previous plan the row evaluates).

Absent and empty mean the same for these (an export leaves empty ones out, so an unchanged
plan exports exactly as before). The workbook writes them as extra columns at the end of their
sheet's named columns; a workbook without those columns reads as before.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

STATUS_WORDS = {"active": "策定済", "draft": "策定中"}

# Workbook columns (never required), added after each sheet's own named columns.
NODE_COLUMNS = ["区分", "前計画キー"]
CONTENT_COLUMNS = ["前計画キー", "前計画の順番"]
INDICATOR_COLUMNS = ["前計画キー"]
EVALUATION_COLUMNS = ["区分の小見出し", "番号", "前計画キー"]
PLAN_STATUS_LABEL = "状態"


def _nonempty(pairs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in pairs.items() if v not in ("", None)}


# --------------------------------------------------------------------------- export


def plan_fields(plan: Any) -> dict[str, Any]:
    return {"status": plan.status} if plan.status != "active" else {}


def node_fields(node: Any) -> dict[str, Any]:
    return _nonempty({"tag": node.tag, "continues": node.continues_key})


def content_fields(content: Any) -> dict[str, Any]:
    return _nonempty(
        {"continues": content.continues_key, "continues_position": content.continues_position}
    )


def indicator_fields(indicator: Any) -> dict[str, Any]:
    return _nonempty({"continues": indicator.continues_key})


def evaluation_fields(row: Any) -> dict[str, Any]:
    return _nonempty(
        {"subcategory": row.subcategory, "number": row.number, "source_key": row.source_key}
    )


# --------------------------------------------------------------------------- loading


def node_values(doc: dict) -> dict[str, Any]:
    """Model fields of a node from its document (absent: none)."""
    return {"tag": doc.get("tag", ""), "continues_key": doc.get("continues", "")}


def content_values(doc: dict) -> dict[str, Any]:
    return {
        "continues_key": doc.get("continues", ""),
        "continues_position": doc.get("continues_position"),
    }


def indicator_values(doc: dict) -> dict[str, Any]:
    return {"continues_key": doc.get("continues", "")}


def evaluation_values(doc: dict) -> dict[str, Any]:
    return {
        "subcategory": doc.get("subcategory", ""),
        "number": doc.get("number", ""),
        "source_key": doc.get("source_key", ""),
    }


def plan_status(doc_plan: dict, stored: str | None) -> str:
    """The plan's status after loading: the document's, else as stored (new plans: adopted)."""
    return doc_plan.get("status") or stored or "active"


# --------------------------------------------------------------------------- the diff


def node_snapshot(doc: dict) -> dict[str, str]:
    return {"区分": doc.get("tag", ""), "前計画キー": doc.get("continues", "")}


def content_snapshot(doc: dict) -> dict[str, str]:
    position = doc.get("continues_position")
    return {
        "前計画キー": doc.get("continues", ""),
        "前計画の順番": "" if position is None else str(position),
    }


def indicator_snapshot(doc: dict) -> dict[str, str]:
    return {"前計画キー": doc.get("continues", "")}


def evaluation_snapshot(doc: dict) -> dict[str, str]:
    return {
        "区分の小見出し": doc.get("subcategory", ""),
        "番号": doc.get("number", ""),
        "前計画キー": doc.get("source_key", ""),
    }


def status_snapshot(old_plan: dict | None, new_plan: dict) -> dict[str, str]:
    """The 状態 the preview compares: a document without one keeps the stored status."""
    stored = (old_plan or {}).get("status")
    return {"状態": STATUS_WORDS.get(plan_status(new_plan, stored), "")}


# --------------------------------------------------------------------------- the workbook

TAGS = ("新規", "継続", "充実・強化")
STATUS_CODES = {word: code for code, word in STATUS_WORDS.items()}


def status_cell(doc_plan: dict) -> str:
    """The 計画 sheet's 状態: 策定中 for a draft, blank for a plan in force."""
    return STATUS_WORDS["draft"] if doc_plan.get("status") == "draft" else ""


def node_cells(doc: dict) -> list[str]:
    return [doc.get("tag", ""), doc.get("continues", "")]


def content_cells(doc: dict) -> list[Any]:
    return [doc.get("continues", ""), doc.get("continues_position")]


def indicator_cells(doc: dict) -> list[str]:
    return [doc.get("continues", "")]


def evaluation_cells(doc: dict) -> list[str]:
    return [doc.get("subcategory", ""), doc.get("number", ""), doc.get("source_key", "")]


Bad = Any  # a callable (column name, message) that reports a cell's problem


def not_allowed(value: str, column: str, allowed: list[str]) -> str:
    """The message for a value of an optional column that is not one of its words."""
    return gettext(
        "“%(value)s” cannot be used in “%(column)s”. Use one of %(allowed)s, or leave it empty."
    ) % {"value": value, "column": column, "allowed": gettext("・").join(allowed)}


def read_status(value: str, bad: Bad) -> dict[str, str]:
    if not value:
        return {}
    if value in STATUS_CODES or value in STATUS_WORDS:
        return {"status": STATUS_CODES.get(value, value)}
    bad(
        PLAN_STATUS_LABEL,
        not_allowed(value, PLAN_STATUS_LABEL, [STATUS_WORDS["draft"], STATUS_WORDS["active"]]),
    )
    return {}


def _key(value: str, column: str, bad: Bad) -> str:
    if value and (len(value) > 100 or any(ch in value for ch in "/?# \t\n　")):
        bad(
            column,
            gettext("“%(value)s” in “%(column)s” must not hold spaces or / ? #.")
            % {"value": value[:100], "column": column},
        )
        return ""
    return value


def read_node(vals: dict, bad: Bad) -> dict[str, str]:
    tag = vals.get("区分", "")
    if tag and tag not in TAGS:
        bad(
            "区分",
            not_allowed(tag, "区分", TAGS),
        )
        tag = ""
    return _nonempty({"tag": tag, "continues": _key(vals.get("前計画キー", ""), "前計画キー", bad)})


def read_content(vals: dict, bad: Bad) -> dict[str, Any]:
    position_text = vals.get("前計画の順番", "")
    position = None
    if position_text:
        if position_text.isdigit() and int(position_text) >= 1:
            position = int(position_text)
        else:
            bad(
                "前計画の順番",
                gettext("Write the “%(column)s” as a whole number, 1 or more.")
                % {"column": "前計画の順番"},
            )
    return _nonempty(
        {
            "continues": _key(vals.get("前計画キー", ""), "前計画キー", bad),
            "continues_position": position,
        }
    )


def read_indicator(vals: dict, bad: Bad) -> dict[str, str]:
    return _nonempty({"continues": _key(vals.get("前計画キー", ""), "前計画キー", bad)})


def read_evaluation(vals: dict, bad: Bad) -> dict[str, str]:
    return _nonempty(
        {
            "subcategory": vals.get("区分の小見出し", "")[:200],
            "number": vals.get("番号", "")[:20],
            "source_key": _key(vals.get("前計画キー", ""), "前計画キー", bad),
        }
    )


def has_row_lineage(nodes: list[dict]) -> bool:
    """Whether any content or indicator of the tree names what it continues.

    Only then does the workbook carry the lineage columns after the fiscal years of 実施内容
    and 指標, so that the template and plans without lineage keep their layout.
    """
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if any("continues" in x for x in [*node["contents"], *node["indicators"]]):
            return True
        stack.extend(node["children"])
    return False
