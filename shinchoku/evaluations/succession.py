"""The next plan (次期計画): a draft made from a plan whose final evaluation is approved.

`create_next_plan` copies the goals, items, contents and indicators the 管理者 keeps into a new
draft plan, each remembering what it continues (lineage), with the last actual of each kept
indicator as its new baseline (見込み), the final evaluation as the draft's 前計画の評価, and a
前計画 relation to the old plan. `adopt_plan` makes the draft the plan in force (策定).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shinchoku.core.lineage import kept_with_parents, tag_for
from shinchoku.core.wareki import fy_short
from shinchoku.evaluations.final import final_evaluation_of, is_approved
from shinchoku.plans import cache_version, history
from shinchoku.plans.models import (
    ChangeRecord,
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    NodeKind,
    Plan,
    PlanRelation,
    PreviousEvaluation,
    Section,
    SharedContent,
)
from shinchoku.rounds.final import final_round_of
from shinchoku.rounds.models import PlanSettings

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROLE = IndicatorValue.Role


class SuccessionError(Exception):
    """The next plan cannot be made or adopted: a Japanese message per field ("" for the whole)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class Keep:
    """What continues into the next plan, by the old plan's keys.

    nodes: node keys (goals, items…); contents: (node key, 1-based position under the node);
    indicators: indicator keys; expanded: node keys whose 区分 is 充実・強化 rather than 継続.
    A kept content or indicator keeps its node, and a kept node keeps its parents.
    """

    nodes: set[str] = field(default_factory=set)
    contents: set[tuple[str, int]] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    expanded: set[str] = field(default_factory=set)

    @classmethod
    def everything(cls, plan: Plan) -> Keep:
        """Every record of the plan (the form's default: all checked)."""
        keep = cls(nodes=set(Node.objects.filter(plan=plan).values_list("key", flat=True)))
        for node in Node.objects.filter(plan=plan).prefetch_related("contents"):
            keep.contents |= {(node.key, i) for i, _c in enumerate(node.contents.all(), 1)}
        keep.indicators = set(Indicator.objects.filter(plan=plan).values_list("key", flat=True))
        return keep


def may_succeed(plan: Plan) -> bool:
    """The plan is the organization's own, adopted, and its final evaluation is approved."""
    return not refusal(plan)


def successors(plan: Plan):
    """Plans that name `plan` as their previous plan (前計画)."""
    return Plan.objects.filter(
        relations__type=PlanRelation.Type.PREVIOUS, relations__other=plan
    ).distinct()


def refusal(plan: Plan) -> str:
    """Why no next plan can be made from `plan` now, in Japanese ("" when it can)."""
    if plan.is_draft:
        return gettext("A next plan cannot be made from a plan being drafted. Adopt it first.")
    if plan.is_external:
        return gettext("A next plan cannot be made from a plan of another body.")
    if not is_approved(final_round_of(plan)):  # two queries: the rows are not needed here
        return gettext(
            "The final evaluation of this plan is not approved yet. Make the next plan once "
            "every department's final sheet is approved."
        )
    return ""


def check_request(
    plan: Plan, *, slug: str, title: str, first_fy: int | None, last_fy: int | None
) -> dict[str, str]:
    """What is wrong with the request, per field, in Japanese (empty when it may go ahead)."""
    errors: dict[str, str] = {}
    if why := refusal(plan):
        errors[""] = why
    if not slug or not SLUG.match(slug) or len(slug) > 100:
        errors["slug"] = (
            "計画IDは英小文字・数字・ハイフンで書いてください（例: nishitokyo-action-plan-2024）。"
        )
    elif Plan.objects.filter(slug=slug).exists():
        errors["slug"] = f"計画ID「{slug}」は既に使われています。別の計画IDにしてください。"
    if not title.strip():
        errors["title"] = "計画名を書いてください。"
    elif len(title) > 300:
        errors["title"] = "計画名は300文字以内にしてください。"
    if first_fy is None or last_fy is None:
        errors["period"] = "計画期間の開始年度と終了年度を選んでください。"
    elif last_fy < first_fy:
        errors["period"] = "終了年度は開始年度と同じか後の年度にしてください。"
    elif first_fy <= plan.first_fy:
        errors["period"] = f"次期計画は{fy_short(plan.first_fy)}より後に始まる期間にしてください。"
    return errors


