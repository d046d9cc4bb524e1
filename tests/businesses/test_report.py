"""The board's report of an evaluation round (理事会 / 評議員会): rows, summary, who reads it.

The demo council (西東京市社会福祉協議会) gets, built here with the ORM, a rotation from FY2020
and the FY2020 round: three evaluations completed (拡充, 継続 in 福祉支援課; 廃止 in 総務課) and
one still at the section chief's stage (総務課), whose texts must not reach the report.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    BusinessNode,
    BusinessYear,
    EvaluationRound,
    RegisterSettings,
    Rotation,
    RotationSlot,
    Stage,
)
from shinchoku.businesses.report import evaluation_report
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import BusinessKind, Node
from tests.conftest import CITY_ORG, COUNCIL, login_client

pytestmark = pytest.mark.django_db
ACTION = "nishitokyo-action-plan-2019"
DRAFT_REASON = "まだ下書きの理由（課長評価の前）"


def make_business(org, code, name, department, *, fy=2020, settlement=None, staff=None, node=None):
    dept = org.departments.get(name=department)
    kind, _ = BusinessKind.objects.get_or_create(organization=org, name="独自事業")
    b = Business.objects.create(
        organization=org, code=code, name=name, department=dept, kind=kind, order=int(code)
    )
    if settlement is not None or staff is not None:
        BusinessYear.objects.create(
            business=b,
            fiscal_year=fy,
            settlement=None if settlement is None else Decimal(settlement),
            staff_years=None if staff is None else Decimal(staff),
        )
    if node is not None:
        BusinessNode.objects.create(business=b, node=Node.objects.get(plan__slug=ACTION, key=node))
    return b


def evaluate(round_, business, stage, judgement="", reason=""):
    e = BusinessEvaluation(round=round_, business=business, stage=stage)
    if stage in (Stage.CHIEF, Stage.DIRECTOR, Stage.DONE):
        e.self_judgement, e.self_reason = judgement, reason or f"{business.name}の自己評価の理由"
    if stage in (Stage.DIRECTOR, Stage.DONE):
        e.chief_judgement, e.chief_reason = judgement, f"{business.name}の課長評価の理由"
    if stage == Stage.DONE:
        e.director_judgement, e.director_reason = judgement, f"{business.name}の総合評価の理由"
    e.save()
    return e


def council_round() -> EvaluationRound:
    """The FY2020 round described in the module's docstring."""
    org = Organization.objects.get(slug=COUNCIL)
    settings = RegisterSettings.of(org)
    settings.staff_rate = Decimal("8000")
    settings.save()
    rotation = Rotation.objects.create(organization=org, first_fy=2020)
    round_ = EvaluationRound.objects.create(organization=org, fiscal_year=2020)
    soudan = make_business(
        org,
        "1",
        "生活福祉資金貸付事業",
        "福祉支援課",
        settlement="1000",
        staff="0.5",
        node="item-2",
    )
    kouken = make_business(org, "2", "法人後見事業", "福祉支援課", settlement="2500.5", staff="1")
    # Run on staff time only: its settlement is 0 (a blank one would give no full cost at all).
    kifu = make_business(
        org, "3", "歳末たすけあい募金事業", "総務課", settlement="0", staff="0.2", node="item-18"
    )
    hyouka = make_business(org, "4", "事務事業評価の運営", "総務課", settlement="300", staff="0")
    later = make_business(org, "5", "情報発信事業", "総務課", settlement="700")
    for b in (soudan, kouken, kifu, hyouka):
        RotationSlot.objects.create(rotation=rotation, business=b, fiscal_year=2020)
    RotationSlot.objects.create(rotation=rotation, business=later, fiscal_year=2021)
    evaluate(round_, soudan, Stage.DONE, "拡充")
    evaluate(round_, kouken, Stage.DONE, "継続")
    evaluate(round_, kifu, Stage.DONE, "廃止")
    evaluate(round_, hyouka, Stage.CHIEF, "縮小", DRAFT_REASON)
    return round_


@pytest.fixture
def round_2020():
    return council_round()


def report_url(fy=2020, kind=""):
    name = {
        "": "businesses:report",
        "pdf": "businesses:report_pdf",
        "xlsx": "businesses:report_xlsx",
    }
    return reverse(name[kind], args=[COUNCIL, fy])


# --------------------------------------------------------------------------- content


def test_one_row_per_business_with_its_full_cost(round_2020):
    report = evaluation_report(round_2020)
    assert report.title == "令和2年度（2020年度） 事務事業評価結果報告書"
    rows = {r.name: r for r in report.rows}
    assert list(rows) == [
        "生活福祉資金貸付事業",
        "法人後見事業",
        "歳末たすけあい募金事業",
        "事務事業評価の運営",
    ]
    assert rows["生活福祉資金貸付事業"].full_cost == Decimal("5000.0")  # 1,000 + 0.5 × 8,000
    assert rows["法人後見事業"].full_cost_text == "10,500.5"
    assert rows["歳末たすけあい募金事業"].settlement_text == "0"
    assert rows["歳末たすけあい募金事業"].full_cost == Decimal("1600.0")  # staff time only
    assert rows["事務事業評価の運営"].full_cost == Decimal("300.0")
    assert rows["生活福祉資金貸付事業"].director_judgement == "拡充"


