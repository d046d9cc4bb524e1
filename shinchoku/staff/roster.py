"""The staff list (職員名簿) as a workbook: download it, upload it back, preview, apply.

An upload is read and checked completely before anything is written; every problem names its
sheet and cell and says what to do. A clean file gives a plan (who is added, changed,
deactivated); it is applied in one transaction when the 管理者 confirms, after checking it again
against what is stored then. People not in the file are left as they are.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from shinchoku.accounts.models import Membership, Role
from shinchoku.core.roster import (
    ACTIVE,
    INACTIVE,
    ROLE_LABELS,
    parse_role,
    parse_state,
    split_departments,
)
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.xlsx_cells import opened_cells
from shinchoku.plans.xlsx_guard import WorkbookFault, opened
from shinchoku.staff import services

User = get_user_model()

SHEET = "職員名簿"
DEPARTMENT_SHEET = "部署一覧"
HEADERS = ("氏名", "ログインID", "メールアドレス", "役割", "部署", "状態")
MAX_PEOPLE = 2000


def write_roster(organization: Organization) -> bytes:
    """The organization's people now, one row each, with the headers the upload expects."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    members = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("departments")
        .order_by("user__username")
    )
    for m in members:
        ws.append(
            [
                m.user.get_full_name(),
                m.user.get_username(),
                m.user.email,
                ROLE_LABELS.get(m.role, m.role),
                "、".join(d.name for d in m.departments.all()),
                ACTIVE if m.user.is_active else INACTIVE,
            ]
        )
    for column, width in zip("ABCDEF", (18, 24, 32, 12, 36, 8), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    # For reference: the names the 部署 column accepts and the roles (not read back).
    ref = wb.create_sheet(DEPARTMENT_SHEET)
    ref.append(["部署", "上位の課", "", "役割"])
    for cell in ref[1]:
        cell.font, cell.fill = bold, fill
    departments = list(
        Department.objects.filter(organization=organization).select_related("parent")
    )
    labels = list(ROLE_LABELS.values())
    for i in range(max(len(departments), len(labels))):
        d = departments[i] if i < len(departments) else None
        ref.append(
            [
                d.name if d else None,
                d.parent.name if d and d.parent_id else None,
                None,
                labels[i] if i < len(labels) else None,
            ]
        )
    ref.column_dimensions["A"].width = 28
    ref.column_dimensions["B"].width = 20
    ref.column_dimensions["D"].width = 12
    roles = DataValidation(type="list", formula1='"' + ",".join(ROLE_LABELS.values()) + '"')
    states = DataValidation(type="list", formula1=f'"{ACTIVE},{INACTIVE}"')
    ws.add_data_validation(roles)
    ws.add_data_validation(states)
    roles.add(f"D2:D{MAX_PEOPLE + 1}")
    states.add(f"F2:F{MAX_PEOPLE + 1}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class Row:
    """One person as the file says, with where each value stands."""

    number: int
    name: str
    username: str
    email: str
    role: str
    departments: list[int]
    active: bool


@dataclass
class Change:
    kind: str  # "added" / "changed" / "deactivated" / "reactivated"
    row: Row
    user_id: int | None = None
    version: int | None = None
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)


@dataclass
class RosterPlan:
    problems: list[CellProblem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    absent: list[str] = field(default_factory=list)  # names of people not in the file

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def added(self) -> list[Change]:
        return self.of("added")

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "added"]

    def digest(self) -> str:
        """What the plan would do, so a confirm can tell that it still does the same."""
        data = [(c.kind, c.user_id, c.version, c.fields, c.row.__dict__) for c in self.changes]
        return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def _text(values: dict[int, tuple[Any, str]], column: int) -> str:
    value = values.get(column, (None, ""))[0]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes, *, lean: bool = True) -> tuple[list[dict], list[CellProblem]]:
    """The raw text of every filled row, or the problems that stop the file being read.

    Read by the lean cell reader (xlsx_cells, issue 16); `lean=False` reads it with openpyxl, as
    before (the tests compare both)."""
    try:
        with (opened_cells if lean else opened)(data) as wb:
            if SHEET not in wb.sheetnames:
                return [], [
                    CellProblem(
                        "",
                        "",
                        _(
                            "The workbook has no sheet “%(sheet)s”. Download the staff list, "
                            "enter the people there and upload it."
                        )
                        % {"sheet": SHEET},
                    )
                ]
            raw: list[dict] = []
            problems: list[CellProblem] = []
            for number, values in wb.rows(SHEET, max_columns=20, max_rows=MAX_PEOPLE + 1):
                texts = [_text(values, c) for c in range(1, 7)]
                if number == 1:
                    for column, (got, want) in enumerate(zip(texts, HEADERS, strict=True)):
                        if got != want:
                            problems.append(
                                CellProblem(
                                    SHEET,
                                    f"{'ABCDEF'[column]}1",
                                    _(
                                        "The heading must be “%(want)s”. Use the downloaded "
                                        "staff list without changing its first row."
                                    )
                                    % {"want": want},
                                )
                            )
                    continue
                if any(texts):
                    raw.append({"number": number, "cells": texts})
            return raw, problems
    except WorkbookFault as exc:
        return [], [CellProblem(exc.sheet, exc.cell, exc.message)]


