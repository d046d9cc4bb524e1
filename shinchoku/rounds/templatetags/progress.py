"""Progress on plan pages: `{% load progress %}{% item_progress node %}` and band filters.

The plans app shows an item's yearly progress through this tag, so that plans code never
imports rounds. Achievement is judged by `rounds.progress` only; this module arranges it.
Figures and texts of sheets not yet approved reach only the readers `draft_scope` covers;
others see those sheets' statuses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django import template
from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from shinchoku.accounts.permissions import APPROVED_ONLY, DraftScope, draft_scope
from shinchoku.core import signed
from shinchoku.core.achievement import flagged
from shinchoku.core.keyed_urls import KeyedUrls
from shinchoku.plans.models import Indicator, IndicatorValue, Node, Plan
from shinchoku.rounds import progress as rp
from shinchoku.rounds.item_rows import item_entries
from shinchoku.rounds.models import IndicatorEntry, PlanSettings, Report
from shinchoku.rounds.reasons import reason_text
from shinchoku.rounds.services import bands_of

register = template.Library()
APPROVED = Report.Status.APPROVED


@register.simple_tag
def band_cell(j, band_names) -> str:
    """What `{% include "rounds/progress/_band.html" %}` renders (its closing newline too), in
    Python: one call per table row instead of an included template (issue 16), and written
    once per band, reason, bands and language."""
    return _band_cell(j.band, j.note, tuple(band_names), get_language())


@functools.lru_cache(maxsize=1024)
def _band_cell(band: str, note, band_names: tuple[str, ...], language: str | None) -> str:
    html = format_html(
        '<span class="band {}">{}</span>', rp.band_class(band, list(band_names)), band
    )
    if note:
        html += format_html('<br><small class="reason">{}</small>', reason_text(note))
    return mark_safe(html + "\n")


@register.filter
def keyed_url(urls: KeyedUrls, key: object) -> str:
    """`{{ node_urls|keyed_url:node.key }}`: the URL of one row, the pattern reversed once."""
    return urls.url(key)


@register.filter
def band_class(band: str, band_names: list[str]) -> str:
    """CSS class of a band by its rank (band-0 best … band-undetermined)."""
    return rp.band_class(band, list(band_names))


@register.filter
def percent(fraction: Decimal | None) -> str:
    """0.8 → 80.0%, -1.2 → △120.0% (the documents' minus sign); empty when there is no figure."""
    return signed.percent(fraction)


@register.filter
def days_until(day: date | None) -> int | None:
    """Days from today to the day (negative when past)."""
    if not day:
        return None
    return (day - date.today()).days


@register.filter
def negate(n: int) -> int:
    return -int(n)


def evaluation_names(settings: PlanSettings) -> dict[str, str]:
    """Self-evaluation code → "B 概ね達成"."""
    return {s["code"]: f"{s['code']} {s['name']}" for s in settings.evaluation_scale}


@dataclass
class IndicatorYear:
    progress: rp.IndicatorProgress
    pending: list[IndicatorEntry] = field(default_factory=list)  # unapproved sheets' actuals
    withheld: list[Report] = field(default_factory=list)  # unapproved sheets not for this reader

    @cached_property
    def pending_actuals(self) -> list[tuple[IndicatorEntry, str]]:
        """The pending entries with an actual, each with it in the indicator's unit."""
        return self.progress.pending_shown(self.pending)


@dataclass
class ItemYear:
    """Everything reported for one item in one FY."""

    fy: int
    indicators: list[IndicatorYear] = field(default_factory=list)
    contents: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    withheld: dict[int, Report] = field(default_factory=dict)  # status only, by report id

    @property
    def has_reports(self) -> bool:
        return bool(self.contents or self.items or self.withheld)

    def withhold(self, report: Report) -> None:
        self.withheld.setdefault(report.pk, report)

    @property
    def has_notes(self) -> bool:
        """Some indicator has 取組状況 / 今後の展開 this year (the city's sheet asks for them)."""
        return any(
            row.progress.note or any(e.done or e.next for e in row.pending)
            for row in self.indicators
        )


def item_years(
    plan: Plan,
    node: Node,
    drafts: DraftScope = APPROVED_ONLY,
    indicators: list[Indicator] | None = None,
) -> tuple[list[ItemYear], list[str]]:
    """The node's progress for every FY with a round or actuals, newest first.

    Unapproved sheets' statuses and texts are shown for the departments `drafts` covers;
    of the others only the sheet's status is given.

    Reads `indicators` (the node's, with their values and notes; else its prefetched ones)
    and the sheets' rows in one query (rounds.item_rows), whatever the plan's size or number
    of rounds.
    """
    settings = PlanSettings.of(plan)
    bands = bands_of(plan, settings)
    fys = rp.years_with_values(plan)
    indicators = list(node.indicators.all()) if indicators is None else indicators
    statuses = rp.flagged_statuses(settings)
    scale = evaluation_names(settings)
    # One query for the three kinds of sheet rows, its SQL compiled once (issue 16).
    contents, entries, pending = item_entries(plan.pk, node.key)
    years = {fy: ItemYear(fy) for fy in fys}

    def readable(report: Report) -> bool:
        return report.status == APPROVED or drafts.covers(report.department)

    for e in contents:
        year = years.setdefault(e.report.round.fy, ItemYear(e.report.round.fy))
        if not readable(e.report):
            year.withhold(e.report)
            continue
        year.contents.append(
            {
                "entry": e,
                "department": e.report.department.name,
                "approved": e.report.status == APPROVED,
                "report": e.report,
                "flagged": flagged(e.status, statuses),
            }
        )
    for e in entries:
        if not (e.done or e.next or e.evaluation):
            continue
        year = years.setdefault(e.report.round.fy, ItemYear(e.report.round.fy))
        if not readable(e.report):
            year.withhold(e.report)
            continue
        year.items.append(
            {
                "entry": e,
                "department": e.report.department.name,
                "approved": e.report.status == APPROVED,
                "report": e.report,
                "evaluation": scale.get(e.evaluation, e.evaluation),
            }
        )
    waiting: dict[tuple[int, str], list[IndicatorEntry]] = {}
    hidden: dict[tuple[int, str], list[Report]] = {}
    for e in pending:
        fy = e.report.round.fy
        years.setdefault(fy, ItemYear(fy))
        if readable(e.report):
            waiting.setdefault((fy, e.indicator_key), []).append(e)
        else:
            hidden.setdefault((fy, e.indicator_key), []).append(e.report)
            years[fy].withhold(e.report)
    for fy, year in years.items():
        year.indicators = [
            IndicatorYear(
                rp.indicator_progress(i, fy, bands),
                waiting.get((fy, i.key), []),
                hidden.get((fy, i.key), []),
            )
            for i in indicators
        ]
    shown = [y for y in years.values() if y.indicators or y.has_reports]
    return sorted(shown, key=lambda y: y.fy, reverse=True), bands.names


@register.simple_tag(takes_context=True)
def item_progress(context, node: Node) -> str:
    """The item's actuals, bands, content statuses and texts for every FY with progress.

    Kept in the cache under the plan's cache version (read with the plan: plan.cache_v, see
    plans.item_page), the node, the language and the drafts the reader may read (issue 16).
    """
    plan = context.get("plan") or node.plan
    request = context.get("request")
    drafts = draft_scope(request.user, plan.organization) if request else APPROVED_ONLY
    version = getattr(plan, "cache_v", None)
    key = None
    if version is not None:
        key = PROGRESS_KEY.format(
            plan=plan.pk,
            version=version,
            key=node.key,
            language=get_language(),
            drafts=_drafts_token(drafts),
        )
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)
    years, band_names = item_years(plan, node, drafts, _indicators_of(node))
    # rounds/_item_progress.html, written in Python (issue 16; the template is its spec).
    from shinchoku.rounds.item_progress_html import years_html

    html = years_html(plan, years, band_names)
    if key is not None:
        cache.set(key, html)
    return mark_safe(html)


