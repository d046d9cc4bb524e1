"""The rotation pages: the current cycle per department and year, the proposal, the moves.

Every member of the organization reads them; the 管理者 proposes and saves a cycle and moves
businesses between its years (businesses.rotation checks the user, the version and the input).
Another organization's users get 404, anonymous users the login page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Max, Min, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.businesses import rotation as services
from shinchoku.businesses.access import organization_for
from shinchoku.businesses.models import Business, EvaluationRound, Rotation
from shinchoku.businesses.rotation_forms import FirstYearForm, MoveForm, move_field_name
from shinchoku.core import rotation as core
from shinchoku.core.wareki import fiscal_year
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import Plan


def register_url(org_slug: str) -> str:
    """The register's list (businesses/<org>/, the register's own view)."""
    return f"/businesses/{org_slug}/"


def _version(request: HttpRequest) -> int | None:
    try:
        value = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def posted_years(request: HttpRequest, prefix: str) -> dict[int, str]:
    """{business pk: posted value} of the fields named prefix + pk."""
    found = {}
    for key, value in request.POST.items():
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            found[int(key[len(prefix) :])] = value
    return found


def current_fy() -> int:
    return fiscal_year(timezone.localdate())


def shown_rotation(rotations: list[Rotation], fy: int) -> Rotation | None:
    """The cycle a visitor sees first: the one covering this FY, else the latest that started
    before it, else the next one."""
    found = services.covering(rotations, fy)
    if found is not None:
        return found
    before = [r for r in rotations if r.first_fy <= fy]
    if before:
        return before[-1]
    return rotations[0] if rotations else None


def rotations_of(organization: Organization) -> list[Rotation]:
    """The organization's cycles in order, each with the span of its plans' periods
    (plans_first, plans_last) read along: one query."""
    plans = Plan.objects.filter(organization=organization).order_by()
    first = plans.order_by("first_fy").values("first_fy")[:1]
    last = plans.order_by("-last_fy").values("last_fy")[:1]
    return list(
        Rotation.objects.filter(organization=organization)
        .annotate(plans_first=Subquery(first), plans_last=Subquery(last))
        .order_by("first_fy")
    )


def first_year_choices(organization: Organization, rotations: list[Rotation], fy: int) -> list[int]:
    """The first FYs a cycle may be proposed for: the organization's plan periods and three
    years around this FY."""
    if rotations and hasattr(rotations[0], "plans_first"):  # read along (rotations_of)
        span = {"first": rotations[0].plans_first, "last": rotations[0].plans_last}
    else:
        span = Plan.objects.filter(organization=organization).aggregate(
            first=Min("first_fy"), last=Max("last_fy")
        )
    low = min(fy - 3, span["first"] or fy, *(r.first_fy for r in rotations))
    high = max(fy + 3, span["last"] or fy, *(r.first_fy for r in rotations))
    return list(range(low, high + 1))


@dataclass
class DepartmentRow:
    """A department's businesses in each year of the cycle, and those not placed."""

    department: Department
    cells: list[list[Business]]
    unassigned: list[Business] = field(default_factory=list)

    @property
    def counts(self) -> list[int]:
        return [len(c) for c in self.cells]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def balanced(self) -> bool:
        return core.is_balanced(self.counts)


def department_rows(
    businesses: list[Business], assignment: dict[int, int], years: list[int]
) -> list[DepartmentRow]:
    """One row per department with businesses, in the organization's department order."""
    rows: dict[int, DepartmentRow] = {}
    for b in sorted(businesses, key=lambda b: (b.department.order, b.department_id)):
        row = rows.setdefault(b.department_id, DepartmentRow(b.department, [[] for _ in years]))
        fy = assignment.get(b.pk)
        if fy in years:
            row.cells[years.index(fy)].append(b)
        else:
            row.unassigned.append(b)
    return list(rows.values())


def _table_context(
    businesses: list[Business],
    assignment: dict[int, int],
    first_fy: int,
    rounds: dict[int, EvaluationRound] | None = None,
) -> dict:
    years = core.cycle_years(first_fy)
    rows = department_rows(businesses, assignment, years)
    totals = [sum(r.counts[k] for r in rows) for k in range(len(years))]
    return {
        "years": years,
        "columns": [{"fy": y, "round": (rounds or {}).get(y)} for y in years],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "balanced": core.is_balanced(totals) and all(r.balanced for r in rows),
    }