def plan_roster(organization: Organization, raw: list[dict], by) -> RosterPlan:
    """Check every row against the file and the database; what applying would change."""
    plan = RosterPlan()
    problems = plan.problems
    members = {
        m.user.username.lower(): m
        for m in Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("departments")
    }
    departments = {d.name: d for d in Department.objects.filter(organization=organization)}
    seen_login: dict[str, str] = {}
    seen_email: dict[str, str] = {}
    rows: list[tuple[Row, Membership | None]] = []

    def problem(column: str, number: int, message: str) -> None:
        problems.append(CellProblem(SHEET, f"{column}{number}", message))

    for item in raw:
        n = item["number"]
        name, username, email, role_text, dept_text, state = item["cells"]
        bad = len(problems)
        if not name:
            problem("A", n, _("Enter the person's name."))
        elif len(name) > 150:
            problem("A", n, _("The name is too long: 150 characters at most."))
        email_ok = False
        if not email:
            if not username or username.lower() not in members:  # a new person
                problem("C", n, _("Enter the e-mail address: the invitation is sent there."))
        else:
            try:
                validate_email(email)
                email_ok = True
            except ValidationError:
                problem(
                    "C",
                    n,
                    _("“%(value)s” is not a valid e-mail address. Enter it as name@example.jp.")
                    % {"value": email},
                )
        if not username and email_ok:
            username = services.default_username(email)
        member = members.get(username.lower()) if username else None
        if username:
            key = username.lower()
            if key in seen_login:
                problem(
                    "B",
                    n,
                    _(
                        "The login ID “%(value)s” is also in cell %(cell)s. Each person needs "
                        "a login ID of their own: correct one of them."
                    )
                    % {"value": username, "cell": seen_login[key]},
                )
            else:
                seen_login[key] = f"B{n}"
                if member is None:
                    message = services.username_problem(username)
                    if message:
                        problem("B", n, message)
        if email_ok:
            key = email.lower()
            if key in seen_email:
                problem(
                    "C",
                    n,
                    _(
                        "The e-mail address “%(value)s” is also in cell %(cell)s. Each person "
                        "needs an address of their own: correct one of them."
                    )
                    % {"value": email, "cell": seen_email[key]},
                )
            else:
                seen_email[key] = f"C{n}"
                message = services.email_problem(
                    email, except_user_id=member.user_id if member else None
                )
                if message:
                    problem("C", n, message)
        role = parse_role(role_text)
        if role is None:
            if not role_text and member is not None:
                role = member.role
            else:
                problem(
                    "D",
                    n,
                    (
                        _("“%(value)s” is not a role.") % {"value": role_text}
                        if role_text
                        else _("Enter the role.")
                    )
                    + " "
                    + _("Choose one of: %(roles)s.") % {"roles": "、".join(ROLE_LABELS.values())},
                )
        dept_ids = []
        unknown = []
        for dept_name in split_departments(dept_text):
            if dept_name in departments:
                dept_ids.append(departments[dept_name].pk)
            else:
                unknown.append(dept_name)
        if unknown:
            problem(
                "E",
                n,
                _(
                    "No department is called %(names)s in this organization. Write the names "
                    "exactly as in the list of departments, separated by “、”."
                )
                % {"names": "、".join(f"「{u}」" for u in unknown)},
            )
        active = parse_state(state)
        if active is None:
            problem(
                "F",
                n,
                _("Write “%(active)s” or “%(inactive)s” (or leave the cell empty for %(active)s).")
                % {"active": ACTIVE, "inactive": INACTIVE},
            )
            active = True
        if len(problems) == bad:
            row = Row(n, name, username, email, role, sorted(set(dept_ids)), active)
            rows.append((row, member))

    if problems:
        return plan
    acting = getattr(by, "pk", None)
    is_operator = bool(getattr(by, "is_superuser", False))
    in_file = set()
    for row, member in rows:
        if member is None:
            plan.changes.append(Change("added", row))
            continue
        in_file.add(member.pk)
        user = member.user
        fields = []
        role_names = dict(Role.choices)
        dept_names = {d.pk: d.name for d in departments.values()}
        for label, before, after in (
            (pgettext("person", "Name"), user.get_full_name(), row.name),
            (_("Login ID"), user.username, row.username),
            (_("E-mail"), user.email, row.email),
            (_("Role"), str(role_names.get(member.role, "")), str(role_names.get(row.role, ""))),
            (
                _("Departments"),
                "、".join(d.name for d in member.departments.all()),
                "、".join(dept_names[i] for i in row.departments),
            ),
        ):
            if before != after:
                fields.append((str(label), before, after))
        if member.user_id == acting and not is_operator:
            if not row.active:
                problem("F", row.number, _("You cannot deactivate yourself."))
            elif member.role == Role.ADMIN and row.role != Role.ADMIN:
                problem(
                    "D",
                    row.number,
                    _(
                        "You cannot take away your own administrator role. Ask another "
                        "administrator."
                    ),
                )
        if user.is_active and not row.active:
            kind = "deactivated"
        elif not user.is_active and row.active:
            kind = "reactivated"
        elif fields:
            kind = "changed"
        else:
            plan.unchanged += 1
            continue
        plan.changes.append(Change(kind, row, member.user_id, member.version, fields))
    plan.absent = sorted(
        m.user.get_full_name() or m.user.username
        for m in members.values()
        if m.pk not in in_file and m.user.is_active
    )
    # After the change, at least one active 管理者 must remain.
    admins = {m.user_id for m in members.values() if m.role == Role.ADMIN and m.user.is_active}
    for change in plan.changes:
        if change.user_id is None:
            continue
        if change.row.role == Role.ADMIN and change.row.active:
            admins.add(change.user_id)
        else:
            admins.discard(change.user_id)
    if not admins and not any(
        c.user_id is None and c.row.role == Role.ADMIN and c.row.active for c in plan.changes
    ):
        problems.append(
            CellProblem(
                SHEET,
                "",
                _(
                    "After this change the organization would have no active administrator. "
                    "Keep at least one person with the role 管理者 and the state 在職."
                ),
            )
        )
    if problems:
        plan.changes = []
    return plan


