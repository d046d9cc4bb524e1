"""The three-year rotation of 事務事業評価: propose it, save it, move a business between years.

The proposal itself is core.rotation (plain Python); this module reads the register for it and
writes what the 管理者 confirmed. Every change is one transaction with the rotation's row locked
and the version its page showed checked (RotationConflict); wrong input is refused with a
Japanese message naming the business and what to do (RotationError); nothing is stored then.
Who may change the rotation is asked here too (RotationDenied): the organization's 管理者.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext

from shinchoku.accounts.permissions import can_edit_structure
from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    EvaluationRound,
    Rotation,
    RotationSlot,
)
from shinchoku.core import rotation as core
from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Organization


class RotationError(Exception):
    """Wrong input or a step not possible now; the message says where and what to do."""

    def __init__(self, message: str, *, field: str = "") -> None:
        self.message = message
        self.field = field
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class RotationConflict(RotationError):
    """The rotation changed since the page was loaded."""


class RotationDenied(RotationError):
    """The user may not change the rotation."""

    def __init__(self) -> None:
        super().__init__(gettext("You are not allowed to do this."))


def business_label(business: Business) -> str:
    """「B-01 生活相談事業」: a business as the messages name it."""
    return f"{business.code} {business.name}".strip()


def cycle_label(first_fy: int) -> str:
    """令和2年度(2020年度)〜令和4年度(2022年度)."""
    return gettext("%(first)s to %(last)s") % {
        "first": fy_label(first_fy),
        "last": fy_label(first_fy + core.CYCLE_YEARS - 1),
    }


def active_businesses(organization: Organization) -> list[Business]:
    """The organization's businesses still carried out, in the register's order."""
    return list(
        Business.objects.filter(organization=organization, active=True).select_related("department")
    )


def last_evaluations(organization: Organization, before_fy: int) -> dict[int, int]:
    """Each business's latest evaluated FY before `before_fy` (a sheet in that FY's round)."""
    rows = (
        BusinessEvaluation.objects.filter(
            round__organization=organization, round__fiscal_year__lt=before_fy
        )
        .values("business_id")
        .annotate(last=Max("round__fiscal_year"))
    )
    return {r["business_id"]: r["last"] for r in rows}


def cycle_businesses(
    organization: Organization, rotation: Rotation
) -> tuple[list[Business], dict[int, int], dict[int, int]]:
    """The active businesses (as active_businesses), the rotation's assignment of them
    {business: FY}, and their latest evaluated FY before the cycle (as last_evaluations), read
    in one query."""
    slot = RotationSlot.objects.filter(rotation=rotation, business_id=OuterRef("pk"))
    evaluated = BusinessEvaluation.objects.filter(
        business_id=OuterRef("pk"),
        round__organization=organization,
        round__fiscal_year__lt=rotation.first_fy,
    ).order_by("-round__fiscal_year")
    businesses = list(
        Business.objects.filter(organization=organization, active=True)
        .select_related("department")
        .annotate(
            slot_fy=Subquery(slot.values("fiscal_year")[:1]),
            last_fy=Subquery(evaluated.values("round__fiscal_year")[:1]),
        )
    )
    assignment = {b.pk: b.slot_fy for b in businesses if b.slot_fy is not None}
    last = {b.pk: b.last_fy for b in businesses if b.last_fy is not None}
    return businesses, assignment, last


def round_years(organization: Organization) -> set[int]:
    """The FYs whose evaluation round has started."""
    return set(
        EvaluationRound.objects.filter(organization=organization).values_list(
            "fiscal_year", flat=True
        )
    )


def covering(rotations: Iterable[Rotation], fy: int) -> Rotation | None:
    """The rotation whose cycle includes fy."""
    return next((r for r in rotations if r.first_fy <= fy <= r.last_fy), None)


def overlapping(rotations: Iterable[Rotation], first_fy: int) -> Rotation | None:
    """Another rotation sharing a year with the cycle that starts in first_fy."""
    last = first_fy + core.CYCLE_YEARS - 1
    return next(
        (
            r
            for r in rotations
            if r.first_fy != first_fy and r.first_fy <= last and first_fy <= r.last_fy
        ),
        None,
    )


def default_first_fy(rotations: Iterable[Rotation], current_fy: int) -> int:
    """The first FY a new proposal starts with: this FY, or the year after the cycle that
    covers it."""
    fy = current_fy
    found = covering(rotations, fy)
    while found is not None:
        fy = found.last_fy + 1
        found = covering(rotations, fy)
    return fy


@dataclass
class Proposal:
    """A proposed rotation: each active business's FY, and what the 管理者 must know."""

    organization: Organization
    first_fy: int
    businesses: list[Business]
    assignment: dict[int, int]
    last: dict[int, int]
    existing: Rotation | None = None
    # A reason the proposal cannot be saved (another cycle overlaps, a round has started).
    blocked: str = ""
    # Businesses the three-year rule could not be kept for (every balanced rotation breaks it).
    short: list[Business] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return core.cycle_years(self.first_fy)

    @property
    def version(self) -> int:
        return self.existing.version if self.existing else 0