def create_next_plan(
    plan: Plan,
    *,
    slug: str,
    title: str,
    first_fy: int,
    last_fy: int,
    keep: Keep,
    user: Any,
) -> Plan:
    """Create the draft next plan from `plan`, in one transaction; SuccessionError when refused."""
    errors = check_request(plan, slug=slug, title=title, first_fy=first_fy, last_fy=last_fy)
    if errors:
        raise SuccessionError(errors)
    evaluation = final_evaluation_of(plan)
    try:
        with transaction.atomic():
            draft = Plan.objects.create(
                organization=plan.organization,
                slug=slug,
                title=title.strip(),
                kind=plan.kind,
                first_fy=first_fy,
                last_fy=last_fy,
                philosophy=plan.philosophy,
                level_names=list(plan.level_names),
                status=Plan.Status.DRAFT,
            )
            _relations(plan, draft)
            _settings(plan, draft)
            _Copier(plan, draft, keep).run()
            PreviousEvaluation.objects.bulk_create(
                PreviousEvaluation(
                    plan=draft,
                    order=i,
                    goal=row.goal[:300],
                    category=row.category[:200],
                    subcategory=row.subcategory[:200],
                    number=row.number[:20],
                    item=row.item[:300],
                    source_key=row.node_key,
                    followup=row.followup,
                    evaluation=row.issues,
                    status=row.final_status,
                )
                for i, row in enumerate(evaluation.rows)
            )
            history.record(
                draft,
                user=user,
                source=ChangeRecord.Source.BROWSER,
                action="add",
                kind="plan",
                key=draft.slug,
                label=draft.title,
                after={**history.snapshot_plan(draft), "前計画": plan.title},
            )
    except IntegrityError:
        # Somebody took the same slug at the same moment.
        raise SuccessionError(
            {"slug": f"計画ID「{slug}」は既に使われています。別の計画IDにしてください。"}
        ) from None
    return draft


def _relations(plan: Plan, draft: Plan) -> None:
    """The draft names the old plan as its previous plan, and keeps its other relations."""
    rows = [
        PlanRelation(
            plan=draft,
            other=plan,
            other_slug=plan.slug,
            type=PlanRelation.Type.PREVIOUS,
            order=0,
        )
    ]
    for i, r in enumerate(
        plan.relations.exclude(type=PlanRelation.Type.PREVIOUS).order_by("order"), start=1
    ):
        rows.append(
            PlanRelation(plan=draft, other=r.other, other_slug=r.other_slug, type=r.type, order=i)
        )
    PlanRelation.objects.bulk_create(rows)


def _settings(plan: Plan, draft: Plan) -> None:
    """The draft reports progress the way the old plan did, when it had its own settings."""
    stored = PlanSettings.objects.filter(plan=plan).first()
    if stored is None:
        return
    PlanSettings.objects.create(
        plan=draft,
        content_statuses=list(stored.content_statuses),
        evaluation_scale=[dict(s) for s in stored.evaluation_scale],
        band_thresholds=[dict(t) for t in stored.band_thresholds],
        below_band=stored.below_band,
        final_when_no_target=stored.final_when_no_target,
        final_statuses=list(stored.final_statuses),
    )


