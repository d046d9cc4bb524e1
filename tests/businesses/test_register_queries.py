"""The register list and a business page read a fixed number of queries, however large the
register (paperless-ngx style: count on the demo data, add data, count again)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shinchoku.businesses.models import Business, BusinessNode, BusinessYear
from shinchoku.orgs.models import Department
from shinchoku.plans.models import BusinessKind, Node
from tests.businesses.register_setup import download, edited, load_register, upload
from tests.conftest import COUNCIL, login_client
from tests.plans.test_query_counts import ITEM_PAGE
from tests.query_counts import ACTION, SIZES, sized

# Session and user (2), membership with its departments and the organization (2); the page's
# departments, kinds, businesses with the register's staff rate, their years (2); the layout's
# notifications and menu (2).
REGISTER_LIST = 6
# The same frame; the business with the staff rate, its years, items and evaluations.
BUSINESS_PAGE = 6
# An upload of the register (the preview): session and user (2); the upload's audit record (1,
# with its savepoint and release in a test's transaction: 3); the departments' and kinds' names
# with the saved staff rate (1); the organization's items (1); the businesses with their
# department and kind, their years and items (3); the expired uploads removed and this one
# kept to confirm (2).
REGISTER_UPLOAD = 12
# Applying one with every kind of change (below): one statement per table and kind of write,
# whatever the number of businesses (issue 16; it was several per business: 266 and 606).
# Session and user (2); the pending upload (1); the changes made again as the preview made them
# (5); in the transaction (its savepoint and release in a test: 2), the kinds (1), the versions
# checked and raised (2), the ended marked (1), the changed read (1), the last place (1), the
# added inserted (1), the changed updated (1), their items replaced (4, with the plans whose
# version the change raises), the years read, updated and inserted (3), the places read and
# updated (2); the upload removed (1) and the audit record (3).
REGISTER_APPLY = 31


def grow_register(organization) -> None:
    """Forty more businesses in every department, each with five years and two items."""
    departments = list(Department.objects.filter(organization=organization))
    kind = BusinessKind.objects.create(organization=organization, name="増えた種別")
    nodes = list(Node.objects.filter(plan__organization=organization)[:2])
    for i in range(40):
        business = Business.objects.create(
            organization=organization,
            code=f"G-{i}",
            name=f"増えた事業{i}",
            department=departments[i % len(departments)],
            kind=kind,
            order=100 + i,
            active=i % 7 != 0,
        )
        for n, node in enumerate(nodes):
            BusinessNode.objects.create(business=business, node=node, order=n)
        for fy in range(2017, 2022):
            BusinessYear.objects.create(
                business=business,
                fiscal_year=fy,
                budget=Decimal(1000 + i),
                settlement=Decimal(900 + i),
                staff_years=Decimal("0.5"),
                output=Decimal(10 + i),
                direction="継続" if fy == 2020 else "",
            )


@pytest.fixture(params=SIZES)
def size(request, db):
    plan = sized(request.param)
    register = load_register()
    if request.param == "large":
        grow_register(plan.organization)
    return register


def test_the_register_list_reads_a_fixed_number_of_queries(size, django_assert_num_queries):
    client = login_client("reg-reader", role="viewer")
    url = reverse("businesses:register", args=[COUNCIL])
    client.get(url)  # per-process caches filled once
    with django_assert_num_queries(REGISTER_LIST):
        assert client.get(url).status_code == 200


def test_a_business_page_reads_a_fixed_number_of_queries(size, django_assert_num_queries):
    client = login_client("reg-reader", role="viewer")
    url = reverse("businesses:business", args=[COUNCIL, size[0].pk])
    client.get(url)
    with django_assert_num_queries(BUSINESS_PAGE):
        assert client.get(url).status_code == 200


def test_the_item_page_with_its_businesses_reads_the_pinned_number(size, django_assert_num_queries):
    client = login_client("reg-reader", superuser=True)
    node = size[0].nodes.get()
    url = reverse("plans:node", args=[ACTION, node.key])
    client.get(url)
    with django_assert_num_queries(ITEM_PAGE):
        response = client.get(url)
    assert size[0].name in response.content.decode()


def test_a_register_upload_is_previewed_in_a_fixed_number_of_queries(
    size, django_assert_num_queries
):
    client = login_client("reg-admin", role="admin")
    data = edited(download(client), {("事務事業", "B3"): "改めた事業名"})
    upload(client, data)  # per-process caches filled once
    with django_assert_num_queries(REGISTER_UPLOAD):
        response = upload(client, data)
    assert response.status_code == 200
    assert response.context["pending"] is not None and "改めた事業名" in response.content.decode()


def test_a_register_with_every_business_changed_is_applied_in_a_fixed_number_of_queries(
    size, django_assert_num_queries
):
    """Every kind of write at once: every business renamed with a budget, the first moved to the
    end, one ended and one added."""
    import io

    from openpyxl import load_workbook

    client = login_client("reg-admin", role="admin")
    wb = load_workbook(io.BytesIO(download(client)))
    ws = wb["事務事業"]
    budget = next(c.column for c in ws[2] if "予算" in str(c.value or ""))
    for row in ws.iter_rows(min_row=3):
        if row[0].value:
            row[1].value = f"{row[1].value}（改）"
            row[budget - 1].value = 1234
    first = [c.value for c in ws[3]]
    ws.delete_rows(3, 2)  # the first moves to the end, the second ends
    ws.append(first)
    added = ["新-1", "新しい事業", first[2]] + [None] * (budget - 4) + [99]
    ws.append(added)
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, out.getvalue())
    assert response.status_code == 200, response.context["problems"]
    plan = response.context["plan"]
    assert (len(plan.added), len(plan.ended)) == (1, 1)
    token = response.context["pending"].token
    url = reverse("businesses:register_apply", args=[COUNCIL, token])
    with django_assert_num_queries(REGISTER_APPLY):
        assert client.post(url).status_code == 302
    active = Business.objects.filter(organization__slug=COUNCIL, active=True)
    assert active.count() == len(plan.changed) + 1
    assert all(b.name.endswith("（改）") for b in active.exclude(code="新-1"))
    assert list(active.order_by("order").values_list("code", flat=True))[-2:] == [first[0], "新-1"]
    assert BusinessYear.objects.get(business__code="新-1").budget == Decimal(99)
