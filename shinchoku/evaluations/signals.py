"""A node or content added to a draft next plan without lineage is 新規 (it continues nothing)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save

from shinchoku.core.lineage import tag_for
from shinchoku.plans.models import Content, Node, Plan


def _plan_of(instance: Any) -> Plan | None:
    if isinstance(instance, Node):
        return instance.plan if instance.plan_id else None
    node = instance.node if instance.node_id else None
    return node.plan if node is not None and node.plan_id else None


def mark_new(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Tag a record added to a draft plan: 新規 when it names no record of the previous plan."""
    if raw or not instance._state.adding or instance.tag or instance.continues_key:
        return
    plan = _plan_of(instance)
    if plan is not None and plan.is_draft:
        instance.tag = tag_for(instance.continues_key)


def connect() -> None:
    pre_save.connect(mark_new, sender=Node, dispatch_uid="evaluations-new-node")
    pre_save.connect(mark_new, sender=Content, dispatch_uid="evaluations-new-content")