def _rotation_page(
    request: HttpRequest,
    organization: Organization,
    rotations: list[Rotation],
    rotation: Rotation | None,
    *,
    status: int = 200,
    posted: dict | None = None,
    error: Exception | None = None,
) -> HttpResponse:
    user = request.user
    admin = can_edit_structure(user, organization)
    fy = current_fy()
    context: dict = {
        "organization": organization,
        "rotations": rotations,
        "rotation": rotation,
        "admin": admin,
        "current_fy": fy,
        "error": error,
        "register_url": register_url(organization.slug),
    }
    if admin:
        choices = first_year_choices(organization, rotations, fy)
        default = services.default_first_fy(rotations, fy)
        context["propose_form"] = FirstYearForm({"first_fy": str(default)}, fys=choices)
    if rotation is None:
        return render(request, "businesses/rotation_page.html", context, status=status)
    businesses, assignment, last = services.cycle_businesses(organization, rotation)
    rounds = {
        r.fiscal_year: r
        for r in EvaluationRound.objects.filter(
            organization=organization, fiscal_year__in=core.cycle_years(rotation.first_fy)
        )
    }
    table = _table_context(businesses, assignment, rotation.first_fy, rounds)
    unassigned = [b for row in table["rows"] for b in row.unassigned]
    context.update(table)
    context.update(
        {
            "unassigned": unassigned,
            "cycle": services.cycle_label(rotation.first_fy),
        }
    )
    if admin:
        ordered = [
            b
            for row in table["rows"]
            for b in sorted(
                [*(x for cell in row.cells for x in cell), *row.unassigned],
                key=lambda b: (b.order, b.pk),
            )
        ]
        values = {move_field_name(b): str(assignment.get(b.pk, "")) for b in ordered}
        if posted:
            values.update({k: v for k, v in posted.items() if k in values})
        form = MoveForm(values, businesses=ordered, years=table["years"], error=error)
        context["move_form"] = form
        context["move_rows"] = [
            {
                "business": b,
                "field": form[move_field_name(b)],
                "last": last.get(b.pk),
                "started": assignment.get(b.pk) in rounds,
                "fy": assignment.get(b.pk),
            }
            for b in ordered
        ]
    return render(request, "businesses/rotation_page.html", context, status=status)


@require_safe
def rotation_page(request: HttpRequest, org: str) -> HttpResponse:
    """The cycle of this FY (or the nearest one), with the proposal form for the 管理者."""
    organization = organization_for(request, org)
    rotations = rotations_of(organization)
    rotation = shown_rotation(rotations, current_fy())
    return _rotation_page(request, organization, rotations, rotation)


@require_safe
def rotation_cycle(request: HttpRequest, org: str, first_fy: int) -> HttpResponse:
    """One cycle of the organization's rotation."""
    organization = organization_for(request, org)
    rotations = rotations_of(organization)
    rotation = next((r for r in rotations if r.first_fy == first_fy), None)
    if rotation is None:
        raise Http404("no such rotation")
    return _rotation_page(request, organization, rotations, rotation)


def _proposal_page(
    request: HttpRequest,
    organization: Organization,
    first_fy: int,
    *,
    status: int = 200,
    error: Exception | None = None,
) -> HttpResponse:
    proposal = services.propose(organization, first_fy)
    table = _table_context(proposal.businesses, proposal.assignment, first_fy)
    context = {
        "organization": organization,
        "proposal": proposal,
        "cycle": services.cycle_label(first_fy),
        "error": error,
        "register_url": register_url(organization.slug),
        "last": [
            (b, proposal.last[b.pk], proposal.assignment[b.pk])
            for b in proposal.businesses
            if b.pk in proposal.last
        ],
        **table,
    }
    return render(request, "businesses/rotation_propose.html", context, status=status)


def rotation_propose(request: HttpRequest, org: str) -> HttpResponse:
    """The proposed cycle for a first FY (GET); saved when the 管理者 confirms it (POST)."""
    organization = organization_for(request, org)
    require(request, can_edit_structure(request.user, organization))
    source = request.POST if request.method == "POST" else request.GET
    rotations = list(Rotation.objects.filter(organization=organization))
    try:
        first_fy = int(source.get("first_fy", ""))
    except ValueError:
        first_fy = services.default_first_fy(rotations, current_fy())
    if first_fy not in first_year_choices(organization, rotations, current_fy()):
        raise Http404("no such first year")
    if request.method != "POST":
        return _proposal_page(request, organization, first_fy)
    try:
        rotation = services.save_proposal(
            organization,
            first_fy,
            posted_years(request, "slot-"),
            user=request.user,
            version=_version(request),
        )
    except services.RotationConflict as e:
        return _proposal_page(request, organization, first_fy, status=409, error=e)
    except services.RotationError as e:
        return _proposal_page(request, organization, first_fy, status=422, error=e)
    messages.success(
        request,
        _("The rotation of %(cycle)s was saved.") % {"cycle": services.cycle_label(first_fy)},
    )
    return redirect("businesses:rotation_cycle", organization.slug, rotation.first_fy)


@require_POST
def rotation_move(request: HttpRequest, org: str, first_fy: int) -> HttpResponse:
    """Move businesses between the cycle's years, or place unassigned ones (管理者)."""
    organization = organization_for(request, org)
    rotations = rotations_of(organization)
    rotation = next((r for r in rotations if r.first_fy == first_fy), None)
    if rotation is None:
        raise Http404("no such rotation")
    require(request, can_edit_structure(request.user, organization))
    rotation.organization = organization
    posted = posted_years(request, "fy-")
    try:
        moved = services.move(rotation, posted, user=request.user, version=_version(request))
    except services.RotationError as e:
        conflict = isinstance(e, services.RotationConflict)
        rotation.refresh_from_db()
        return _rotation_page(
            request,
            organization,
            rotations,
            rotation,
            status=409 if conflict else 422,
            posted=None if conflict else {f"fy-{pk}": v for pk, v in posted.items()},
            error=e,
        )
    if moved:
        messages.success(
            request,
            ngettext("%(n)s business was moved.", "%(n)s businesses were moved.", moved)
            % {"n": moved},
        )
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect("businesses:rotation_cycle", organization.slug, rotation.first_fy)
