"""The rotation pages: every member reads the cycle, the 管理者 proposes, saves and moves.

A proposal is shown first and saved on confirmation (its version checked); a move that would
evaluate a business within three years of its last evaluation is refused with a message naming
the business and the first year it may go to; nothing is stored when a step is refused.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.businesses import rotation as services
from shinchoku.businesses.models import EvaluationRound, Rotation, RotationSlot
from shinchoku.core.rotation import is_balanced
from shinchoku.orgs.models import Organization
from tests.businesses.rotation_data import council_businesses, evaluated_in, make_businesses
from tests.conftest import CITY_ORG, COUNCIL, login_client

FY = 2020


@pytest.fixture
def businesses(db):
    return council_businesses()


@pytest.fixture
def admin(db) -> Client:
    return login_client("rot-admin", role="admin")


def role_client(who: str) -> Client:
    if who == "anonymous":
        return Client()
    if who == "outsider":
        return login_client("rot-outsider", role="admin", org_slug=CITY_ORG)
    if who == "staff_other":
        return login_client("rot-staff-other", role="staff", departments=("福祉支援課",))
    departments = ("総務課",) if who in ("staff", "approver") else ()
    return login_client(f"rot-{who}", role=who, departments=departments)


def organization() -> Organization:
    return Organization.objects.get(slug=COUNCIL)


def saved(admin: Client, first_fy: int = FY) -> Rotation:
    """The proposal for the cycle, saved through its page."""
    page = admin.get(reverse("businesses:rotation_propose", args=[COUNCIL]), {"first_fy": first_fy})
    assert page.status_code == 200
    proposal = services.propose(organization(), first_fy)
    data = {"first_fy": first_fy, "version": proposal.version}
    data.update({f"slot-{pk}": fy for pk, fy in proposal.assignment.items()})
    response = admin.post(reverse("businesses:rotation_propose", args=[COUNCIL]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Rotation.objects.get(organization__slug=COUNCIL, first_fy=first_fy)


def slots(rotation: Rotation) -> dict[int, int]:
    return dict(rotation.slots.values_list("business_id", "fiscal_year"))


def move_url(rotation: Rotation) -> str:
    return reverse("businesses:rotation_move", args=[COUNCIL, rotation.first_fy])


# --------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize(
    ("who", "status", "may_edit"),
    [
        ("admin", 200, True),
        ("staff", 200, False),
        ("staff_other", 200, False),
        ("approver", 200, False),
        ("viewer", 200, False),
        ("outsider", 404, False),
        ("anonymous", 302, False),
    ],
)
def test_every_member_reads_the_rotation_and_only_the_admin_edits_it(
    businesses, admin, who, status, may_edit
):
    rotation = saved(admin)
    client = admin if who == "admin" else role_client(who)
    for url in (
        reverse("businesses:rotation", args=[COUNCIL]),
        reverse("businesses:rotation_cycle", args=[COUNCIL, FY]),
    ):
        response = client.get(url)
        assert response.status_code == status
        if status == 302:
            assert "/accounts/login/" in response["Location"]
        if status != 200:
            continue
        page = response.content.decode()
        assert "評価ローテーション" in page and "総務課の事業1" in page
        assert ("評価年度を保存" in page) is may_edit
        assert (move_url(rotation) in page) is may_edit
        assert ("ローテーションを提案" in page) is may_edit


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("approver", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_the_admin_proposes_saves_and_moves(businesses, admin, who, status):
    rotation = saved(admin)
    before = slots(rotation)
    client = role_client(who)
    url = reverse("businesses:rotation_propose", args=[COUNCIL])
    assert client.get(url, {"first_fy": 2023}).status_code == status
    assert client.post(url, {"first_fy": 2023, "version": 0}).status_code == status
    b = businesses[0]
    other = 2021 if before[b.pk] != 2021 else 2022
    response = client.post(move_url(rotation), {"version": rotation.version, f"fy-{b.pk}": other})
    assert response.status_code == status
    assert slots(rotation) == before
    assert not Rotation.objects.filter(first_fy=2023).exists()


def test_another_organizations_cycle_is_not_found(businesses, admin):
    saved(admin)
    city_admin = role_client("outsider")
    assert city_admin.get(reverse("businesses:rotation", args=[CITY_ORG])).status_code == 200
    assert (
        city_admin.get(reverse("businesses:rotation_cycle", args=[CITY_ORG, FY])).status_code == 404
    )
    assert admin.get(reverse("businesses:rotation", args=["no-such-org"])).status_code == 404


# --------------------------------------------------------------------------- propose and save


def test_the_proposal_is_shown_first_and_saved_on_confirmation(businesses, admin):
    url = reverse("businesses:rotation_propose", args=[COUNCIL])
    page = admin.get(url, {"first_fy": FY})
    text = page.content.decode()
    assert page.status_code == 200
    assert "令和2年度(2020年度)〜令和4年度(2022年度)" in text
    assert "このローテーションを保存" in text and 'name="version" value="0"' in text
    assert not Rotation.objects.exists()
    rotation = saved(admin)
    placed = slots(rotation)
    assert sorted(placed) == sorted(b.pk for b in businesses)
    for department in ("総務課", "福祉活動推進課", "福祉支援課"):
        years = [placed[b.pk] for b in businesses if b.department.name == department]
        assert sorted(years) == [2020, 2021, 2022]
    page = admin.get(reverse("businesses:rotation", args=[COUNCIL]))
    assert "令和2年度(2020年度)〜令和4年度(2022年度)" in page.content.decode()


def test_the_default_first_year_is_this_year_or_after_the_cycle_that_covers_it(businesses, admin):
    rotations = [Rotation(organization=organization(), first_fy=2025)]
    assert services.default_first_fy([], 2026) == 2026
    assert services.default_first_fy(rotations, 2026) == 2028
    page = admin.get(reverse("businesses:rotation", args=[COUNCIL])).content.decode()
    assert '<option value="2026" selected>令和8年度(2026年度)</option>' in page


def test_saving_again_with_a_stale_version_is_refused(businesses, admin):
    rotation = saved(admin)
    proposal = services.propose(organization(), FY)
    data = {"first_fy": FY, "version": rotation.version - 1}  # the page before the first save
    data.update({f"slot-{pk}": fy for pk, fy in proposal.assignment.items()})
    url = reverse("businesses:rotation_propose", args=[COUNCIL])
    response = admin.post(url, data)
    assert response.status_code == 409
    assert "ほかの人がローテーション" in response.content.decode()
    assert Rotation.objects.get(pk=rotation.pk).version == rotation.version
    data["version"] = rotation.version
    assert admin.post(url, data).status_code == 302
    assert Rotation.objects.get(pk=rotation.pk).version == rotation.version + 1


def test_a_proposal_made_before_the_register_changed_is_not_saved(businesses, admin):
    proposal = services.propose(organization(), FY)
    make_businesses(COUNCIL, {"総務課": 1}, prefix="NEW")
    data = {"first_fy": FY, "version": 0}
    data.update({f"slot-{pk}": fy for pk, fy in proposal.assignment.items()})
    response = admin.post(reverse("businesses:rotation_propose", args=[COUNCIL]), data)
    assert response.status_code == 409
    assert "提案をもう一度" in response.content.decode()
    assert not Rotation.objects.exists()


def test_a_tampered_year_is_refused(businesses, admin):
    proposal = services.propose(organization(), FY)
    data = {"first_fy": FY, "version": 0}
    data.update({f"slot-{pk}": fy for pk, fy in proposal.assignment.items()})
    data[f"slot-{businesses[0].pk}"] = "2030"
    response = admin.post(reverse("businesses:rotation_propose", args=[COUNCIL]), data)
    assert response.status_code == 422
    assert f"「{businesses[0].code} {businesses[0].name}」" in response.content.decode()
    assert not Rotation.objects.exists()


def test_an_overlapping_cycle_cannot_be_proposed(businesses, admin):
    saved(admin)
    url = reverse("businesses:rotation_propose", args=[COUNCIL])
    page = admin.get(url, {"first_fy": 2021}).content.decode()
    assert "重なっています" in page and "このローテーションを保存" not in page
    proposal = services.propose(organization(), 2021)
    data = {"first_fy": 2021, "version": 0}
    data.update({f"slot-{pk}": fy for pk, fy in proposal.assignment.items()})
    assert admin.post(url, data).status_code == 422
    assert not Rotation.objects.filter(first_fy=2021).exists()


def test_the_next_cycle_keeps_three_years_after_the_last_evaluation(businesses, admin):
    rotation = saved(admin)
    for b in businesses:
        evaluated_in(b, slots(rotation)[b.pk])
    nxt = saved(admin, 2023)
    assert {pk: fy - 3 for pk, fy in slots(nxt).items()} == slots(rotation)


def test_a_cycle_whose_round_started_is_not_proposed_again(businesses, admin):
    saved(admin)
    EvaluationRound.objects.create(organization=organization(), fiscal_year=2021)
    page = admin.get(
        reverse("businesses:rotation_propose", args=[COUNCIL]), {"first_fy": FY}
    ).content.decode()
    assert "すでに始まっている" in page and "このローテーションを保存" not in page


# --------------------------------------------------------------------------- moves


def test_the_admin_moves_a_business_to_another_year(businesses, admin):
    rotation = saved(admin)
    b = businesses[0]
    target = 2022 if slots(rotation)[b.pk] != 2022 else 2021
    response = admin.post(move_url(rotation), {"version": rotation.version, f"fy-{b.pk}": target})
    assert response.status_code == 302
    assert slots(rotation)[b.pk] == target
    assert Rotation.objects.get(pk=rotation.pk).version == rotation.version + 1
    page = admin.get(response["Location"]).content.decode()
    assert "1件の事務事業を移しました。" in page
    # the department is no longer spread evenly: the page says so
    assert "均等ではありません" in page


def test_a_move_with_a_stale_version_is_refused(businesses, admin):
    rotation = saved(admin)
    a, b = businesses[0], businesses[1]
    before = slots(rotation)
    other = {2020: 2021, 2021: 2022, 2022: 2020}
    first = admin.post(
        move_url(rotation), {"version": rotation.version, f"fy-{a.pk}": other[before[a.pk]]}
    )
    assert first.status_code == 302
    response = admin.post(
        move_url(rotation), {"version": rotation.version, f"fy-{b.pk}": other[before[b.pk]]}
    )
    assert response.status_code == 409
    assert "ほかの人がローテーション" in response.content.decode()
    assert slots(rotation)[b.pk] == before[b.pk]


def test_a_move_within_three_years_of_the_last_evaluation_is_refused_with_its_reason(
    businesses, admin
):
    b = businesses[0]
    evaluated_in(b, 2019)
    rotation = saved(admin)
    assert slots(rotation)[b.pk] == 2022  # the proposal kept the distance
    before = slots(rotation)
    c = businesses[1]
    response = admin.post(
        move_url(rotation),
        {
            "version": rotation.version,
            f"fy-{c.pk}": {2020: 2021, 2021: 2022, 2022: 2020}[before[c.pk]],
            f"fy-{b.pk}": 2021,
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    expected = (
        f"「{b.code} {b.name}」は令和元年度(2019年度)に評価したため、"
        "令和3年度(2021年度)に再び評価することはできません（3年以内）。"
        "令和4年度(2022年度)以降を選んでください。"
    )
    assert expected in page
    assert f'href="#move-fy-{b.pk}"' in page  # the summary leads to the row's field
    assert slots(rotation) == before  # the other move was not stored either
    assert Rotation.objects.get(pk=rotation.pk).version == rotation.version


def test_a_business_of_a_started_round_stays_in_its_year(businesses, admin):
    rotation = saved(admin)
    placed = slots(rotation)
    in_2020 = next(b for b in businesses if placed[b.pk] == 2020)
    in_2021 = next(b for b in businesses if placed[b.pk] == 2021)
    EvaluationRound.objects.create(organization=organization(), fiscal_year=2020)
    page = admin.get(reverse("businesses:rotation_cycle", args=[COUNCIL, FY])).content.decode()
    assert "評価を開始済み" in page
    for b, target in ((in_2020, 2022), (in_2021, 2020)):
        response = admin.post(
            move_url(rotation), {"version": rotation.version, f"fy-{b.pk}": target}
        )
        assert response.status_code == 422
        assert "すでに始まっているため移せません" in response.content.decode()
    assert slots(rotation) == placed


def test_a_new_business_is_listed_as_not_assigned_and_can_be_placed(businesses, admin):
    rotation = saved(admin)
    (new,) = make_businesses(COUNCIL, {"総務課": 1}, prefix="NEW")
    page = admin.get(reverse("businesses:rotation", args=[COUNCIL])).content.decode()
    assert "未割当" in page and new.name in page
    assert f'name="fy-{new.pk}"' in page
    viewer_page = role_client("viewer").get(reverse("businesses:rotation", args=[COUNCIL]))
    assert "未割当" in viewer_page.content.decode()
    response = admin.post(move_url(rotation), {"version": rotation.version, f"fy-{new.pk}": 2021})
    assert response.status_code == 302
    assert slots(rotation)[new.pk] == 2021


def test_an_ended_business_is_not_shown_or_proposed(businesses, admin):
    ended = businesses[0]
    ended.active = False
    ended.save()
    rotation = saved(admin)
    assert ended.pk not in slots(rotation)
    page = admin.get(reverse("businesses:rotation", args=[COUNCIL])).content.decode()
    assert ended.name not in page


def test_the_rotation_works_for_the_other_shape_council(db):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from shinchoku.plans.models import PendingUpload

    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    midori = login_client("rot-midori", role="admin", org_slug="midori-shakyo")
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
    upload = {"file": SimpleUploadedFile("みどり計画.xlsx", fixture.read_bytes())}
    assert midori.post(reverse("plans:workbook_upload"), upload).status_code == 200
    token = PendingUpload.objects.get(user=midori.user).token
    assert midori.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    org = Organization.objects.get(slug="midori-shakyo")
    names = list(org.departments.order_by("order", "id").values_list("name", flat=True))[:3]
    made = make_businesses("midori-shakyo", {name: 2 for name in names}, prefix="M")
    url = reverse("businesses:rotation_propose", args=["midori-shakyo"])
    page = midori.get(url, {"first_fy": 2024})
    assert page.status_code == 200 and "令和6年度(2024年度)" in page.content.decode()
    proposal = services.propose(org, 2024)
    data = {"first_fy": 2024, "version": 0}
    data.update({f"slot-{pk}": fy for pk, fy in proposal.assignment.items()})
    assert midori.post(url, data).status_code == 302
    rotation = Rotation.objects.get(organization=org)
    years = list(
        RotationSlot.objects.filter(rotation=rotation).values_list("fiscal_year", flat=True)
    )
    assert len(years) == len(made) and is_balanced([years.count(y) for y in (2024, 2025, 2026)])
    page = midori.get(reverse("businesses:rotation", args=["midori-shakyo"])).content.decode()
    assert made[0].name in page


def test_a_year_that_is_not_one_of_the_cycle_is_refused_where_it_was_chosen(businesses, admin):
    rotation = saved(admin)
    before = slots(rotation)
    b = businesses[2]
    for value in ("abc", "2019", "2023"):
        response = admin.post(
            move_url(rotation), {"version": rotation.version, f"fy-{b.pk}": value}
        )
        assert response.status_code == 422
        page = response.content.decode()
        assert (
            f"「{b.code} {b.name}」：令和2年度(2020年度)〜令和4年度(2022年度)のいずれかの年度"
            in page
        )
        assert f'href="#move-fy-{b.pk}"' in page
    assert slots(rotation) == before


def test_the_services_refuse_a_user_who_is_not_the_admin(businesses, admin):
    rotation = saved(admin)
    rotation.organization = organization()
    staff = role_client("staff").user
    proposal = services.propose(organization(), 2023)
    with pytest.raises(services.RotationDenied):
        services.save_proposal(organization(), 2023, proposal.assignment, user=staff, version=0)
    b = businesses[0]
    with pytest.raises(services.RotationDenied):
        services.move(rotation, {b.pk: 2022}, user=staff, version=rotation.version)
    assert not Rotation.objects.filter(first_fy=2023).exists()
    assert Rotation.objects.get(pk=rotation.pk).version == rotation.version
