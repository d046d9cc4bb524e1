"""Last year beside this year: the previous FY's approved 取組状況 and 今後の展開 on a sheet.

"Last year" is the round of the same plan for FY − 1; only its approved sheets count, of any
department (a shared item shows each department's texts with its name). An indicator without an
approved entry that says something falls back on the plan's ProgressNote of FY − 1 (written at
approval). Without a round for FY − 1 nothing is attached, so the sheet shows no empty boxes.

`attach` runs a fixed number of queries whatever the size of the sheet (at most four; none when
the sheet read last year's entries with its own and the ProgressNote with its indicators, as
services.sheet does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q

from shinchoku.plans.models import ProgressNote
from shinchoku.rounds.models import IndicatorEntry, ItemEntry, Report, Round

if TYPE_CHECKING:
    from shinchoku.rounds.services import ItemLines


@dataclass(frozen=True)
class LastText:
    """What one department reported last year for an item or an indicator."""

    department: str  # "" when it came from the plan's ProgressNote
    done: str
    next: str


@dataclass
class LastYear:
    """The approved texts of FY − 1, by node key and by indicator key."""

    fy: int
    items: dict[str, list[LastText]]
    indicators: dict[str, list[LastText]]


def previous_round(round_: Round) -> Round | None:
    return Round.objects.filter(
        plan_id=round_.plan_id, fy=round_.fy - 1, kind=Round.Kind.YEARLY
    ).first()


def has_previous(round_field: str = "round") -> Exists:
    """Whether the yearly round of FY − 1 exists, as an annotation of a query of sheets (or
    rounds, with round_field="") so that `last_year` need not look it up (issue 16)."""
    prefix = f"{round_field}__" if round_field else ""
    return Exists(
        Round.objects.filter(
            plan_id=OuterRef(f"{prefix}plan_id"),
            fy=OuterRef(f"{prefix}fy") - 1,
            kind=Round.Kind.YEARLY,
        )
    )


ORDER = ("report__department__order", "report__department_id")


def approved_entries(plan_id: int, last_fy: int) -> Q:
    """Entries of the approved sheets of the plan's yearly round of `last_fy` (FY − 1).

    services.sheet reads them with the sheet's own entries, in the same query (`ORDER`, with
    `report__department`), and passes them to `attach`.
    """
    return Q(
        report__round__plan_id=plan_id,
        report__round__fy=last_fy,
        report__round__kind=Round.Kind.YEARLY,
        report__status=Report.Status.APPROVED,
    )


def last_year(
    round_: Round,
    *,
    item_entries: Iterable[ItemEntry] | None = None,
    indicator_entries: Iterable[IndicatorEntry] | None = None,
    notes: dict[str, tuple[str, str]] | None = None,
) -> LastYear | None:
    """The previous FY's approved texts of the round's plan; None without a round for FY − 1.

    The entries of FY − 1's approved sheets are read here unless given (`approved_entries`;
    an entry given has its sheet's department's name as `department`), and so are the plan's
    ProgressNote of FY − 1 (`notes`: (done, next) by indicator key).
    """
    # Read with the sheet by rounds/access.report_for (has_previous), else looked up here.
    known = round_.__dict__.get("previous_exists")
    if known is None:
        prev = previous_round(round_)
        if prev is None:
            return None
    elif not known:
        return None
    prev_fy = round_.fy - 1
    approved = {
        "report__round__plan_id": round_.plan_id,
        "report__round__fy": prev_fy,
        "report__round__kind": Round.Kind.YEARLY,
        "report__status": Report.Status.APPROVED,
    }
    if item_entries is None:
        item_entries = (
            ItemEntry.objects.filter(**approved)
            .select_related("report__department")
            .order_by(*ORDER)
        )
    if indicator_entries is None:
        indicator_entries = (
            IndicatorEntry.objects.filter(**approved)
            .select_related("report__department")
            .order_by(*ORDER)
        )
    items: dict[str, list[LastText]] = defaultdict(list)
    for e in item_entries:
        if e.done.strip() or e.next.strip():
            items[e.node_key].append(LastText(_department(e), e.done, e.next))
    indicators: dict[str, list[LastText]] = defaultdict(list)
    for e in indicator_entries:
        if e.done.strip() or e.next.strip():
            indicators[e.indicator_key].append(LastText(_department(e), e.done, e.next))
    if notes is None:
        found = ProgressNote.objects.filter(indicator__node__plan_id=round_.plan_id, fy=prev_fy)
        notes = {
            key: (done, next_)
            for key, done, next_ in found.values_list("indicator__key", "done", "next")
        }
    for key, (done, next_) in notes.items():
        if key not in indicators and (done.strip() or next_.strip()):
            indicators[key].append(LastText("", done, next_))
    return LastYear(prev_fy, dict(items), dict(indicators))


def _department(entry: Any) -> str:
    """The name of the department of an entry's sheet: a row read by services.sheet carries it,
    a model instance reaches it through its report."""
    if isinstance(entry, (ItemEntry, IndicatorEntry)):
        return entry.report.department.name
    return entry.department


def shown(texts: list[LastText], field: str) -> str:
    """Every department's text of a field as one cell: each headed 【部署名】 when several."""
    found = [t for t in texts if getattr(t, field).strip()]
    if len(found) == 1:
        return getattr(found[0], field)
    return "\n".join(
        f"【{t.department}】{getattr(t, field)}" if t.department else getattr(t, field)
        for t in found
    )


