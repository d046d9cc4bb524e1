"""Links between plans of different organizations: references that change nothing on the other side.

A plan may name another plan (関連計画) and its contents may serve another plan's goals (結び付く
目標). Within one organization such links show everywhere as they always have. A link into another
organization's plan is a reference by slug and key: that plan's pages show it, and the linking
plan's texts, only once that plan's 管理者 has accepted the linking plan (LinkAcceptance); the
linking side sees the goal's name only then too, so a link never tells either side more than the
other has agreed to. Deleting a linked goal leaves the reference dangling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from shinchoku.plans import history
from shinchoku.plans.models import (
    ChangeRecord,
    Content,
    ContentGoal,
    LinkAcceptance,
    Node,
    Plan,
    PlanRelation,
)

ACCEPTED = LinkAcceptance.Decision.ACCEPTED
DECLINED = LinkAcceptance.Decision.DECLINED
# How a decision reads in the plan's history.
DECISION_WORDS = {"": "未確認", ACCEPTED: "受け入れる", DECLINED: "受け入れない"}


def accepted_from(plan: Plan) -> QuerySet:
    """Ids of the plans of other organizations whose links `plan` has accepted."""
    return LinkAcceptance.objects.filter(plan=plan, decision=ACCEPTED).values("from_plan_id")


def accepted_by(plan: Plan) -> QuerySet:
    """Ids of the plans of other organizations that accepted the links `plan` makes into them."""
    return LinkAcceptance.objects.filter(from_plan=plan, decision=ACCEPTED).values("plan_id")


def shown_incoming(plan: Plan, path: str) -> Q:
    """Rows (whose linking plan is at `path`) that may show on `plan`'s pages.

    A draft plan (次期計画 策定中) links into nothing until it is adopted.
    """
    return (
        Q(**{f"{path}__organization_id": plan.organization_id})
        | Q(**{f"{path}_id__in": accepted_from(plan)})
    ) & ~Q(**{f"{path}__status": Plan.Status.DRAFT})


def shown_outgoing(plan: Plan, path: str) -> Q:
    """Targets (whose plan is at `path`) that `plan`'s pages may name."""
    return Q(**{f"{path}__organization_id": plan.organization_id}) | Q(
        **{f"{path}_id__in": accepted_by(plan)}
    )


def serving_contents(plan: Plan, node: Node, contents: QuerySet) -> QuerySet:
    """The contents serving `node` (of `plan`) that its page may show."""
    return contents.filter(contentgoal__node=node).filter(shown_incoming(plan, "node__plan"))


def related_from(plan: Plan) -> QuerySet:
    """The relations other plans make to `plan` that its page may show."""
    return plan.related_from.filter(shown_incoming(plan, "plan"))


def goal_choices(plan: Plan) -> QuerySet:
    """Goals the editor offers to a content of `plan`: its own top level and related plans'."""
    related = plan.relations.filter(other__isnull=False).filter(shown_outgoing(plan, "other"))
    return Node.objects.filter(plan_id__in=related.values("other_id")) | Node.objects.filter(
        plan=plan, level=1
    )


# --------------------------------------------------------------------------- how links read


def _accepted_pairs(linking_ids: set[int]) -> set[tuple[int, int]]:
    """(linked plan id, linking plan id) for every accepted link out of `linking_ids`."""
    if not linking_ids:
        return set()
    return set(
        LinkAcceptance.objects.filter(decision=ACCEPTED, from_plan_id__in=linking_ids).values_list(
            "plan_id", "from_plan_id"
        )
    )


def _plans_by_slug(slugs: set[str]) -> dict[str, Plan]:
    if not slugs:
        return {}
    return {p.slug: p for p in Plan.objects.filter(slug__in=slugs)}


def mark_goal_refs(
    contents: Iterable[Content],
    viewer_org_id: int | None,
    plan: Plan | None,
    *,
    plans_by_slug: dict[str, Plan] | None = None,
    accepted: set[tuple[int, int]] | None = None,
):
    """Set `ref_state` on each content's prefetched goal links, for _goal_ref.html.

    "link": a goal of the viewer's organization (a link to its page); "text": a goal of another
    organization that accepted the content's plan (its name, no link); "missing": the goal the
    reference names is gone; "pending": another organization's goal not accepted (or no such
    plan): only the slug and key the linking side wrote, which tells nothing about the other side.
    `plan` is the plan of every content, or None when each content's node__plan is loaded.
    `plans_by_slug` (the plans the links without a goal name, or more) and `accepted` (the
    accepted links out of the contents' plans, or more): when the page has read them already.
    """
    contents = list(contents)
    rows = []
    for c in contents:
        owner = plan if plan is not None else c.node.plan
        rows.extend((owner, cg) for cg in c.contentgoal_set.all())
    if not rows:
        return
    slugs = {cg.plan_slug for _owner, cg in rows if cg.node_id is None}
    if plans_by_slug is None:
        dangling = _plans_by_slug(slugs)
    else:
        dangling = {s: plans_by_slug[s] for s in slugs if s in plans_by_slug}
    foreign = {
        owner.id
        for owner, cg in rows
        if (cg.node.plan if cg.node_id else dangling.get(cg.plan_slug, owner)).organization_id
        != owner.organization_id
    }
    if accepted is None:
        accepted = _accepted_pairs(foreign)
    for owner, cg in rows:
        target = cg.node.plan if cg.node_id else dangling.get(cg.plan_slug)
        trusted = target is not None and (
            target.organization_id == owner.organization_id or (target.id, owner.id) in accepted
        )
        if not trusted:
            cg.ref_state = "pending"
        elif cg.node_id is None:
            cg.ref_state = "missing"
        elif viewer_org_id is None or target.organization_id == viewer_org_id:
            cg.ref_state = "link"
        else:
            cg.ref_state = "text"


