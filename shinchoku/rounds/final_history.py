"""An item's whole history, shown read-only above its final evaluation (最終評価).

For each item: every yearly round's 取組状況 and 今後の展開 from approved sheets, by FY and
department; each indicator's baseline → actuals per FY → final target, with the achievement of
the latest actual against the final target; and the committee's opinions on the item or its
indicators with their answers. A fixed number of queries for any number of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext

from shinchoku.core.achievement import Bands, judge
from shinchoku.core.wareki import fy_label
from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.rounds.models import ItemEntry, Report, Round
from shinchoku.rounds.progress import unit_of
from shinchoku.rounds.reasons import reason_text
from shinchoku.rounds.services import bands_of
from shinchoku.rounds.templatetags.progress import percent

ROLE = IndicatorValue.Role


@dataclass
class YearText:
    fy: int
    fy_label: str
    department: str
    done: str
    next: str


@dataclass
class IndicatorHistory:
    key: str
    name: str
    unit: str
    baseline: str  # "令和元年度(2019年度) 504人", or "" when there is none
    actuals: list[tuple[str, str]]  # (FY label, actual) oldest first
    final: str  # the last target, with its FY
    achievement: str  # "達成率 95.0%（概ね達成）", or why it cannot be judged


@dataclass
class OpinionLine:
    fy_label: str
    number: int
    text: str
    status: str
    policy: str
    action: str
    reason: str
    indicator: str = ""  # the indicator's name when the opinion is about one


@dataclass
class ItemHistory:
    texts: list[YearText] = field(default_factory=list)
    indicators: list[IndicatorHistory] = field(default_factory=list)
    opinions: list[OpinionLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.texts or self.indicators or self.opinions)


def history_entries(
    plan: Plan, node_keys: list[str], report: Report | None = None
) -> tuple[list[ItemEntry], list[ItemEntry]]:
    """The items' entries on approved yearly sheets, oldest first, and (with `report`) every
    entry of that sheet: one query for both (issue 16, as the yearly sheet reads last year's)."""
    approved = Q(
        report__round__plan=plan,
        report__round__kind=Round.Kind.YEARLY,
        report__status=Report.Status.APPROVED,
        node_key__in=node_keys,
    )
    if report is None and not node_keys:
        return [], []
    rows = (
        ItemEntry.objects.filter(approved | Q(report=report) if report is not None else approved)
        .select_related("report__round", "report__department")
        .order_by("report__round__fy", "report__department__order", "report__department_id")
    )
    earlier: list[ItemEntry] = []
    own: list[ItemEntry] = []
    for e in rows:
        (own if report is not None and e.report_id == report.pk else earlier).append(e)
    return earlier, own


def histories(
    plan: Plan,
    node_keys: list[str],
    *,
    entries: list[ItemEntry] | None = None,
    bands: Bands | None = None,
) -> dict[str, ItemHistory]:
    """Node key → its history (four queries, whatever the number of items; three when the
    `entries` of history_entries and the plan's `bands` are given)."""
    out: dict[str, ItemHistory] = {k: ItemHistory() for k in node_keys}
    if not node_keys:
        return out
    if entries is None:
        entries, _own = history_entries(plan, node_keys)
    for e in entries:
        if e.done or e.next:
            fy = e.report.round.fy
            out[e.node_key].texts.append(
                YearText(fy, fy_label(fy), e.report.department.name, e.done, e.next)
            )
    bands = bands_of(plan) if bands is None else bands
    names: dict[str, tuple[str, str]] = {}  # indicator key → (node key, name)
    for ind in (
        Indicator.objects.filter(node__plan=plan, node__key__in=node_keys)
        .select_related("node")
        .prefetch_related("values")
        .order_by("node__seq", "order")
    ):
        out[ind.node.key].indicators.append(_indicator(ind, bands))
        names[ind.key] = (ind.node.key, ind.name)
    _attach_opinions(plan, out, names)
    return out


def _indicator(ind: Indicator, bands) -> IndicatorHistory:
    values = list(ind.values.all())
    baseline = next((v for v in values if v.role == ROLE.BASELINE), None)
    targets = {v.fy: v for v in values if v.role == ROLE.TARGET}
    actuals = {v.fy: v for v in values if v.role == ROLE.ACTUAL}
    unit = unit_of(ind, baseline, targets, actuals)
    final = targets[max(targets)] if targets else None
    latest = actuals[max(actuals)] if actuals else None
    achievement = ""
    if latest is not None and final is not None:
        j = judge(
            ind.direction,
            latest.parsed,
            final.parsed,
            baseline=baseline.parsed if baseline else None,
            final=final.parsed,
            bands=bands,
            unit=unit,
        )
        if j.determined and j.rate is not None:
            achievement = gettext("Achievement rate %(rate)s (%(band)s)") % {
                "rate": percent(j.rate),
                "band": j.band,
            }
        else:
            achievement = (
                gettext("%(band)s (%(reason)s)") % {"band": j.band, "reason": reason_text(j.reason)}
                if j.reason
                else j.band
            )
    elif final is not None:
        achievement = gettext("No actual")
    return IndicatorHistory(
        ind.key,
        ind.name,
        unit,
        f"{fy_label(baseline.fy)} {baseline.text}" if baseline and baseline.fy else "",
        [(fy_label(fy), actuals[fy].text) for fy in sorted(actuals)],
        f"{fy_label(final.fy)} {final.text}" if final else "",
        achievement,
    )


def _attach_opinions(
    plan: Plan, out: dict[str, ItemHistory], names: dict[str, tuple[str, str]]
) -> None:
    """The committee's opinions on each item or its indicators, with their answers."""
    from shinchoku.reviews.models import Opinion

    opinions = (
        Opinion.objects.filter(plan=plan)
        .filter(Q(node_key__in=list(out)) | Q(indicator_key__in=list(names)))
        .order_by("fy", "number")
    )
    for o in opinions:
        indicator = names.get(o.indicator_key)
        key = indicator[0] if indicator else o.node_key
        if key not in out:
            continue
        out[key].opinions.append(
            OpinionLine(
                fy_label(o.fy),
                o.number,
                o.text,
                o.get_status_display(),
                o.policy,
                o.action,
                o.reason,
                indicator[1] if indicator else "",
            )
        )
