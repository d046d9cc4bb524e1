"""An evaluation sheet's whole life in the test client: the staff member fills it in and submits
it, the section chief signs it on, the 事務局長 signs it off; sending back at each stage, locks once
the next stage has started, stale forms and closed rounds refused, and the 方向性 carried into the
business's next year."""

from __future__ import annotations

import pytest

from shinchoku.businesses.models import BusinessYear, EvaluationRound, Judgement, Stage
from tests.businesses.sheet_helpers import FY, make_sheet, sheet_url, stage_url, users

pytestmark = pytest.mark.django_db

TEXTS = {
    "purpose_target": "ひとり暮らし高齢者の孤立を防ぐ",
    "activity": "訪問250件",
    "outcome": "見守り協力員が10人増えた",
    "issues": "協力員の高齢化",
}


@pytest.fixture
def who():
    return users()


@pytest.fixture
def sheet():
    return make_sheet()


def post(client, url: str, sheet, **data):
    sheet.refresh_from_db()
    return client.post(url, {"version": sheet.version, **data})


def submit_self(client, sheet, **extra):
    data = {**TEXTS, "judgement": Judgement.CONTINUE, "reason": "必要性が高い", "action": "sign"}
    return post(client, stage_url(sheet, "self"), sheet, **{**data, **extra})


def sign(client, sheet, stage: str, judgement=Judgement.IMPROVE, reason="理由"):
    data = {"judgement": judgement, "reason": reason, "action": "sign"}
    return post(client, stage_url(sheet, stage), sheet, **data)


def send_back(client, sheet, stage: str, reason="数値を確認してください"):
    return post(client, stage_url(sheet, stage, back=True), sheet, returned_reason=reason)


def test_staff_approver_and_director_complete_the_sheet(who, sheet):
    page = who["staff"].get(sheet_url(sheet)).content.decode()
    assert "見守り事業" in page and "課長へ提出する" in page
    # a draft keeps what was entered, without a judgement
    r = post(who["staff"], stage_url(sheet, "self"), sheet, **TEXTS, action="save")
    assert r.status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.SELF and sheet.outcome == TEXTS["outcome"]
    assert submit_self(who["staff"], sheet).status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.CHIEF and sheet.self_by == who["staff"].user
    assert sheet.self_at is not None and sheet.self_judgement == "継続"

    assert sign(who["approver"], sheet, "chief", Judgement.IMPROVE).status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.DIRECTOR and sheet.chief_by == who["approver"].user

    assert sign(who["admin"], sheet, "director", Judgement.EXPAND, "拡充すべき").status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.DONE and sheet.direction == "拡充"
    year = BusinessYear.objects.get(business=sheet.business, fiscal_year=FY + 1)
    assert year.direction == "拡充"  # the row did not exist: made for the 方向性
    page = who["viewer"].get(sheet_url(sheet)).content.decode()
    assert "方向性「拡充」を、この事業の令和3年度(2021年度)に反映しました" in page
    assert "ev-director" in page and "拡充すべき" in page and TEXTS["outcome"] in page
    # done: read-only for everyone, the 管理者 too
    assert "総合評価を決裁する" not in who["admin"].get(sheet_url(sheet)).content.decode()
    r = sign(who["admin"], sheet, "director", Judgement.REDUCE)
    assert r.status_code == 409 and "完了しているため" in r.content.decode()


def test_the_direction_overwrites_the_next_years_row_and_abolish_changes_nothing_else(who):
    sheet = make_sheet(stage=Stage.DIRECTOR, self_judgement="継続", chief_judgement="継続")
    BusinessYear.objects.create(
        business=sheet.business, fiscal_year=FY + 1, budget=900, direction="継続"
    )
    assert sign(who["admin"], sheet, "director", Judgement.ABOLISH).status_code == 302
    year = BusinessYear.objects.get(business=sheet.business, fiscal_year=FY + 1)
    assert year.direction == "廃止" and year.budget == 900
    sheet.business.refresh_from_db()
    assert sheet.business.active  # ending it is the register's decision


def test_submitting_needs_the_judgement_and_its_reason(who, sheet):
    r = submit_self(who["staff"], sheet, judgement="", reason="")
    assert r.status_code == 422
    page = r.content.decode()
    assert "次のいずれかを選んでください：拡充、継続、改善・見直し、縮小、統合、廃止。" in page
    assert page.count('aria-invalid="true"') == 2  # the judgement and the reasons, both marked
    assert TEXTS["activity"] in page  # what was typed is kept
    r = submit_self(who["staff"], sheet, judgement="大幅拡充")
    assert r.status_code == 422
    r = submit_self(who["staff"], sheet, reason="  ")
    assert r.status_code == 422 and "入力してください" in r.content.decode()
    sheet.refresh_from_db()
    assert sheet.stage == Stage.SELF and sheet.activity == "" and sheet.version == 1