@transaction.atomic
def apply_roster(
    organization: Organization,
    plan: RosterPlan,
    by,
    base_url: str | None = None,
    request=None,
) -> None:
    """Write the plan, all or nothing; invitations go out after the commit."""
    departments = {d.pk: d for d in Department.objects.filter(organization=organization)}
    members = {
        m.user_id: m
        for m in Membership.objects.filter(organization=organization).select_related("user")
    }
    # New and returning people first and deactivations last, so that an administrator remains
    # at every step (the plan already checked the end state).
    order = {"added": 0, "reactivated": 1, "changed": 2, "deactivated": 3}
    for change in sorted(plan.changes, key=lambda c: order[c.kind]):
        row = change.row
        data = services.PersonData(
            row.name, row.email, row.username, row.role, [departments[i] for i in row.departments]
        )
        if change.user_id is None:
            services.add_person(organization, data, base_url=base_url, by=by, request=request)
            continue
        member = members[change.user_id]
        if not row.active and member.user.is_active:
            services.set_active(member, False, version=change.version, by=by, request=request)
            member.refresh_from_db()
            change_version = member.version
        else:
            change_version = change.version
        if change.fields:
            services.update_person(member, data, version=change_version, by=by, request=request)
            member.refresh_from_db()
        if row.active and not member.user.is_active:
            services.set_active(member, True, version=member.version, by=by, request=request)