def _blocked(organization: Organization, first_fy: int, rotations: list[Rotation]) -> str:
    other = overlapping(rotations, first_fy)
    if other is not None:
        return gettext(
            "The cycle %(cycle)s overlaps the rotation of %(other)s. Choose a first year after "
            "%(last)s, or move businesses within the existing rotation instead."
        ) % {
            "cycle": cycle_label(first_fy),
            "other": cycle_label(other.first_fy),
            "last": fy_label(other.last_fy),
        }
    started = sorted(round_years(organization) & set(core.cycle_years(first_fy)))
    if started:
        return gettext(
            "The evaluation round of %(fy)s has already started, so this cycle can no longer be "
            "proposed again. Move businesses between its remaining years instead."
        ) % {"fy": fy_label(started[0])}
    return ""


def propose(organization: Organization, first_fy: int) -> Proposal:
    """The rotation core.rotation proposes for the organization's active businesses."""
    businesses = active_businesses(organization)
    last = last_evaluations(organization, first_fy)
    candidates = [core.Candidate(b.pk, b.department_id, last.get(b.pk)) for b in businesses]
    assignment = core.propose(candidates, first_fy)
    rotations = list(Rotation.objects.filter(organization=organization))
    proposal = Proposal(
        organization=organization,
        first_fy=first_fy,
        businesses=businesses,
        assignment=assignment,
        last=last,
        existing=next((r for r in rotations if r.first_fy == first_fy), None),
        blocked=_blocked(organization, first_fy, rotations),
    )
    proposal.short = [b for b in businesses if core.too_soon(last.get(b.pk), assignment[b.pk])]
    return proposal


def _too_soon_message(business: Business, last_fy: int, fy: int) -> str:
    return gettext(
        "「%(business)s」 was evaluated in %(last)s, so it cannot be evaluated again in %(fy)s "
        "(within three years). Choose %(earliest)s or later."
    ) % {
        "business": business_label(business),
        "last": fy_label(last_fy),
        "fy": fy_label(fy),
        "earliest": fy_label(last_fy + core.GAP),
    }