def test_the_chief_sends_it_back_and_the_staff_sees_why(who, sheet):
    submit_self(who["staff"], sheet)
    r = send_back(who["approver"], sheet, "chief", reason="")
    assert r.status_code == 422 and "入力してください" in r.content.decode()
    assert send_back(who["approver"], sheet, "chief").status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.SELF and sheet.self_by is None
    assert sheet.returned_reason == "数値を確認してください"
    page = who["staff"].get(sheet_url(sheet)).content.decode()
    assert "「自己評価」に差し戻されています" in page and "数値を確認してください" in page
    assert TEXTS["outcome"] in page  # the texts are kept for the correction
    assert submit_self(who["staff"], sheet).status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.CHIEF and sheet.returned_reason == ""


def test_the_director_sends_it_back_to_the_chief(who, sheet):
    submit_self(who["staff"], sheet)
    sign(who["approver"], sheet, "chief")
    assert send_back(who["admin"], sheet, "director").status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.CHIEF and sheet.chief_by is None
    assert sheet.chief_judgement == "改善・見直し"  # kept for the chief to reconsider
    page = who["approver"].get(sheet_url(sheet)).content.decode()
    assert "「課長評価」に差し戻されています" in page
    assert sign(who["approver"], sheet, "chief", Judgement.CONTINUE).status_code == 302


def test_the_self_stage_has_no_stage_to_go_back_to(who, sheet):
    assert send_back(who["admin"], sheet, "self").status_code == 404
    assert post(who["admin"], stage_url(sheet, "done"), sheet).status_code == 404


def test_a_stage_is_locked_once_the_next_has_started(who, sheet):
    submit_self(who["staff"], sheet)
    r = submit_self(who["staff"], sheet, outcome="書き換え")
    assert r.status_code == 409 and "「課長評価」の段階にあるため" in r.content.decode()
    sign(who["approver"], sheet, "chief")
    r = sign(who["approver"], sheet, "chief", Judgement.REDUCE)
    assert r.status_code == 409
    r = send_back(who["approver"], sheet, "chief")
    assert r.status_code == 409
    sheet.refresh_from_db()
    assert sheet.outcome == TEXTS["outcome"] and sheet.chief_judgement == "改善・見直し"
    assert sheet.stage == Stage.DIRECTOR
    # the page shows the earlier stages read-only
    page = who["staff"].get(sheet_url(sheet)).content.decode()
    assert 'name="outcome"' not in page and TEXTS["outcome"] in page


def test_a_stale_form_is_refused(who, sheet):
    post(who["staff"], stage_url(sheet, "self"), sheet, **TEXTS, action="save")
    r = who["staff"].post(stage_url(sheet, "self"), {**TEXTS, "outcome": "古い", "version": 1})
    assert r.status_code == 409 and "ほかの人がこのシートを変更しました" in r.content.decode()
    r = who["staff"].post(stage_url(sheet, "self"), {**TEXTS, "outcome": "版なし"})
    assert r.status_code == 409
    sheet.refresh_from_db()
    assert sheet.outcome == TEXTS["outcome"] and sheet.version == 2


def test_a_closed_round_refuses_every_change(who, sheet):
    submit_self(who["staff"], sheet)
    EvaluationRound.objects.filter(pk=sheet.round_id).update(status=EvaluationRound.Status.CLOSED)
    r = sign(who["approver"], sheet, "chief")
    assert r.status_code == 409 and "締め切られているため" in r.content.decode()
    page = who["approver"].get(sheet_url(sheet)).content.decode()
    assert "シートは閲覧のみです" in page and 'name="judgement"' not in page
    sheet.refresh_from_db()
    assert sheet.stage == Stage.CHIEF


def test_the_admin_may_act_at_every_stage(who, sheet):
    assert submit_self(who["admin"], sheet).status_code == 302
    assert sign(who["admin"], sheet, "chief").status_code == 302
    assert sign(who["admin"], sheet, "director").status_code == 302
    sheet.refresh_from_db()
    assert sheet.stage == Stage.DONE


def test_the_other_shape_council_evaluates_its_businesses(empty_db):
    """An organization with no action plan items and no kinds: the sheet works the same."""
    from shinchoku.orgs.models import Department, Organization
    from tests.conftest import login_client

    org = Organization.objects.create(slug="midori-shakyo", name="みどり市社協", kind="council")
    dept = Department.objects.create(organization=org, name="地域福祉係")
    sheet = make_sheet(org="midori-shakyo", dept=dept)
    staff = login_client(
        "m-staff", role="staff", org_slug="midori-shakyo", departments=(dept.name,)
    )
    page = staff.get(sheet_url(sheet)).content.decode()
    assert "見守り事業" in page and "―" in page  # no kind, no plan item
    assert submit_self(staff, sheet).status_code == 302
