"""Find a query's terms in the plans a user may read: items, contents, indicators, texts, opinions.

Why a scan and not an index table: the text of an organization's plans is small (the three
Nishitokyo plans are ~450 records, ~20k characters) and is written by many paths (the editor,
the workbook upload, the json import, bulk loads, the opinion services). Reading the few text
columns of the user's plans in one query per kind and matching in Python on text normalised
the same way as the query (core.search.normalize: NFKC + casefold on both sides) is always
current, needs no index to keep in step with every write, behaves the same on SQLite and
PostgreSQL, and costs a constant number of queries whatever the data (see tests/search).
Measured on the demo plans (council admin, 2 plans): 18 ms per search, best of 10, on a shared
machine under load; the matching alone over ten times the demo's text (3,810 records, 194k
characters) takes 30 ms. An index table becomes worth its upkeep only far beyond that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinchoku.accounts.permissions import visible_organizations
from shinchoku.core.node_names import node_name
from shinchoku.core.search import Piece, excerpt, matches_all, normalize
from shinchoku.core.wareki import fy_label
from shinchoku.plans.access import may_see
from shinchoku.plans.models import Content, Indicator, Node, Plan, Section, WelfareIssue
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
    route: tuple[str, tuple]  # URL name and arguments; reversed only for the hits shown
    context: str = ""  # e.g. the level name of an item, the item of an indicator
    # False when the title only says where the record is (a content's item, an opinion's
    # number): then the terms must occur in the body itself.
    own_title: bool = True
    title_pieces: list[Piece] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)

    @property
    def url(self) -> str:
        name, args = self.route
        return reverse(name, args=args)

    @property
    def searched(self) -> str:
        return f"{self.title}\n{self.body}" if self.own_title else self.body

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
    sections = (
        Section.objects.filter(plan_id__in=by_id)
        .order_by("plan_id", "node_id", "order")
        .values_list("plan_id", "node_id", "order", "heading", "body")
    )
    for plan_id, node_id, order, heading, body in sections:
        if node_id is None:
            plan = by_id[plan_id]
            candidates.append(
                Hit(plan, "text", (order,), heading, _lines(body), ("plans:detail", (plan.slug,)))
            )
        else:
            node_sections.setdefault(node_id, []).append(f"{heading}\n{_lines(body)}")
    for plan in plans:
        if plan.philosophy:
            candidates.append(
                Hit(
                    plan,
                    "text",
                    (-1,),
                    _("Basic philosophy"),
                    plan.philosophy,
                    ("plans:detail", (plan.slug,)),
                )
            )

    issues = WelfareIssue.objects.filter(plan_id__in=by_id).values_list(
        "plan_id", "number", "title", "voices"
    )
    for plan_id, number, title, voices in issues:  # 福祉課題 and the citizens' voices
        plan = by_id[plan_id]
        candidates.append(
            Hit(
                plan,
                "text",
                (10_000 + number,),
                title,
                _lines(voices),
                ("plans:detail", (plan.slug,)),
            )
        )

    nodes = Node.objects.filter(plan_id__in=by_id).values_list(
        "id", "plan_id", "key", "level", "label", "title", "subtitle", "seq"
    )
    # id → (plan, key, "label title", seq)
    node_by_id: dict[int, tuple[Plan, str, str, int]] = {}
    for pk, plan_id, key, level, label, title, subtitle, seq in nodes:
        plan = by_id[plan_id]
        name = node_name(label, title)
        node_by_id[pk] = (plan, key, name, seq)
        body = "\n".join([subtitle, *node_sections.get(pk, [])]).strip()
        candidates.append(
            Hit(
                plan,
                "node",
                (seq,),
                name,
                body,
                ("plans:node", (plan.slug, key)),
                context=plan.level_name(level),
            )
        )

    contents = Content.objects.filter(node__plan_id__in=by_id).values_list(
        "node_id", "order", "text", "note", "shared__text"
    )
    for node_id, order, text, note, shared_text in contents:
        plan, key, name, seq = node_by_id[node_id]
        body = "\n".join(part for part in (text or shared_text, note) if part)
        candidates.append(
            Hit(
                plan,
                "content",
                (seq, order),
                name,
                body,
                ("plans:node", (plan.slug, key)),
                own_title=False,
            )
        )

    indicators = Indicator.objects.filter(plan_id__in=by_id).values_list(
        "plan_id", "node_id", "order", "key", "label", "name", "unit", "notes"
    )
    for plan_id, node_id, order, key, label, name, unit, notes in indicators:
        plan = by_id[plan_id]
        node = node_by_id.get(node_id)
        candidates.append(
            Hit(
                plan,
                "indicator",
                (node[3] if node else 0, order),
                f"{label} {name}".strip(),
                "\n".join(part for part in (unit and _("Unit: %s") % unit, notes) if part),
                ("rounds:indicator", (plan.slug, key)),
                context=node[2] if node else "",
            )
        )

    with_opinions = [pk for pk, p in by_id.items() if has_opinions(p)]
    opinions = Opinion.objects.filter(plan_id__in=with_opinions).values_list(
        "plan_id", "fy", "number", "text", "policy", "action", "reason"
    )
    for plan_id, fy, number, *texts in opinions:
        plan = by_id[plan_id]
        candidates.append(
            Hit(
                plan,
                "opinion",
                (-fy, number),
                _("%(fy)s opinion %(number)s") % {"fy": fy_label(fy), "number": number},
                "\n".join(part for part in texts if part),
                ("reviews:detail", (plan.slug, fy, number)),
                own_title=False,
            )
        )

    hits = [h for h in candidates if matches_all(normalize(h.searched), terms)]
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
