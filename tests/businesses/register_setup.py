"""Helpers of the register tests: the demo council's register, people of each role, snapshots."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.businesses import demo_register
from shinchoku.businesses.models import Business, BusinessNode, BusinessYear, RegisterSettings
from shinchoku.plans.models import BusinessKind
from tests.conftest import CITY_ORG, COUNCIL, login_client

DEPT = "福祉支援課"


def load_register() -> list[Business]:
    return demo_register.load()


def clients() -> dict:
    """A client per role of the council, an outsider (the city's 管理者) and an anonymous one."""
    from django.test import Client

    return {
        "admin": login_client("reg-admin", role="admin"),
        "staff": login_client("reg-staff", role="staff", departments=(DEPT,)),
        "other_staff": login_client("reg-other", role="staff", departments=("総務課",)),
        "approver": login_client("reg-chief", role="approver", departments=(DEPT,)),
        "viewer": login_client("reg-viewer", role="viewer"),
        "outsider": login_client("reg-outsider", role="admin", org_slug=CITY_ORG),
        "anonymous": Client(),
    }


def snapshot(org_slug: str = COUNCIL) -> list:
    """Everything the register stores for the organization, to compare before and after."""
    businesses = [
        (
            b.code,
            b.name,
            b.department_id,
            b.kind_id,
            b.purpose,
            b.target,
            b.output_name,
            b.output_unit,
            b.active,
            b.version,
            b.order,
        )
        for b in Business.objects.filter(organization__slug=org_slug).order_by("code")
    ]
    years = list(
        BusinessYear.objects.filter(business__organization__slug=org_slug)
        .order_by("business_id", "fiscal_year")
        .values_list("business_id", "fiscal_year", "budget", "settlement", "staff_years", "output")
    )
    nodes = list(
        BusinessNode.objects.filter(business__organization__slug=org_slug)
        .order_by("business_id", "order")
        .values_list("business_id", "node_id", "order")
    )
    kinds = sorted(
        BusinessKind.objects.filter(organization__slug=org_slug).values_list("name", flat=True)
    )
    settings = list(
        RegisterSettings.objects.filter(organization__slug=org_slug).values_list(
            "staff_rate", "version"
        )
    )
    return [businesses, years, nodes, kinds, settings]


def download(client, org_slug: str = COUNCIL) -> bytes:
    response = client.get(reverse("businesses:register_xlsx", args=[org_slug]))
    assert response.status_code == 200
    return response.content


def edited(data: bytes, edits: dict[tuple[str, str], object], delete_rows=()) -> bytes:
    """The workbook with cells set ((sheet, "A1") → value) and rows of 事務事業 deleted."""
    wb = load_workbook(io.BytesIO(data))
    for (sheet, ref), value in edits.items():
        wb[sheet][ref] = value
    for row in sorted(delete_rows, reverse=True):
        wb["事務事業"].delete_rows(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, org_slug: str = COUNCIL, name: str = "台帳.xlsx"):
    return client.post(
        reverse("businesses:register_upload", args=[org_slug]),
        {"file": SimpleUploadedFile(name, data)},
    )


def apply(client, response, org_slug: str = COUNCIL):
    token = response.context["pending"].token
    return client.post(reverse("businesses:register_apply", args=[org_slug, token]))