PROGRESS_KEY = "shinchoku:item-progress:{plan}:{version}:{key}:{language}:{drafts}"


def _drafts_token(drafts: DraftScope) -> str:
    """The drafts a reader may read, as part of a cache key: every, none, or the departments."""
    if drafts.every:
        return "every"
    return "d" + ".".join(str(d) for d in sorted(drafts.departments))


def _indicators_of(node: Node) -> list[Indicator]:
    """The node's indicators with their values and notes: prefetched, or read (three queries)."""
    if "indicators" in getattr(node, "_prefetched_objects_cache", {}):
        return list(node.indicators.all())
    return list(
        Indicator.objects.filter(node_id=node.pk)
        .select_related("department")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("fy")), "reports"
        )
        .order_by("order")
    )


# --- plans without figures (issue 12) ------------------------------------------------------


@register.filter
def evaluation_class(code: str, scale: list[dict]) -> str:
    """CSS class of a self-evaluation by its rank on the scale (band-0 best); off-scale: none."""
    codes = [str(s.get("code", "")) for s in scale]
    if code not in codes:
        return "band-undetermined"
    return f"band-{min(codes.index(code), 4)}"


@register.filter
def counts_rows(counts, keys) -> list:
    """(key, label, n) of a `core.evaluations.Counts` for the given columns; none without counts."""
    return counts.rows(keys) if counts is not None else []


@register.filter
def counts_label(counts, key: str) -> str:
    return counts.label(key) if counts is not None else key


@register.filter
def counts_head(counts, key: str):
    """A column heading "A 計画どおり実施" whose name hides on narrow screens (the code stays)."""
    label = counts_label(counts, key)
    code, sep, name = label.partition(" ")
    if not sep or code != key:
        return label
    return format_html('{}<span class="eval-name"> {}</span>', code, name)


@register.filter
def counts_nonzero(counts) -> list:
    """(key, label, n) of the keys that were counted."""
    return [r for r in counts.rows() if r[2]] if counts is not None else []
