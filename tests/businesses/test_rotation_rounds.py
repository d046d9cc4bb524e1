"""Evaluation rounds: started from the rotation (one sheet per business of the year, pre-filled
from the register), read by every member, closed by the 管理者 after a confirmation; and the
rotation's progress per department that feeds the plan's indicator 評価事務事業数."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.businesses import rounds as services
from shinchoku.businesses.models import (
    BusinessEvaluation,
    EvaluationRound,
    Rotation,
    RotationSlot,
    Stage,
)
from shinchoku.orgs.models import Organization
from tests.businesses.rotation_data import council_businesses, evaluated_in, figures
from tests.businesses.test_rotation import role_client
from tests.conftest import CITY_ORG, COUNCIL, login_client

FY = 2020


@pytest.fixture
def admin(db) -> Client:
    return login_client("round-admin", role="admin")


@pytest.fixture
def businesses(db):
    return council_businesses()


@pytest.fixture
def rotation(businesses) -> Rotation:
    """FY2020–2022: businesses 0, 3, 6 in 2020 (one per department), 1, 4, 7 in 2021 …"""
    org = Organization.objects.get(slug=COUNCIL)
    rotation = Rotation.objects.create(organization=org, first_fy=FY)
    for i, b in enumerate(businesses):
        RotationSlot.objects.create(rotation=rotation, business=b, fiscal_year=FY + i % 3)
    return rotation


def org() -> Organization:
    return Organization.objects.get(slug=COUNCIL)


def round_url(fy: int = FY) -> str:
    return reverse("businesses:round", args=[COUNCIL, fy])


# --------------------------------------------------------------------------- start_round


def test_start_round_makes_one_self_evaluation_sheet_per_business_of_the_year(
    businesses, rotation, admin
):
    figures(businesses[0], FY - 1, staff_years=Decimal("0.50"))
    figures(businesses[0], FY, budget=Decimal("1300"), settlement=None, output=None)
    figures(businesses[0], FY - 2, budget=Decimal("999"))  # too old: not on the sheet
    round_ = services.start_round(org(), FY, admin.user)
    sheets = list(round_.evaluations.select_related("business").order_by("business__order"))
    assert [s.business for s in sheets] == [businesses[0], businesses[3], businesses[6]]
    assert {s.stage for s in sheets} == {Stage.SELF}
    first = sheets[0]
    assert first.purpose_target == "目的：地域の見守りを広げる\n対象：一人暮らしの高齢者"
    assert first.activity == (
        "令和元年度(2019年度)：予算額 1,200千円、決算額 1,150.5千円、"
        "従事人工 0.5人、訪問件数 30件\n"
        "令和2年度(2020年度)：予算額 1,300千円"
    )
    assert "999" not in first.activity
    assert sheets[1].activity == ""


def test_an_ended_business_gets_no_sheet(businesses, rotation, admin):
    businesses[3].active = False
    businesses[3].save()
    round_ = services.start_round(org(), FY, admin.user)
    assert set(round_.evaluations.values_list("business_id", flat=True)) == {
        businesses[0].pk,
        businesses[6].pk,
    }


def test_a_round_is_started_once(businesses, rotation, admin):
    services.start_round(org(), FY, admin.user)
    with pytest.raises(services.RoundError, match="すでに開始しています"):
        services.start_round(org(), FY, admin.user)
    assert EvaluationRound.objects.filter(organization=org(), fiscal_year=FY).count() == 1
    assert BusinessEvaluation.objects.filter(round__fiscal_year=FY).count() == 3


def test_a_year_no_rotation_covers_has_no_round(businesses, rotation, admin):
    with pytest.raises(services.RoundError, match="含むローテーションがありません"):
        services.start_round(org(), 2023, admin.user)
    assert not EvaluationRound.objects.filter(fiscal_year=2023).exists()


def test_only_the_admin_starts_a_round(businesses, rotation):
    staff = role_client("staff")
    with pytest.raises(services.RoundDenied):
        services.start_round(org(), FY, staff.user)
    assert not EvaluationRound.objects.exists()


# --------------------------------------------------------------------------- start page


def test_the_start_page_says_what_will_happen_and_its_button_starts_the_round(
    businesses, rotation, admin
):
    listing = admin.get(reverse("businesses:round_list", args=[COUNCIL])).content.decode()
    assert "事務事業評価を開始する" in listing
    assert '<option value="2020" selected>令和2年度(2020年度)</option>' in listing
    url = reverse("businesses:round_start", args=[COUNCIL])
    page = admin.get(url, {"fy": FY}).content.decode()
    assert "この操作で行われること" in page
    assert "令和2年度(2020年度)の事務事業評価を開始し" in page and "（3件）" in page
    assert not EvaluationRound.objects.exists()
    response = admin.post(url, {"fy": FY})
    assert response.status_code == 302 and response["Location"] == round_url()
    assert "評価シート3件" in admin.get(response["Location"]).content.decode()
    again = admin.post(url, {"fy": FY})
    assert again.status_code == 422 and "すでに開始しています" in again.content.decode()
    assert EvaluationRound.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("approver", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_the_admin_starts_and_closes(businesses, rotation, admin, who, status):
    client = role_client(who)
    url = reverse("businesses:round_start", args=[COUNCIL])
    assert client.get(url, {"fy": 2021}).status_code == status
    assert client.post(url, {"fy": 2021}).status_code == status
    assert not EvaluationRound.objects.filter(fiscal_year=2021).exists()
    round_ = services.start_round(org(), FY, admin.user)
    close = reverse("businesses:round_close", args=[COUNCIL, FY])
    assert client.get(close).status_code == status
    data = {"version": round_.version, "unfinished_ok": "on"}
    assert client.post(close, data).status_code == status
    assert EvaluationRound.objects.get(pk=round_.pk).status == EvaluationRound.Status.OPEN


# --------------------------------------------------------------------------- the round page


@pytest.fixture
def started(businesses, rotation, admin) -> EvaluationRound:
    """The FY2020 round: 総務課's sheet completed, 福祉活動推進課's at the chief, 福祉支援課's at
    the self-evaluation with a draft judgement."""
    round_ = services.start_round(org(), FY, admin.user)
    sheets = {e.business.department.name: e for e in round_.evaluations.select_related("business")}
    BusinessEvaluation.objects.filter(pk=sheets["総務課"].pk).update(
        stage=Stage.DONE,
        self_judgement="継続",
        chief_judgement="改善・見直し",
        director_judgement="縮小",
    )
    BusinessEvaluation.objects.filter(pk=sheets["福祉活動推進課"].pk).update(
        stage=Stage.CHIEF, self_judgement="拡充"
    )
    BusinessEvaluation.objects.filter(pk=sheets["福祉支援課"].pk).update(self_judgement="廃止")
    return round_


@pytest.mark.parametrize(
    ("who", "status", "drafts"),
    [
        ("admin", 200, {"拡充", "廃止"}),
        ("staff", 200, set()),  # 総務課: its own sheet is completed
        ("staff_other", 200, {"廃止"}),  # 福祉支援課
        ("approver", 200, set()),
        ("viewer", 200, set()),
        ("outsider", 404, None),
        ("anonymous", 302, None),
    ],
)
def test_every_member_reads_the_round_and_drafts_only_where_allowed(
    started, admin, who, status, drafts
):
    client = admin if who == "admin" else role_client(who)
    response = client.get(round_url())
    assert response.status_code == status
    if status != 200:
        return
    page = response.content.decode()
    assert "令和2年度(2020年度)の事務事業評価" in page
    assert "縮小" in page  # the completed sheet's direction, for everyone
    shown = {j for j in ("拡充", "廃止") if f"<td>{j}</td>" in page}
    assert shown == drafts
    assert ("事務事業評価を締め切る" in page) is (who == "admin")
    listing = client.get(reverse("businesses:round_list", args=[COUNCIL])).content.decode()
    assert "3件中1件" in listing


def test_the_round_page_links_each_sheet_and_counts_per_department(started, admin):
    page = admin.get(round_url()).content.decode()
    for e in started.evaluations.all():
        assert f'href="/businesses/{COUNCIL}/evaluations/2020/{e.pk}/"' in page
        assert (
            services.sheet_url(COUNCIL, FY, e.pk)
            == f"/businesses/{COUNCIL}/evaluations/2020/{e.pk}/"
        )
    assert page.count("1件中1件") == 1 and page.count("1件中0件") == 2
    # the cycle so far: each department has 3 businesses in the cycle, 総務課 one done
    assert (
        page.count("3件中1件") >= 1
        and "サイクル（令和2年度〜令和4年度）の9件中1件を評価済み" in page
    )


def test_the_round_page_filters_by_department_and_stage(started, admin, businesses):
    department = businesses[0].department
    page = admin.get(round_url(), {"department": department.pk}).content.decode()
    assert businesses[0].name in page and businesses[3].name not in page
    page = admin.get(round_url(), {"stage": "chief"}).content.decode()
    assert businesses[3].name in page and businesses[0].name not in page
    page = admin.get(round_url(), {"stage": "done", "department": businesses[3].department_id})
    assert "条件に合う評価シートはありません。" in page.content.decode()


def test_another_organizations_round_is_not_found(started):
    city = role_client("outsider")
    assert city.get(reverse("businesses:round", args=[CITY_ORG, FY])).status_code == 404
    assert city.get(reverse("businesses:round_list", args=[CITY_ORG])).status_code == 200


# --------------------------------------------------------------------------- closing


def test_closing_lists_the_unfinished_sheets_and_needs_their_confirmation(started, admin):
    url = reverse("businesses:round_close", args=[COUNCIL, FY])
    page = admin.get(url).content.decode()
    assert "評価が完了していない事務事業が2件あります" in page
    assert "課長評価" in page and "自己評価" in page
    assert "これらの評価が未完了のまま締め切る" in page
    refused = admin.post(url, {"version": started.version})
    assert (
        refused.status_code == 422 and "未完了のまま締め切ることを確認" in refused.content.decode()
    )
    assert EvaluationRound.objects.get(pk=started.pk).status == EvaluationRound.Status.OPEN
    done = admin.post(url, {"version": started.version, "unfinished_ok": "on"})
    assert done.status_code == 302
    assert EvaluationRound.objects.get(pk=started.pk).status == EvaluationRound.Status.CLOSED
    assert admin.get(url).status_code == 302  # nothing left to confirm


def test_a_round_with_every_sheet_completed_closes_without_more(started, admin):
    started.evaluations.update(stage=Stage.DONE)
    url = reverse("businesses:round_close", args=[COUNCIL, FY])
    page = admin.get(url).content.decode()
    assert "未完了のまま" not in page
    assert admin.post(url, {"version": started.version}).status_code == 302
    assert EvaluationRound.objects.get(pk=started.pk).status == EvaluationRound.Status.CLOSED


def test_closing_with_a_stale_version_is_refused(started, admin):
    url = reverse("businesses:round_close", args=[COUNCIL, FY])
    EvaluationRound.objects.filter(pk=started.pk).update(version=started.version + 1)
    response = admin.post(url, {"version": started.version, "unfinished_ok": "on"})
    assert response.status_code == 409
    assert "ほかの人が令和2年度(2020年度)の事務事業評価を変更しました" in response.content.decode()
    assert EvaluationRound.objects.get(pk=started.pk).status == EvaluationRound.Status.OPEN
    assert admin.post(url, {"unfinished_ok": "on"}).status_code == 409  # no version at all


# --------------------------------------------------------------------------- rotation progress


def test_rotation_progress_counts_completed_evaluations_of_the_cycle(started, admin, businesses):
    progress = services.rotation_progress(org(), FY)
    rows = {r.department.name: r for r in progress.rows}
    assert set(rows) == {"総務課", "福祉活動推進課", "福祉支援課"}
    order = list(Organization.objects.get(slug=COUNCIL).departments.values_list("name", flat=True))
    assert [r.department.name for r in progress.rows] == [n for n in order if n in rows]
    assert (rows["総務課"].evaluated, rows["総務課"].total) == (1, 3)
    assert (rows["福祉支援課"].evaluated, rows["福祉支援課"].total) == (0, 3)
    assert (progress.evaluated, progress.total) == (1, 9)
    assert (progress.this_year_done, progress.this_year) == (1, 3)
    # FY2021: its round completes two sheets; the cycle so far counts both years
    round_21 = services.start_round(org(), 2021, admin.user)
    round_21.evaluations.filter(business__in=businesses[:6]).update(stage=Stage.DONE)
    progress = services.rotation_progress(org(), 2021)
    assert (progress.evaluated, progress.total) == (3, 9)
    assert (progress.this_year_done, progress.this_year) == (2, 3)
    # as of FY2020 the FY2021 evaluations do not count yet
    assert services.rotation_progress(org(), FY).evaluated == 1
    # an evaluation before the cycle is not part of it
    evaluated_in(businesses[8], 2018)
    assert services.rotation_progress(org(), 2021).evaluated == 3


def test_rotation_progress_without_a_rotation_is_empty(businesses):
    progress = services.rotation_progress(org(), 2030)
    assert progress.rotation is None and progress.rows == [] and progress.total == 0


def test_rounds_work_for_the_other_shape_council(db):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from shinchoku.plans.models import PendingUpload
    from tests.businesses.rotation_data import make_businesses

    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    midori = login_client("round-midori", role="admin", org_slug="midori-shakyo")
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
    upload = {"file": SimpleUploadedFile("みどり計画.xlsx", fixture.read_bytes())}
    assert midori.post(reverse("plans:workbook_upload"), upload).status_code == 200
    token = PendingUpload.objects.get(user=midori.user).token
    assert midori.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    midori_org = Organization.objects.get(slug="midori-shakyo")
    names = list(midori_org.departments.order_by("order", "id").values_list("name", flat=True))[:2]
    made = make_businesses("midori-shakyo", {name: 3 for name in names}, prefix="M")
    rotation = Rotation.objects.create(organization=midori_org, first_fy=2024)
    for i, b in enumerate(made):
        RotationSlot.objects.create(rotation=rotation, business=b, fiscal_year=2024 + i % 3)
    url = reverse("businesses:round_start", args=["midori-shakyo"])
    assert midori.post(url, {"fy": 2024}).status_code == 302
    round_ = EvaluationRound.objects.get(organization=midori_org, fiscal_year=2024)
    assert round_.evaluations.count() == 2
    page = midori.get(reverse("businesses:round", args=["midori-shakyo", 2024])).content.decode()
    assert made[0].name in page and names[0] in page


def test_an_odd_year_to_start_leads_back_to_the_list(businesses, rotation, admin):
    url = reverse("businesses:round_start", args=[COUNCIL])
    for fy in ("-5", "0", "abc", ""):
        response = admin.get(url, {"fy": fy})
        assert response.status_code == 302
        assert response["Location"] == reverse("businesses:round_list", args=[COUNCIL])
        assert admin.post(url, {"fy": fy}).status_code == 302
    assert not EvaluationRound.objects.exists()