def mark_relations(plan: Plan, relations: QuerySet) -> list[PlanRelation]:
    """Set `ref_state` on `plan`'s own relations: "text" (the other plan may be named) or
    "pending" (another organization's plan that has not accepted, or no plan by that slug: the
    two read alike, so the page tells nothing about other organizations' plans).

    Whether the other plan accepted is read with the relations (one query).
    """
    accepted = LinkAcceptance.objects.filter(
        from_plan=plan, plan_id=OuterRef("other_id"), decision=ACCEPTED
    )
    rows = list(relations.annotate(other_accepted=Exists(accepted)))
    for r in rows:
        trusted = r.other_id is not None and (
            r.other.organization_id == plan.organization_id or r.other_accepted
        )
        r.ref_state = "text" if trusted else "pending"
    return rows


def relations_into(plan: Plan) -> list[PlanRelation]:
    """Every relation another plan makes to `plan`, with the linking plan and its organization,
    and whether `plan` accepted the link (`accepted`): read once for the plan's page, which
    shows those it may (shown_into), its next plans and, to its 管理者, the incoming links."""
    accepted = LinkAcceptance.objects.filter(
        plan=plan, from_plan_id=OuterRef("plan_id"), decision=ACCEPTED
    )
    return list(
        PlanRelation.objects.filter(other=plan)
        .select_related("plan__organization")
        .annotate(accepted=Exists(accepted))
    )


def shown_into(plan: Plan, into: list[PlanRelation]) -> list[PlanRelation]:
    """related_from(plan) of relations_into(plan), by the linking plan's title."""
    shown = [
        r
        for r in into
        if (r.plan.organization_id == plan.organization_id or r.accepted)
        and r.plan.status != Plan.Status.DRAFT
    ]
    return sorted(shown, key=lambda r: r.plan.title)


# --------------------------------------------------------------------------- incoming links


@dataclass
class Incoming:
    """Another organization's plan that links into a plan, and what the plan decided about it."""

    from_plan: Plan
    relations: list[str]  # relation types
    goals: int  # goal links into the plan
    decision: LinkAcceptance | None

    @property
    def state(self) -> str:
        return self.decision.decision if self.decision else ""


def incoming(plan: Plan, into: list[PlanRelation] | None = None) -> list[Incoming]:
    """Every plan of another organization linking into `plan`, with the decision taken on it
    (`into`: relations_into(plan) when the page has read it already)."""
    found: dict[int, Incoming] = {}

    def entry(p: Plan) -> Incoming:
        return found.setdefault(p.id, Incoming(p, [], 0, None))

    if into is None:
        into = list(PlanRelation.objects.filter(other=plan).select_related("plan__organization"))
    for rel in into:
        if rel.plan.organization_id == plan.organization_id:
            continue
        if rel.plan.status == Plan.Status.DRAFT:  # a draft links nowhere until adopted
            continue
        entry(rel.plan).relations.append(rel.type)
    goal_links = (
        ContentGoal.objects.filter(node__plan=plan)
        .exclude(content__node__plan__organization_id=plan.organization_id)
        .exclude(content__node__plan__status=Plan.Status.DRAFT)
        .select_related("content__node__plan__organization")
    )
    for cg in goal_links:
        entry(cg.content.node.plan).goals += 1
    for decision in LinkAcceptance.objects.filter(plan=plan, from_plan_id__in=found):
        found[decision.from_plan_id].decision = decision
    return sorted(found.values(), key=lambda i: (i.state != "", i.from_plan.title))


def links_into(plan: Plan, from_plan: Plan) -> bool:
    """Whether `from_plan` (of another organization) links into `plan` at all."""
    if from_plan.organization_id == plan.organization_id or from_plan.is_draft:
        return False
    return (
        PlanRelation.objects.filter(plan=from_plan, other=plan).exists()
        or ContentGoal.objects.filter(content__node__plan=from_plan, node__plan=plan).exists()
    )


def decide(plan: Plan, from_plan: Plan, decision: str, *, user: Any) -> LinkAcceptance:
    """Record `plan`'s decision on `from_plan`'s links, with who and when, in the plan's history."""
    with transaction.atomic():
        row = LinkAcceptance.objects.select_for_update().filter(plan=plan, from_plan=from_plan)
        current = row.first()
        before = current.decision if current else ""
        acceptance, _created = LinkAcceptance.objects.update_or_create(
            plan=plan,
            from_plan=from_plan,
            defaults={
                "decision": decision,
                "user": user if getattr(user, "is_authenticated", False) else None,
                "user_name": history.user_name(user),
            },
        )
        if before != decision:
            history.record(
                plan,
                user=user,
                source=ChangeRecord.Source.BROWSER,
                action="change" if before else "add",
                kind="link",
                key=from_plan.slug,
                label=f"{from_plan.organization.name} {from_plan.title}",
                before={"他の組織からのリンク": DECISION_WORDS[before]} if before else None,
                after={"他の組織からのリンク": DECISION_WORDS[decision]},
            )
    return acceptance


def accept_all_between(plans: Iterable[Plan]) -> int:
    """Accept every cross-organization link among `plans` (the demo data set); return how many."""
    plans = list(plans)
    ids = {p.id for p in plans}
    n = 0
    for plan in plans:
        for inc in incoming(plan):
            if inc.from_plan.id in ids and inc.state != ACCEPTED:
                LinkAcceptance.objects.update_or_create(
                    plan=plan,
                    from_plan=inc.from_plan,
                    defaults={"decision": ACCEPTED, "user": None, "user_name": ""},
                )
                n += 1
    return n