def _fy_of(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _lock(organization: Organization, first_fy: int, version: int | None) -> Rotation | None:
    """The organization's rotation starting in first_fy under its row lock (None if there is
    none); RotationConflict when it is not the version the page showed (0: none yet)."""
    current = (
        Rotation.objects.select_for_update()
        .filter(organization=organization, first_fy=first_fy)
        .first()
    )
    shown = 0 if current is None else current.version
    if version is None or version != shown:
        raise RotationConflict(
            gettext(
                "Someone else changed the rotation of %(cycle)s after you opened the page. "
                "Check it as it is now and try again."
            )
            % {"cycle": cycle_label(first_fy)}
        )
    return current


def save_proposal(
    organization: Organization,
    first_fy: int,
    posted: Mapping[int, Any],
    *,
    user: Any,
    version: int | None,
) -> Rotation:
    """Store the proposal the 管理者 confirmed: `posted` is {business pk: FY} as the page showed
    it; refused when the register changed since, or a year is outside the cycle or too soon."""
    if not can_edit_structure(user, organization):
        raise RotationDenied
    years = core.cycle_years(first_fy)
    with transaction.atomic():
        rotations = list(Rotation.objects.filter(organization=organization))
        blocked = _blocked(organization, first_fy, rotations)
        if blocked:
            raise RotationError(blocked)
        current = _lock(organization, first_fy, version)
        businesses = active_businesses(organization)
        if {b.pk for b in businesses} != set(posted):
            raise RotationConflict(
                gettext(
                    "The register changed after the proposal was made (a business was added or "
                    "ended). Make the proposal again."
                )
            )
        chosen: dict[int, int] = {}
        for b in businesses:
            fy = _fy_of(posted[b.pk])
            if fy not in years:
                raise RotationError(
                    gettext("「%(business)s」: choose a year of the cycle %(cycle)s.")
                    % {"business": business_label(b), "cycle": cycle_label(first_fy)}
                )
            chosen[b.pk] = fy
        # What is stored is what the page showed, and that is still the proposal: the register
        # or its evaluations may have changed since (moves come after, through `move`).
        last = last_evaluations(organization, first_fy)
        candidates = [core.Candidate(b.pk, b.department_id, last.get(b.pk)) for b in businesses]
        if core.propose(candidates, first_fy) != chosen:
            raise RotationConflict(
                gettext(
                    "The proposal is no longer what the register gives (it changed after the "
                    "proposal was made). Make the proposal again."
                )
            )
        if current is None:
            try:
                with transaction.atomic():
                    current = Rotation.objects.create(organization=organization, first_fy=first_fy)
            except IntegrityError as error:  # another 管理者 saved the same cycle meanwhile
                raise RotationConflict(
                    gettext(
                        "Someone else saved a rotation of %(cycle)s meanwhile. Check it and try "
                        "again."
                    )
                    % {"cycle": cycle_label(first_fy)}
                ) from error
        else:
            current.slots.all().delete()
            current.version += 1
            current.save(update_fields=["version"])
        RotationSlot.objects.bulk_create(
            RotationSlot(rotation=current, business_id=pk, fiscal_year=fy)
            for pk, fy in chosen.items()
        )
    return current


def move(
    rotation: Rotation,
    posted: Mapping[int, Any],
    *,
    user: Any,
    version: int | None,
) -> int:
    """Move businesses between the years of the rotation, or place an unassigned one.

    `posted` is {business pk: FY or ""} for the rows of the page; "" leaves an unassigned
    business unassigned (a placed one cannot be taken out). Refused whole when one move breaks
    the three-year rule, touches a year whose round has started, or names a year outside the
    cycle. Returns how many businesses moved.
    """
    organization = rotation.organization
    if not can_edit_structure(user, organization):
        raise RotationDenied
    years = core.cycle_years(rotation.first_fy)
    with transaction.atomic():
        current = _lock(organization, rotation.first_fy, version)
        assert current is not None  # it existed when the page was shown; it is never deleted
        slots = {s.business_id: s for s in current.slots.all()}
        businesses = {b.pk: b for b in active_businesses(organization) if b.pk in posted}
        started = round_years(organization)
        last = last_evaluations(organization, current.first_fy)
        changes: list[tuple[Business, RotationSlot | None, int]] = []
        for pk, value in posted.items():
            business = businesses.get(pk)
            if business is None:
                raise RotationConflict(
                    gettext(
                        "The register changed after you opened the page (a business was ended "
                        "or removed). Check the rotation as it is now and try again."
                    )
                )
            slot = slots.get(pk)
            if value in ("", None):
                if slot is not None:
                    raise RotationError(
                        gettext("「%(business)s」: choose one of the cycle's years.")
                        % {"business": business_label(business)},
                        field=f"fy-{pk}",
                    )
                continue
            fy = _fy_of(value)
            if fy not in years:
                raise RotationError(
                    gettext("「%(business)s」: choose a year of the cycle %(cycle)s.")
                    % {
                        "business": business_label(business),
                        "cycle": cycle_label(current.first_fy),
                    },
                    field=f"fy-{pk}",
                )
            if slot is not None and slot.fiscal_year == fy:
                continue
            for year in (fy, slot.fiscal_year if slot else None):
                if year in started:
                    raise RotationError(
                        gettext(
                            "「%(business)s」 cannot be moved: the evaluation round of %(fy)s has "
                            "already started. Choose a year whose round has not started."
                        )
                        % {"business": business_label(business), "fy": fy_label(year)},
                        field=f"fy-{pk}",
                    )
            previous = last.get(pk)
            if core.too_soon(previous, fy):
                raise RotationError(_too_soon_message(business, previous, fy), field=f"fy-{pk}")
            changes.append((business, slot, fy))
        if not changes:
            return 0
        for business, slot, fy in changes:
            if slot is None:
                RotationSlot.objects.create(rotation=current, business=business, fiscal_year=fy)
            else:
                slot.fiscal_year = fy
                slot.save(update_fields=["fiscal_year"])
        current.version += 1
        current.save(update_fields=["version"])
    rotation.version = current.version
    return len(changes)