class _Copier:
    """Copies the kept records of one plan into the draft, in a fixed number of queries."""

    def __init__(self, plan: Plan, draft: Plan, keep: Keep):
        self.plan = plan
        self.draft = draft
        self.keep = keep
        self.today = timezone.localdate()

    def run(self) -> None:
        old_nodes = list(Node.objects.filter(plan=self.plan).order_by("seq"))
        contents_of: dict[int, list[Content]] = defaultdict(list)
        for c in (
            Content.objects.filter(node__plan=self.plan)
            .select_related("shared")
            .prefetch_related("contentgoal_set")
            .order_by("node_id", "order", "id")
        ):
            contents_of[c.node_id].append(c)
        indicators = list(
            Indicator.objects.filter(plan=self.plan)
            .prefetch_related("values")
            .order_by("node_id", "order", "id")
        )
        key_of = {n.id: n.key for n in old_nodes}
        kept_contents = {
            (key_of[node_id], pos): c
            for node_id, cs in contents_of.items()
            for pos, c in enumerate(cs, start=1)
            if (key_of[node_id], pos) in self.keep.contents
        }
        kept_indicators = [i for i in indicators if i.key in self.keep.indicators]
        parent_of = {n.key: key_of.get(n.parent_id) for n in old_nodes}
        chosen = (
            set(self.keep.nodes)
            | {k for k, _p in kept_contents}
            | {key_of[i.node_id] for i in kept_indicators}
        )
        kept_keys = kept_with_parents(chosen, parent_of)
        new_nodes = self._nodes([n for n in old_nodes if n.key in kept_keys])
        self._node_details(new_nodes)
        self._contents(kept_contents, new_nodes)
        self._indicators(
            kept_indicators, {n.id: new_nodes[n.key] for n in old_nodes if n.key in new_nodes}
        )

    def _nodes(self, old_nodes: list[Node]) -> dict[str, Node]:
        """Create the kept nodes in document order; old key → new node."""
        new: dict[str, Node] = {}
        old_key = {n.id: n.key for n in old_nodes}
        siblings: dict[str | None, int] = defaultdict(int)
        for seq, old in enumerate(old_nodes):
            parent_key = old_key.get(old.parent_id)
            parent = new.get(parent_key) if parent_key else None
            node = Node.objects.create(
                plan=self.draft,
                parent=parent,
                key=old.key,
                level=old.level,
                order=siblings[parent_key],
                seq=seq,
                label=old.label,
                title=old.title,
                subtitle=old.subtitle,
                continues_key=old.key,
                tag=tag_for(old.key, expanded=old.key in self.keep.expanded),
            )
            siblings[parent_key] += 1
            node.old = old
            new[old.key] = node
        return new

    def _node_details(self, new_nodes: dict[str, Node]) -> None:
        """Departments, kinds, SDGs and texts of each kept node."""
        old_ids = {n.old.id: n for n in new_nodes.values()}
        NodeDepartment.objects.bulk_create(
            NodeDepartment(node=old_ids[d.node_id], department_id=d.department_id, order=d.order)
            for d in NodeDepartment.objects.filter(node_id__in=old_ids)
        )
        NodeKind.objects.bulk_create(
            NodeKind(node=old_ids[k.node_id], kind_id=k.kind_id, order=k.order)
            for k in NodeKind.objects.filter(node_id__in=old_ids)
        )
        through = Node.sdgs.through  # no manager of our own: the draft's version is raised here
        through.objects.bulk_create(
            through(node_id=old_ids[row.node_id].id, sdggoal_id=row.sdggoal_id)
            for row in through.objects.filter(node_id__in=old_ids)
        )
        cache_version.bump([self.draft.pk])
        Section.objects.bulk_create(
            Section(
                plan=self.draft,
                node=old_ids[s.node_id],
                order=s.order,
                heading=s.heading,
                style=s.style,
                body=list(s.body),
            )
            for s in Section.objects.filter(node_id__in=old_ids)
        )

    def _contents(self, kept: dict[tuple[str, int], Content], new_nodes: dict[str, Node]) -> None:
        """Kept contents under their node, in their order; schedules belong to the old period."""
        shared: dict[int, SharedContent] = {}
        for c in kept.values():
            if c.shared_id and c.shared_id not in shared:
                s = c.shared
                shared[c.shared_id] = SharedContent.objects.create(
                    plan=self.draft, key=s.key, label=s.label, text=s.text, tag=s.tag, order=s.order
                )
        orders: dict[str, int] = defaultdict(int)
        goals = []
        for (node_key, position), c in sorted(kept.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            content = Content.objects.create(
                node=new_nodes[node_key],
                shared=shared.get(c.shared_id) if c.shared_id else None,
                order=orders[node_key],
                label=c.label,
                text=c.text,
                tag=tag_for(node_key),
                repost=c.repost,
                note=c.note,
                continues_key=node_key,
                continues_position=position,
            )
            orders[node_key] += 1
            goals += [
                ContentGoal(
                    content=content,
                    node_id=g.node_id if g.node_id and g.plan_slug != self.plan.slug else None,
                    plan_slug=g.plan_slug,
                    node_key=g.node_key,
                    order=g.order,
                )
                for g in c.contentgoal_set.all()
                if g.plan_slug != self.plan.slug  # a goal of the old plan itself stays behind
            ]
        ContentGoal.objects.bulk_create(goals)

    def _indicators(self, kept: list[Indicator], node_of_old: dict[int, Node]) -> None:
        """Kept indicators, each with the old plan's last actual as its baseline (見込み)."""
        orders: dict[int, int] = defaultdict(int)
        values = []
        for old in kept:
            node = node_of_old[old.node_id]
            ind = Indicator.objects.create(
                node=node,
                key=old.key,
                order=orders[node.id],
                label=old.label,
                name=old.name,
                unit=old.unit,
                direction=old.direction,
                department_id=old.department_id,
                notes=old.notes,
                continues_key=old.key,
            )
            orders[node.id] += 1
            baseline = carried_baseline(old, self.today)
            if baseline is not None:
                baseline.indicator = ind
                values.append(baseline)
        for v in values:
            v.apply_parse()
        IndicatorValue.objects.bulk_create(values)


def carried_baseline(indicator: Indicator, today: date) -> IndicatorValue | None:
    """The last actual as a baseline: its FY, 見込み, as of `today`; None without an actual."""
    actuals = [v for v in indicator.values.all() if v.role == ROLE.ACTUAL and v.text.strip()]
    if not actuals:
        return None
    last = max(actuals, key=lambda v: v.fy)
    return IndicatorValue(
        role=ROLE.BASELINE,
        fy=last.fy,
        text=last.text,
        label=f"{fy_short(last.fy)}(見込み)",
        estimate=True,
        as_of=today,
        note="前計画の最終実績",
    )


def adopt_plan(draft: Plan, user: Any, *, version: int | None = None) -> Plan:
    """Make the draft the plan in force (策定); `version` is the one the page showed."""
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=draft.pk)
        if not current.is_draft:
            raise SuccessionError({"": "この計画は既に策定済みです。"})
        if version is not None and current.version != version:
            raise SuccessionError(
                {
                    "": "画面を開いた後に、この計画が変更されています。"
                    "今の内容を確かめてから、もう一度操作してください。"
                }
            )
        before = history.snapshot_plan(current)
        current.status = Plan.Status.ACTIVE
        current.version += 1
        current.save(update_fields=["status", "version"])
        history.record(
            current,
            user=user,
            source=ChangeRecord.Source.BROWSER,
            action="change",
            kind="plan",
            key=current.slug,
            label=current.title,
            before={**before, "状態": "策定中"},
            after={**history.snapshot_plan(current), "状態": "策定済"},
        )
    draft.status, draft.version = current.status, current.version
    return draft
