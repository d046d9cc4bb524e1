"""Find a query's terms in the plans a user may read: items, contents, indicators, texts, opinions.

Why a scan and not an index table: the text of an organization's plans is small (the three
Nishitokyo plans are ~450 records, ~120k characters) and is written by many paths (the editor,
the workbook upload, the json import, bulk loads, the opinion services). Reading the few text
columns of the user's plans in one query per kind and matching in Python on text normalised
the same way as the query (core.search.normalize: NFKC + casefold on both sides) is always
current, needs no index to keep in step with every write, behaves the same on SQLite and
PostgreSQL, and costs a constant number of queries whatever the data (see tests/search).
Measured on the demo plans: about 10 ms per search (see the report of issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinchoku.accounts.permissions import visible_organizations
from shinchoku.core.search import Piece, excerpt, matches_all, normalize
from shinchoku.core.wareki import fy_label
from shinchoku.plans.access import may_see
from shinchoku.plans.models import Content, Indicator, Node, Plan, Section
from shinchoku.reviews.access import has_opinions
from shinchoku.reviews.models import Opinion

# The kinds of hit, in the order the results list them.
KINDS = {
    "node": gettext_lazy("Items and goals"),
    "content": gettext_lazy("Contents"),
    "indicator": gettext_lazy("Indicators"),
    "text": gettext_lazy("Plan texts"),
    "opinion": gettext_lazy("Committee opinions"),
}
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


@dataclass
class Hit:
    """One record where every term occurs: what to show and where to go."""

    plan: Plan
    kind: str
    order: tuple
    title: str
    body: str
    url: str
    context: str = ""  # e.g. the item a content belongs to
    title_pieces: list[Piece] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)

    @property
    def kind_name(self) -> str:
        return str(KINDS[self.kind])

    def cut(self, terms: tuple[str, ...]) -> None:
        """Make the highlighted title and excerpt (done only for the hits on the page)."""
        self.title_pieces = excerpt(self.title, terms, width=200)
        self.pieces = excerpt(self.body, terms)


def searchable_plans(user: Any) -> list[Plan]:
    """The plans the user may read, as the plan list shows them (drafts only for those allowed)."""
    plans = Plan.objects.select_related("organization").filter(
        organization__in=visible_organizations(user)
    )
    return [p for p in plans if may_see(user, p)]


def _lines(body: Any) -> str:
    if isinstance(body, list):
        return "\n".join(str(line) for line in body)
    return str(body or "")


def find(user: Any, terms: tuple[str, ...]) -> list[Hit]:
    """Every record of the user's plans containing all the terms, by plan, kind, document order."""
    plans = searchable_plans(user)
    if not plans or not terms:
        return []
    by_id = {p.pk: p for p in plans}
    plan_rank = {p.pk: i for i, p in enumerate(plans)}
    candidates: list[Hit] = []

    node_sections: dict[int, list[str]] = {}
    for s in Section.objects.filter(plan_id__in=by_id).order_by("plan_id", "node_id", "order"):
        text = f"{s.heading}\n{_lines(s.body)}"
        if s.node_id is None:
            plan = by_id[s.plan_id]
            candidates.append(
                Hit(
                    plan,
                    "text",
                    (s.order,),
                    s.heading,
                    _lines(s.body),
                    reverse("plans:detail", args=[plan.slug]),
                )
            )
        else:
            node_sections.setdefault(s.node_id, []).append(text)
    for plan in plans:
        if plan.philosophy:
            candidates.append(
                Hit(
                    plan,
                    "text",
                    (-1,),
                    _("Basic philosophy"),
                    plan.philosophy,
                    reverse("plans:detail", args=[plan.slug]),
                )
            )

    nodes = Node.objects.filter(plan_id__in=by_id).only(
        "id", "plan_id", "key", "level", "label", "title", "subtitle", "seq"
    )
    node_by_id = {}
    for n in nodes:
        node_by_id[n.pk] = n
        plan = by_id[n.plan_id]
        body = "\n".join([n.subtitle, *node_sections.get(n.pk, [])]).strip()
        candidates.append(
            Hit(
                plan,
                "node",
                (n.seq,),
                f"{n.label} {n.title}".strip(),
                body,
                reverse("plans:node", args=[plan.slug, n.key]),
                context=plan.level_name(n.level),
            )
        )

    contents = (
        Content.objects.filter(node__plan_id__in=by_id)
        .select_related("shared")
        .only("id", "node_id", "order", "label", "text", "note", "shared__text")
    )
    for c in contents:
        node = node_by_id[c.node_id]
        plan = by_id[node.plan_id]
        text = c.text or (c.shared.text if c.shared_id else "")
        body = "\n".join(part for part in (text, c.note) if part)
        candidates.append(
            Hit(
                plan,
                "content",
                (node.seq, c.order),
                f"{node.label} {node.title}".strip(),
                body,
                reverse("plans:node", args=[plan.slug, node.key]),
            )
        )

    indicators = Indicator.objects.filter(plan_id__in=by_id).only(
        "id", "plan_id", "node_id", "order", "key", "label", "name", "unit", "notes"
    )
    for ind in indicators:
        plan = by_id[ind.plan_id]
        node = node_by_id.get(ind.node_id)
        candidates.append(
            Hit(
                plan,
                "indicator",
                (node.seq if node else 0, ind.order),
                f"{ind.label} {ind.name}".strip(),
                "\n".join(
                    part for part in (ind.unit and _("Unit: %s") % ind.unit, ind.notes) if part
                ),
                reverse("rounds:indicator", args=[plan.slug, ind.key]),
                context=f"{node.label} {node.title}".strip() if node else "",
            )
        )

    with_opinions = [pk for pk, p in by_id.items() if has_opinions(p)]
    opinions = Opinion.objects.filter(plan_id__in=with_opinions).only(
        "id", "plan_id", "fy", "number", "text", "policy", "action", "reason"
    )
    for o in opinions:
        plan = by_id[o.plan_id]
        candidates.append(
            Hit(
                plan,
                "opinion",
                (-o.fy, o.number),
                _("%(fy)s opinion %(number)s") % {"fy": fy_label(o.fy), "number": o.number},
                "\n".join(part for part in (o.text, o.policy, o.action, o.reason) if part),
                reverse("reviews:detail", args=[plan.slug, o.fy, o.number]),
            )
        )

    hits = [h for h in candidates if matches_all(normalize(f"{h.title}\n{h.body}"), terms)]
    hits.sort(key=lambda h: (plan_rank[h.plan.pk], KIND_ORDER[h.kind], h.order))
    return hits


@dataclass
class Group:
    plan: Plan
    kinds: list[tuple[str, list[Hit]]]


def grouped(hits: list[Hit]) -> list[Group]:
    """The hits of a page by plan, then by kind, in the order they come."""
    groups: list[Group] = []
    for hit in hits:
        if not groups or groups[-1].plan.pk != hit.plan.pk:
            groups.append(Group(hit.plan, []))
        kinds = groups[-1].kinds
        if not kinds or kinds[-1][0] != hit.kind_name:
            kinds.append((hit.kind_name, []))
        kinds[-1][1].append(hit)
    return groups
