"""Loading the register workbook back: check every cell, show the changes, apply.

Reading keeps the cells' text (register_read); planning checks it against the database and
says what would be added, changed and ended (`plan_register`), naming the sheet and cell of
every problem; applying writes the plan in one transaction (`apply_register`). The plan is made
again when the upload is confirmed, and applied only if it still does what the preview showed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import CharField, F, Max, Value
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from shinchoku.businesses import register_services as services
from shinchoku.businesses.models import Business, BusinessNode, BusinessYear, RegisterSettings
from shinchoku.businesses.register_xlsx import (
    FIELDS,
    SETTINGS_SHEET,
    SHEET,
    node_refs,
)
from shinchoku.core.business_cost import amount_text
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import BusinessKind
from shinchoku.plans.workbook import CellProblem

PRECISION = {
    "budget": services.AMOUNT,
    "settlement": services.AMOUNT,
    "staff_years": services.STAFF_YEARS,
    "output": services.OUTPUT,
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_LIMITS = {1: 40, 2: 300, 3: 200, 4: 100, 7: 200, 8: 20}  # column → characters


@dataclass
class Row:
    """One business as the file says, checked."""

    number: int
    code: str
    name: str
    department_id: int
    kind: str
    purpose: str
    target: str
    output_name: str
    output_unit: str
    nodes: list[int]
    years: dict[int, dict[str, str | None]]  # fy → field → Decimal as text, or None


@dataclass
class Change:
    kind: str  # "added" / "changed" / "ended"
    code: str
    name: str
    business_id: int | None = None
    version: int | None = None
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    row: Row | None = None


@dataclass
class RegisterPlan:
    problems: list[CellProblem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    new_kinds: list[str] = field(default_factory=list)
    rate: Decimal | None = None  # the new 人件費単価 when it changes
    rate_before: Decimal | None = None
    order: dict[int, int] = field(default_factory=dict)  # business id → its row's place

    @property
    def rate_shown(self) -> str:
        return amount_text(self.rate)

    @property
    def rate_before_shown(self) -> str:
        return amount_text(self.rate_before)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def added(self) -> list[Change]:
        return self.of("added")

    @property
    def changed(self) -> list[Change]:
        return self.of("changed")

    @property
    def ended(self) -> list[Change]:
        return self.of("ended")

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or self.rate is not None

    def digest(self) -> str:
        """What the plan would do, so that a confirm can tell that it still does the same."""
        data = [
            [(c.kind, c.code, c.business_id, c.version, c.fields) for c in self.changes],
            str(self.rate),
            self.new_kinds,
        ]
        return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace(",", "、").replace("，", "、").split("、") if t.strip()]


def _shown(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return ""
    return amount_text(Decimal(value))


def plan_register(organization: Organization, raw: dict) -> RegisterPlan:
    """Check every row against the file and the database; what applying would change."""
    plan = RegisterPlan()
    problems = plan.problems

    def problem(column: int, number: int, message: str) -> None:
        problems.append(CellProblem(SHEET, f"{get_column_letter(column)}{number}", message))

    departments, kinds, saved_rate = _names(organization)
    by_text, written = node_refs(organization)
    existing = {
        b.code: b
        for b in Business.objects.filter(organization=organization)
        .select_related("department", "kind")
        .prefetch_related("years", "businessnode_set")
    }
    fy_columns = [(int(c), int(fy), f) for c, fy, f in raw.get("fys", [])]
    seen: dict[str, str] = {}
    rows: list[Row] = []
    for item in raw.get("rows", []):
        n = item["number"]
        cells = item["cells"]
        code, name, dept, kind, purpose, target, output_name, output_unit, refs = cells
        bad = len(problems)
        for column, text in enumerate(cells, 1):
            if CONTROL.search(text):
                problem(
                    column,
                    n,
                    _("The cell holds a character that cannot be stored. Type the text again."),
                )
        for column, limit in TEXT_LIMITS.items():
            if len(cells[column - 1]) > limit:
                problem(
                    column,
                    n,
                    _("Too long: %(n)s characters at most. Shorten it.") % {"n": limit},
                )
        if not code:
            problem(1, n, _("Enter the business number: each business needs one of its own."))
        elif code in seen:
            problem(
                1,
                n,
                _(
                    "The business number %(code)s is also in cell %(cell)s. Each business needs "
                    "a number of its own: correct one of them."
                )
                % {"code": code, "cell": seen[code]},
            )
        else:
            seen[code] = f"A{n}"
        if not name:
            problem(2, n, _("Enter the business name."))
        department = departments.get(dept)  # its id
        if not dept:
            problem(3, n, _("Enter the department in charge, as in the list of departments."))
        elif department is None:
            problem(
                3,
                n,
                _("There is no department “%(name)s”. Check the department's name.")
                % {"name": dept},
            )
        node_ids: list[int] = []
        for ref in _split(refs):
            found = by_text.get(ref, [])
            if len(found) == 1:
                node_ids.append(found[0].pk)
            elif not found:
                problem(
                    9,
                    n,
                    _(
                        "No item of this organization's plans has the key “%(key)s”. Write the "
                        "keys as in the plan workbook's キー column, separated by “、”."
                    )
                    % {"key": ref},
                )
            else:
                problem(
                    9,
                    n,
                    _(
                        "The key “%(key)s” is used in more than one plan. Write it with the "
                        "plan's ID in front, such as %(example)s."
                    )
                    % {"key": ref, "example": f"{found[0].plan.slug}/{ref}"},
                )
        years: dict[int, dict[str, str | None]] = {}
        for column, fy, field_name in fy_columns:
            text = item["years"].get(str(column), "")
            value = None
            if text:
                try:
                    value = services.parse_amount(text, PRECISION[field_name])
                except ValueError as exc:
                    problem(column, n, str(exc))
            years.setdefault(fy, {})[field_name] = None if value is None else str(value)
        if len(problems) == bad and department is not None:
            rows.append(
                Row(
                    n,
                    code,
                    name,
                    department,
                    kind,
                    purpose,
                    target,
                    output_name,
                    output_unit,
                    list(dict.fromkeys(node_ids)),
                    years,
                )
            )
    rate = raw.get("rate")
    if rate is not None:
        try:
            value = services.parse_amount(rate["text"], services.RATE)
            if value is None:
                raise ValueError(_("Enter the cost of one person-year in thousand yen."))
        except ValueError as exc:
            problems.append(CellProblem(SETTINGS_SHEET, rate["cell"], str(exc)))
        else:
            before = RegisterSettings.rate_of(organization, saved_rate)
            if value != before:
                plan.rate, plan.rate_before = value, before
    if problems:
        return plan
    dept_names = {pk: name for name, pk in departments.items()}
    labels = _labels()
    in_file: set[int] = set()
    for place, row in enumerate(rows, 1):
        if row.kind and row.kind not in kinds and row.kind not in plan.new_kinds:
            plan.new_kinds.append(row.kind)
        business = existing.get(row.code)
        if business is None:
            plan.changes.append(Change("added", row.code, row.name, row=row))
            continue
        in_file.add(business.pk)
        plan.order[business.pk] = place
        fields = _differences(business, row, dept_names, written, labels)
        if fields:
            plan.changes.append(
                Change("changed", row.code, row.name, business.pk, business.version, fields, row)
            )
        else:
            plan.unchanged += 1
    for business in existing.values():
        if business.active and business.pk not in in_file:
            plan.changes.append(
                Change("ended", business.code, business.name, business.pk, business.version)
            )
    return plan


def _names(organization: Organization) -> tuple[dict[str, int], set[str], Decimal | None]:
    """The names a file may use: the departments' (name → id) and the kinds of business, with
    the register's saved staff rate (RegisterSettings.rate_column; None when none is saved yet):
    one query for all three (issue 16)."""
    rate = RegisterSettings.rate_column(organization.pk)

    def rows(model, tag: str):
        return (
            model.objects.filter(organization=organization)
            .order_by()
            .annotate(tag=Value(tag, output_field=CharField()), rate=rate)
            .values_list("tag", "pk", "name", "rate")
        )

    departments: dict[str, int] = {}
    kinds: set[str] = set()
    saved: Decimal | None = None
    for tag, pk, name, rate_read in rows(Department, "d").union(rows(BusinessKind, "k"), all=True):
        saved = rate_read  # the same on every row
        if tag == "d":
            departments[name] = pk
        else:
            kinds.add(name)
    return departments, kinds, saved


def _labels() -> dict[str, str]:
    return {
        "name": _("Business name"),
        "department": _("Section in charge"),
        "kind": _("Kind of business"),
        "purpose": _("Purpose"),
        "target": _("Target group"),
        "output_name": _("Output measure"),
        "output_unit": _("Output unit"),
        "nodes": _("Plan items"),
        "active": _("In operation"),
        "budget": _("Budget"),
        "settlement": _("Settlement"),
        "staff_years": _("Person-years"),
        "output": _("Output"),
    }


def _differences(
    business: Business, row: Row, dept_names: dict, written: dict, labels: dict
) -> list[tuple[str, str, str]]:
    out = []
    for name, before, after in (
        ("name", business.name, row.name),
        ("department", business.department.name, dept_names[row.department_id]),
        ("kind", business.kind.name if business.kind else "", row.kind),
        ("purpose", business.purpose, row.purpose),
        ("target", business.target, row.target),
        ("output_name", business.output_name, row.output_name),
        ("output_unit", business.output_unit, row.output_unit),
        (
            "nodes",
            "、".join(written.get(bn.node_id, "?") for bn in business.businessnode_set.all()),
            "、".join(written.get(i, "?") for i in row.nodes),
        ),
    ):
        if before != after:
            out.append((labels[name], before, after))
    if not business.active:
        out.append((labels["active"], "終了", "実施中"))
    years = {y.fiscal_year: y for y in business.years.all()}
    for fy, values in sorted(row.years.items()):
        stored = years.get(fy)
        for f in FIELDS:
            before = getattr(stored, f) if stored else None
            after = values.get(f)
            if (before is None) != (after is None) or (
                before is not None and Decimal(after) != before
            ):
                out.append((f"{fy}年度 {labels[f]}", _shown(before), _shown(after)))
    return out


@transaction.atomic
def apply_register(organization: Organization, plan: RegisterPlan) -> None:
    """Write the plan, all or nothing (a business changed since the plan was made: StaleVersion).

    One statement per table and kind of write, whatever the number of businesses (issue 16):
    the versions checked and raised together, the new businesses inserted together, the changed
    ones updated together, their items and years replaced, changed and removed together.
    """
    if plan.new_kinds:
        BusinessKind.objects.bulk_create(
            [BusinessKind(organization=organization, name=name) for name in plan.new_kinds],
            ignore_conflicts=True,
        )
    kinds = {k.name: k for k in BusinessKind.objects.filter(organization=organization)}
    _bump([c for c in plan.changes if c.kind != "added"])
    ended = [c.business_id for c in plan.changes if c.kind == "ended"]
    if ended:
        Business.objects.filter(pk__in=ended).update(active=False)
    written = [c for c in plan.changes if c.kind != "ended"]
    stored = Business.objects.in_bulk([c.business_id for c in written if c.kind == "changed"])
    last = Business.objects.filter(organization=organization).aggregate(last=Max("order"))["last"]
    next_order = (last or 0) + 1
    added: list[Business] = []
    changed: list[Business] = []
    rows: list[tuple[Business, Row]] = []
    for change in written:
        row = change.row
        if change.kind == "added":
            business = Business(organization=organization, code=row.code, order=next_order)
            next_order += 1
            added.append(business)
        else:
            business = stored[change.business_id]
            changed.append(business)
        business.name = row.name
        business.department_id = row.department_id
        business.kind = kinds[row.kind] if row.kind else None
        business.purpose, business.target = row.purpose, row.target
        business.output_name, business.output_unit = row.output_name, row.output_unit
        business.active = True
        rows.append((business, row))
    if added:
        Business.objects.bulk_create(added)
        if any(b.pk is None for b in added):  # a database that returns no ids on insert
            ids = dict(
                Business.objects.filter(
                    organization=organization, code__in=[b.code for b in added]
                ).values_list("code", "pk")
            )
            for b in added:
                b.pk = ids[b.code]
    if changed:
        Business.objects.bulk_update(changed, BUSINESS_FIELDS)
        BusinessNode.objects.filter(business__in=changed).delete()
    BusinessNode.objects.bulk_create(
        BusinessNode(business=business, node_id=node_id, order=i)
        for business, row in rows
        for i, node_id in enumerate(row.nodes, 1)
    )
    _write_years(rows, changed)
    order = plan.order
    moved = [
        b
        for b in Business.objects.filter(pk__in=order).only("pk", "order")
        if b.order != order[b.pk]
    ]
    for b in moved:
        b.order = order[b.pk]
    if moved:
        Business.objects.bulk_update(moved, ["order"])
    if plan.rate is not None:
        settings = RegisterSettings.of(organization)
        RegisterSettings.objects.filter(pk=settings.pk).update(
            staff_rate=plan.rate, version=F("version") + 1
        )


# What a row of the file sets on a business (apply_register).
BUSINESS_FIELDS = [
    "name",
    "department",
    "kind",
    "purpose",
    "target",
    "output_name",
    "output_unit",
    "active",
]


def _bump(changes: list[Change]) -> None:
    """Raise the versions of the businesses the plan changes (two statements, whatever their
    number); StaleVersion when any of them was changed since the plan was made."""
    if not changes:
        return
    ids = [c.business_id for c in changes]
    now = dict(Business.objects.select_for_update().filter(pk__in=ids).values_list("pk", "version"))
    if any(now.get(c.business_id) != c.version for c in changes):
        raise services.StaleVersion(services.stale_message())
    Business.objects.filter(pk__in=ids).update(version=F("version") + 1)


def _write_years(rows: list[tuple[Business, Row]], changed: list[Business]) -> None:
    stored = (
        {
            (y.business_id, y.fiscal_year): y
            for y in BusinessYear.objects.filter(business__in=changed)
        }
        if changed
        else {}
    )
    new: list[BusinessYear] = []
    updated: list[BusinessYear] = []
    removed: list[int] = []
    for business, row in rows:
        for fy, values in row.years.items():
            figures = {
                f: (Decimal(values[f]) if values.get(f) is not None else None) for f in FIELDS
            }
            year = stored.get((business.pk, fy))
            if year is None:
                if any(v is not None for v in figures.values()):
                    new.append(BusinessYear(business=business, fiscal_year=fy, **figures))
                continue
            if all(getattr(year, f) == v for f, v in figures.items()):
                continue
            for f, v in figures.items():
                setattr(year, f, v)
            if any(v is not None for v in figures.values()) or year.direction:
                updated.append(year)
            else:
                removed.append(year.pk)
    if new:
        BusinessYear.objects.bulk_create(new)
    if updated:
        BusinessYear.objects.bulk_update(updated, list(FIELDS))
    if removed:
        BusinessYear.objects.filter(pk__in=removed).delete()