def test_an_unfinished_evaluation_is_shown_as_being_evaluated_and_not_counted(round_2020):
    report = evaluation_report(round_2020)
    pending = [r for r in report.rows if not r.done]
    assert [r.name for r in pending] == ["事務事業評価の運営"]
    assert pending[0].self_judgement == "" and pending[0].self_reason == ""
    summary = {d.name: (d.cells, d.total, d.unfinished) for d in report.departments}
    # 拡充 継続 改善・見直し 縮小 統合 廃止
    assert summary["福祉支援課"] == ([1, 1, 0, 0, 0, 0], 2, 0)
    assert summary["総務課"] == ([0, 0, 0, 0, 0, 1], 1, 1)
    assert report.totals == [1, 1, 0, 0, 0, 1]
    assert (report.done_count, report.unfinished_count) == (3, 1)


def test_the_page_shows_rows_summary_note_and_no_unfinished_text(round_2020):
    client = login_client("rep-viewer", role="viewer")
    page = client.get(report_url()).content.decode()
    assert "令和2年度（2020年度） 事務事業評価結果報告書" in page
    assert "西東京市社会福祉協議会" in page
    assert "法人後見事業の総合評価の理由" in page
    assert "評価中の1件は「評価中」と表示し、方向性の件数に含めていません。" in page
    assert "評価中" in page and "課長評価" in page
    assert DRAFT_REASON not in page
    assert "10,500.5" in page


def test_the_page_shows_the_rotations_progress(round_2020):
    page = login_client("rep-admin", role="admin").get(report_url()).content.decode()
    assert "3年間の評価の進み具合" in page
    assert "3 / 5" in page  # three of the rotation's five businesses evaluated
    assert "3 / 4" in page  # three of this year's four


def test_a_year_without_a_round_is_a_404(round_2020):
    assert login_client("rep-admin", role="admin").get(report_url(2021)).status_code == 404


# --------------------------------------------------------------------------- who reads it


@pytest.mark.parametrize(
    ("role", "departments"),
    [
        ("admin", ()),
        ("staff", ("総務課",)),
        ("staff", ("福祉活動推進課",)),
        ("approver", ("総務課",)),
        ("viewer", ()),
    ],
)
def test_every_member_reads_the_report_and_its_files(round_2020, role, departments):
    client = login_client(f"rep-{role}-{len(departments)}", role=role, departments=departments)
    page = client.get(report_url())
    assert page.status_code == 200
    assert DRAFT_REASON not in page.content.decode()  # not even the department's own staff
    assert client.get(report_url(kind="xlsx")).status_code == 200


def test_another_organizations_member_gets_a_404(round_2020):
    outsider = login_client("rep-city", role="admin", org_slug=CITY_ORG)
    for kind in ("", "pdf", "xlsx"):
        assert outsider.get(report_url(kind=kind)).status_code == 404


def test_an_unknown_organization_is_a_404(round_2020):
    client = login_client("rep-admin", role="admin")
    assert client.get(reverse("businesses:report", args=["nowhere", 2020])).status_code == 404


def test_an_anonymous_visitor_goes_to_the_login_page(round_2020, client):
    for kind in ("", "pdf", "xlsx"):
        response = client.get(report_url(kind=kind))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_files_have_japanese_names(round_2020):
    client = login_client("rep-admin", role="admin")
    response = client.get(report_url(kind="xlsx"))
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    from urllib.parse import unquote

    assert (
        unquote(disposition.split("''", 1)[1])
        == "西東京市社会福祉協議会_令和2年度_事務事業評価結果報告書.xlsx"
    )
    assert 'filename="nishitokyo-shakyo_2020_business_evaluation.xlsx"' in disposition


def test_the_pages_read_the_register_rate_as_it_is_now(round_2020):
    """The staff rate is read along with each page's rows (RegisterSettings.rate_column): a
    changed rate shows at once; without saved settings the default (8,000) is used."""
    org = round_2020.organization
    viewer = login_client("rate-viewer", role="viewer")
    pages = {
        "report": report_url(),
        "policies": reverse("businesses:policies", args=[ACTION]) + "?fy=2020",
        "register": reverse("businesses:register", args=[COUNCIL]),
        "business": reverse("businesses:business", args=[COUNCIL, org.businesses.get(code="1").pk]),
    }
    for name, url in pages.items():
        assert "5,000" in viewer.get(url).content.decode(), name  # 1,000 + 0.5 × 8,000
    RegisterSettings.objects.filter(organization=org).update(staff_rate=Decimal("6000"))
    for name, url in pages.items():
        page = viewer.get(url).content.decode()
        assert "4,000" in page and "5,000" not in page, name  # 1,000 + 0.5 × 6,000
    RegisterSettings.objects.filter(organization=org).delete()
    for name, url in pages.items():
        assert "5,000" in viewer.get(url).content.decode(), name
    assert RegisterSettings.objects.get(organization=org).staff_rate == Decimal("8000")
    assert evaluation_report(round_2020).staff_rate == Decimal("8000")