def _to_copy(texts: list[LastText], department: str, field: str) -> str:
    """The text offered for copying: the department's own when it has one, else every one."""
    own = [t for t in texts if t.department == department and getattr(t, field).strip()]
    if own:
        return getattr(own[0], field)
    return shown(texts, field)


def _set(line: Any, fy: int, texts: list[LastText], department: str) -> None:
    line.last_fy = fy
    line.last_year = texts
    line.last_done = _to_copy(texts, department, "done")
    line.last_next = _to_copy(texts, department, "next")


def attach(
    report: Report,
    lines: list[ItemLines],
    *,
    item_entries: Iterable[ItemEntry] | None = None,
    indicator_entries: Iterable[IndicatorEntry] | None = None,
    notes: dict[str, tuple[str, str]] | None = None,
) -> None:
    """Put last year's texts on the lines: `last_fy`, `last_year`, `last_done`, `last_next`."""
    found = last_year(
        report.round,
        item_entries=item_entries,
        indicator_entries=indicator_entries,
        notes=notes,
    )
    if found is None:
        return
    department = report.department.name
    for item in lines:
        _set(item, found.fy, found.items.get(item.node.key, []), department)
        for ln in item.indicators:
            _set(ln, found.fy, found.indicators.get(ln.indicator.key, []), department)


def copy_into_empty(lines: list[ItemLines], data: Any) -> list[str]:
    """Fill the empty 取組状況 / 今後の展開 of `data` (a SheetInput) with last year's texts.

    Only fields that are empty in `data` are filled; returns where text was copied.
    """
    from shinchoku.rounds.services import INDICATOR_FIELDS, ITEM_FIELDS

    copied = []
    for item in lines:
        row = data.items.setdefault(item.node.key, {f: getattr(item, f) for f in ITEM_FIELDS})
        for field, label in (("done", "取組状況"), ("next", "今後の展開")):
            text = getattr(item, f"last_{field}")
            if text and not row.get(field, "").strip():
                row[field] = text
                copied.append(f"{item.node} {label}")
        for ln in item.indicators:
            row = data.indicators.setdefault(
                ln.indicator.key, {f: getattr(ln, f) for f in INDICATOR_FIELDS}
            )
            for field, label in (("done", "取組状況"), ("next", "今後の展開")):
                text = getattr(ln, f"last_{field}")
                if text and not row.get(field, "").strip():
                    row[field] = text
                    copied.append(f"{ln.indicator.name} {label}")
    return copied


def offered(lines: list[ItemLines]) -> bool:
    """Whether any line of the sheet has a text from last year to copy."""
    return any(
        item.last_done
        or item.last_next
        or any(ln.last_done or ln.last_next for ln in item.indicators)
        for item in lines
    )
