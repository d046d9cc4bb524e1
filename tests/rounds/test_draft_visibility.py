"""Who sees drafts: every page that shows progress, for every role.

Figures and texts of a sheet not yet approved (入力中, 提出済, 差戻し) are seen by its department's
staff and approvers (and those of the 課 above a 係), the organization's 管理者 and the federation
operator. Everyone else — 閲覧 (an outside committee member), other departments — sees only the
sheet's status. Approved data is seen by every member; public pages show published data only.

The scene, on the demo action plan: FY2019 approved, closed and published; FY2020 with
総務課 approved, 福祉支援課 submitted, 福祉活動推進課 a draft and 相談支援係 (a 係 under 福祉支援課,
now in charge of item-13) returned. Every sheet carries its own figure and its own words.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.accounts.permissions import can_see_drafts, draft_scope
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import NodeDepartment, PendingUpload, Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import Report, Round
from shinchoku.rounds.services import SheetInput
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.public.rounds import ACTION, filled, open_round, published_round

FY = 2020
KAKARI = "相談支援係"  # a 係 under 福祉支援課
STATUS = {"総務課": "承認済", "福祉支援課": "提出済", "福祉活動推進課": "入力中", KAKARI: "差戻し"}
FIGURE = {"総務課": "74,747", "福祉支援課": "72,727", "福祉活動推進課": "71,717", KAKARI: "73,737"}
PUBLISHED = "公開済みの記述"  # every text of the published FY2019 round
# Off the markers' progression: the indicator page's forecast (the linear trend of FY2019 and
# 総務課's approved FY2020) must not land on another department's marker (75,757 → 71,717).
PUBLISHED_FIGURE = "75,858"
UNAPPROVED = ("福祉支援課", "福祉活動推進課", KAKARI)


def words(dept: str) -> str:
    """The words every text of the department's FY2020 sheet starts with."""
    return f"{dept}の記述"


MARKERS = {m: d for d in STATUS for m in (FIGURE[d], words(d))}


@dataclass(frozen=True)
class Who:
    """A member of the council and the departments whose unapproved sheets they may read."""

    name: str
    role: str | None
    departments: tuple[str, ...] = ()
    superuser: bool = False
    drafts_of: frozenset[str] = frozenset()

    def sees(self, dept: str) -> bool:
        return STATUS[dept] == "承認済" or dept in self.drafts_of


EVERYONE = frozenset(STATUS)
SHIEN = frozenset({"福祉支援課", KAKARI})  # a 課 covers its 係
SUISHIN = frozenset({"福祉活動推進課"})
MEMBERS = [
    Who("admin", "admin", drafts_of=EVERYONE),
    Who("shien-staff", "staff", ("福祉支援課",), drafts_of=SHIEN),
    Who("shien-approver", "approver", ("福祉支援課",), drafts_of=SHIEN),
    Who("kakari-staff", "staff", (KAKARI,), drafts_of=frozenset({KAKARI})),
    Who("suishin-staff", "staff", ("福祉活動推進課",), drafts_of=SUISHIN),
    Who("suishin-approver", "approver", ("福祉活動推進課",), drafts_of=SUISHIN),
    Who("somu-staff", "staff", ("総務課",), drafts_of=frozenset({"総務課"})),
    Who("viewer", "viewer"),
    Who("federation", None, superuser=True, drafts_of=EVERYONE),
]


def client_for(who: Who) -> Client:
    return login_client(
        f"dv-{who.name}", role=who.role, departments=who.departments, superuser=who.superuser
    )


def sheet_data(report: Report, dept: str, *, evaluation: str, status: str) -> SheetInput:
    """Every field of the sheet with the department's figure and words."""
    data = SheetInput()
    w = words(dept)
    for item in services.sheet(report):
        data.items[item.node.key] = {
            "done": f"{w}・取組",
            "next": f"{w}・展開",
            "evaluation": evaluation,
        }
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": status, "note": f"{w}・備考"}
        for line in item.indicators:
            data.indicators[line.indicator.key] = {
                "actual": f"{FIGURE[dept]}{line.indicator.unit}",
                "note": "",
                "done": f"{w}・指標の取組",
                "next": f"{w}・指標の展開",
            }
    return data


@pytest.fixture
def scene(db) -> Round:
    council = Organization.objects.get(slug=COUNCIL)
    shien = Department.objects.get(organization=council, name="福祉支援課")
    kakari = Department.objects.create(organization=council, name=KAKARI, parent=shien, order=99)
    NodeDepartment.objects.filter(
        node__plan__slug=ACTION, node__key="item-13", department=shien
    ).update(department=kakari)
    user = get_user_model().objects.create_user("dv-somu", last_name="総務")
    published_round(
        ACTION,
        2019,
        user,
        actual_for=lambda line: f"{PUBLISHED_FIGURE}{line.indicator.unit}",
        done=PUBLISHED,
        next_=PUBLISHED,
    )
    round_ = open_round(ACTION, FY, user)
    reports = {r.department.name: r for r in round_.reports.select_related("department")}
    assert set(reports) == set(STATUS)
    for dept, report in reports.items():
        evaluation = "D" if dept == "福祉活動推進課" else "B"
        status = "未実施" if dept == "福祉活動推進課" else "遅れ"
        data = sheet_data(report, dept, evaluation=evaluation, status=status)
        report = services.save(report, data, version=report.version, user=user)
        if STATUS[dept] == "入力中":
            continue
        report = services.submit(report, user)
        if STATUS[dept] == "承認済":
            services.approve(report, user)
        elif STATUS[dept] == "差戻し":
            services.return_report(report, user, f"{words(dept)}を直してください")
    statuses = {r.department.name: r.get_status_display() for r in round_.reports.all()}
    assert statuses == STATUS
    return round_


def markers_in(text: str) -> set[str]:
    """The markers in a page or a workbook (where figures are numbers, without separators)."""
    return {m for m in MARKERS if m in text or m.replace(",", "") in text}


def withheld_in(html: str) -> set[str]:
    """The sheets shown by their status only: {"福祉支援課・提出済", …}."""
    return set(re.findall(r'<span class="withheld"[^>]*>([^<]*)</span>', html))


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def expected_markers(who: Who, depts: set[str], figures_of: set[str] | None = None) -> set[str]:
    """Markers of `depts` the reader may see; figures only of `figures_of` when given."""
    figures = set(FIGURE.values())
    return {
        m
        for m, d in MARKERS.items()
        if d in depts
        and who.sees(d)
        and (figures_of is None or m not in figures or d in figures_of)
    }


def expected_withheld(who: Who, depts: set[str]) -> set[str]:
    return {f"{d}・{STATUS[d]}" for d in depts if not who.sees(d)}


ITEM_PAGES = {  # the item pages, with the departments that report each
    "item-16": {"総務課"},
    "item-2": {"福祉支援課"},
    "item-1": {"福祉活動推進課"},
    "item-13": {KAKARI},
    "item-14": {"総務課", "福祉支援課", "福祉活動推進課"},
    "item-18": {"総務課", "福祉支援課"},
}
INDICATOR_PAGES = {
    "I-16-1": {"総務課"},
    "I-2-1": {"福祉支援課"},
    "I-1-1": {"福祉活動推進課"},
    "I-13-1": {KAKARI},
    "I-14-1": {"総務課"},  # its reporting department (the item's first 担当課) alone
}
# Shared items: every 担当課 writes the item's texts; the indicators' figures come from their
# reporting department alone (rounds/ownership.py).
FIGURES_OF = {"item-14": {"総務課"}, "item-18": {"総務課"}}


def _walk_by_department(scene, name: str, pages: dict[str, set[str]]) -> None:
    for who in MEMBERS:
        client = client_for(who)
        for key, depts in pages.items():
            html = page(client, reverse(name, args=[ACTION, key]))
            where = (who.name, key)
            expected = expected_markers(who, depts, FIGURES_OF.get(key))
            assert markers_in(html) == expected, where
            assert withheld_in(html) == expected_withheld(who, depts), where
            assert PUBLISHED in html or PUBLISHED_FIGURE in html, where  # approved FY2019


def test_item_pages_show_drafts_only_to_their_department_and_admins(scene):
    _walk_by_department(scene, "plans:node", ITEM_PAGES)


def test_indicator_pages_show_drafts_only_to_their_department_and_admins(scene):
    _walk_by_department(scene, "rounds:indicator", INDICATOR_PAGES)


def test_content_statuses_and_self_evaluations_of_a_draft_are_withheld(scene):
    url = reverse("plans:node", args=[ACTION, "item-1"])  # 福祉活動推進課's draft alone
    for who in MEMBERS:
        years = page(client_for(who), url).split('<section class="progress-year">')
        fy2020 = next(y for y in years if "令和2年度(2020年度)" in y)
        shown = who.sees("福祉活動推進課")
        assert ("未実施" in fy2020) is shown, who.name
        assert ("D 未着手" in fy2020) is shown, who.name
        assert ("unapproved" in fy2020) is shown, who.name


def test_the_overview_lists_drafts_behind_only_for_those_who_may_read_them(scene):
    url = reverse("rounds:overview", args=[ACTION, FY])
    for who in MEMBERS:
        response = client_for(who).get(url)
        html = response.content.decode()
        # Contents behind with their notes; actuals are judged from approved values only.
        expected = {words(d) for d in STATUS if who.sees(d)} | {FIGURE["総務課"]}
        assert markers_in(html) == expected, who.name
        assert withheld_in(html) == expected_withheld(who, set(STATUS)), who.name
        behind = {c.department for c in response.context["pp"].behind}
        assert behind == {d for d in STATUS if who.sees(d)}, who.name
        # The approved 総務課 figure is judged for everyone.
        assert "74,747千円" in html


def test_the_dashboard_alerts_on_drafts_only_for_those_who_may_read_them(scene):
    for who in MEMBERS:
        # The operator's dashboard is one row per plan; ?org= opens one council's boards.
        query = {"org": COUNCIL} if who.superuser else {}
        response = client_for(who).get(reverse("rounds:dashboard"), query)
        assert response.status_code == 200
        html = response.content.decode()
        board = next(b for b in response.context["boards"] if b.plan.slug == ACTION)
        assert {c.department for c in board.pp.behind} == {d for d in STATUS if who.sees(d)}
        assert {c.department for c in board.pp.contents} == {d for d in STATUS if who.sees(d)}
        assert markers_in(html) <= expected_markers(who, set(STATUS)), who.name
        for dept, status in STATUS.items():  # every sheet's status, for everyone
            assert dept in html and status in html


def test_the_board_shows_every_status_and_no_figure(scene):
    url = reverse("rounds:board", args=[ACTION, FY])
    for who in MEMBERS:
        html = page(client_for(who), url)
        assert not {m for m in markers_in(html) if m in FIGURE.values()}, who.name
        # Only the return comment names the sheet's words, and only to those who may open it.
        assert markers_in(html) == ({words(KAKARI)} if KAKARI in who.drafts_of else set())
        for dept, status in STATUS.items():
            assert dept in html and status in html


def test_a_sheet_opens_only_for_its_department_and_admins(scene):
    for who in MEMBERS:
        client = client_for(who)
        for report in scene.reports.select_related("department"):
            url = reverse("rounds:sheet", args=[ACTION, FY, report.department_id])
            dept = report.department.name
            expected = 200 if dept in who.drafts_of else 403
            assert client.get(url).status_code == expected, (who.name, dept)


def xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def test_the_committee_report_holds_approved_data_only_for_everyone(scene):
    approved = expected_markers(MEMBERS[0], {"総務課"})
    for who in MEMBERS:
        client = client_for(who)
        html = page(client, reverse("reports:committee", args=[ACTION, FY]))
        response = client.get(reverse("reports:xlsx", args=[ACTION, FY]))
        assert response.status_code == 200
        workbook = xlsx_text(response.content)
        for text in (html, workbook):
            assert markers_in(text) == approved, who.name


def test_plan_pages_and_the_indicator_list_show_approved_actuals_only(scene):
    for who in MEMBERS:
        client = client_for(who)
        listing = page(client, reverse("plans:indicators", args=[ACTION]))
        assert markers_in(listing) == {FIGURE["総務課"]}, who.name  # actuals only, no texts
        tree = page(client, reverse("plans:detail", args=[ACTION]))
        assert markers_in(tree) == set(), who.name
        rounds = page(client, reverse("rounds:list", args=[ACTION]))
        assert markers_in(rounds) == set(), who.name


def staff_urls() -> list[str]:
    return [
        *(reverse("plans:node", args=[ACTION, key]) for key in ITEM_PAGES),
        *(reverse("rounds:indicator", args=[ACTION, key]) for key in INDICATOR_PAGES),
        reverse("rounds:overview", args=[ACTION, FY]),
        reverse("rounds:board", args=[ACTION, FY]),
        reverse("reports:committee", args=[ACTION, FY]),
        reverse("reports:xlsx", args=[ACTION, FY]),
        reverse("plans:indicators", args=[ACTION]),
    ]


def test_another_organizations_admin_sees_nothing(scene):
    client = login_client("dv-city-admin", role="admin", org_slug=CITY_ORG)
    for url in staff_urls():
        response = client.get(url)
        assert response.status_code in (403, 404), url  # 404 once slugs are hidden (part 4)
        assert markers_in(response.content.decode()) == set(), url
    html = page(client, reverse("rounds:dashboard"))
    assert markers_in(html) == set() and ACTION not in html


def test_anonymous_is_sent_to_login_and_public_pages_show_published_data_only(scene):
    client = Client()
    for url in [*staff_urls(), reverse("rounds:dashboard")]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url, url
    public = [
        reverse("public:plan", args=[ACTION]),
        *(reverse("public:node", args=[ACTION, key]) for key in ITEM_PAGES),
        *(reverse("public:indicator", args=[ACTION, key]) for key in INDICATOR_PAGES),
        reverse("public:csv", args=[ACTION]),
        reverse("public:json", args=[ACTION]),
        reverse("public:csv_fy", args=[ACTION, 2019]),
        reverse("public:json_fy", args=[ACTION, 2019]),
    ]
    published_seen = False
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert markers_in(text) == set(), url  # FY2020 is not published, not even 総務課's
        published_seen |= PUBLISHED_FIGURE in text
    assert published_seen
    for url in (
        reverse("public:plan", args=[ACTION]) + f"?fy={FY}",
        reverse("public:csv_fy", args=[ACTION, FY]),
        reverse("public:json_fy", args=[ACTION, FY]),
    ):
        assert client.get(url).status_code == 404


def test_the_permission_helper_agrees_with_the_sheet_rule(scene):
    council = Organization.objects.get(slug=COUNCIL)
    departments = {d.name: d for d in council.departments.all()}
    for who in MEMBERS:
        user = client_for(who).user
        scope = draft_scope(user, council)
        for name in STATUS:
            assert scope.covers(departments[name]) is (name in who.drafts_of), (who.name, name)
            assert can_see_drafts(user, council, departments[name]) is (name in who.drafts_of)
    city = login_client("dv-city", role="admin", org_slug=CITY_ORG).user
    assert not draft_scope(city, council).covers(departments["福祉支援課"])


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("rounds:overview", args=[ACTION, FY]),
        reverse("rounds:indicator", args=[ACTION, "I-14-1"]),
        reverse("plans:node", args=[ACTION, "item-14"]),
        reverse("rounds:dashboard"),
    ],
)
@pytest.mark.parametrize("name", ["viewer", "suishin-staff"])
def test_query_counts_of_a_reader_do_not_grow_with_drafts(db, url, name):
    who = next(w for w in MEMBERS if w.name == name)
    client = client_for(who)
    user = get_user_model().objects.create_user("dv-opener")
    round_ = services.open_round(Plan.objects.get(slug=ACTION), FY, date(2021, 5, 31), user)
    somu = round_.reports.get(department__name="総務課")
    somu = services.save(somu, filled(somu), version=somu.version, user=user)
    services.approve(services.submit(somu, user), user)
    before = count(client, url)
    for report in round_.reports.exclude(department__name="総務課"):
        data = sheet_data(report, report.department.name, evaluation="B", status="遅れ")
        services.save(report, data, version=report.version, user=user)
    after = count(client, url)
    assert after == before, (before, after)


# --------------------------------------------------------------------------- another council's plan

MIDORI = "midori-katsudo-3"
MIDORI_FY = 2024
OTHER_SHAPE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
CHIIKI = "地域支援係"  # in charge of j01 and j04, a 係 under its 課
SOMU = "総務係"  # in charge of j20


@pytest.fixture
def midori(db) -> dict:
    """The fixture council's plan (4 levels, 担当係, no indicators) with its FY2024 round:
    地域支援係 a draft, 総務係 approved."""
    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    admin = login_client("midori-admin", role="admin", org_slug="midori-shakyo")
    upload = SimpleUploadedFile("みどり計画.xlsx", OTHER_SHAPE.read_bytes())
    assert admin.post(reverse("plans:workbook_upload"), {"file": upload}).status_code == 200
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    plan = Plan.objects.get(slug=MIDORI)
    round_ = services.open_round(plan, MIDORI_FY, date(2025, 5, 31), admin.user)
    reports = {r.department.name: r for r in round_.reports.select_related("department__parent")}
    draft, approved = reports[CHIIKI], reports[SOMU]
    assert draft.department.parent is not None
    for report, dept in ((draft, CHIIKI), (approved, SOMU)):
        data = sheet_data(report, dept, evaluation="B", status="遅れ")
        report = services.save(report, data, version=report.version, user=admin.user)
        if report.pk == approved.pk:
            services.approve(services.submit(report, admin.user), admin.user)
    return {"section": draft.department.parent.name}


def test_another_councils_draft_is_seen_only_by_its_department_and_admins(midori):
    members = {  # who → sees 地域支援係's draft
        "midori-admin-2": (dict(role="admin"), True),
        "section-staff": (dict(role="staff", departments=(midori["section"],)), True),
        "chiiki-approver": (dict(role="approver", departments=(CHIIKI,)), True),
        "somu-staff": (dict(role="staff", departments=(SOMU,)), False),
        "somu-approver": (dict(role="approver", departments=(SOMU,)), False),
        "midori-viewer": (dict(role="viewer"), False),
    }
    clients = {
        name: (login_client(name, org_slug="midori-shakyo", **kwargs), sees)
        for name, (kwargs, sees) in members.items()
    }
    clients["federation"] = (login_client("midori-federation", superuser=True), True)
    draft, approved = words(CHIIKI), words(SOMU)
    pages = [
        reverse("plans:node", args=[MIDORI, "j01"]),
        reverse("plans:node", args=[MIDORI, "j20"]),
        reverse("rounds:overview", args=[MIDORI, MIDORI_FY]),
        reverse("rounds:dashboard"),
        reverse("rounds:board", args=[MIDORI, MIDORI_FY]),
        reverse("reports:committee", args=[MIDORI, MIDORI_FY]),
    ]
    for name, (client, sees) in clients.items():
        # The operator opens the council's boards from the federation dashboard (?org=).
        at = {pages[3]: f"{pages[3]}?org=midori-shakyo"} if name == "federation" else {}
        html = {url: page(client, at.get(url, url)) for url in pages}
        node, approved_node, overview, dashboard, board, report = html.values()
        assert (draft in node) is sees, name
        assert (draft in overview) is sees, name
        assert (f"{CHIIKI}・入力中" in withheld_in(node)) is not sees, name
        assert (f"{CHIIKI}・入力中" in withheld_in(overview)) is not sees, name
        assert approved in approved_node and approved in overview, name
        for text in (dashboard, board):
            assert draft not in text and CHIIKI in text and "入力中" in text, name
        assert draft not in report and approved in report, name
        workbook = xlsx_text(client.get(reverse("reports:xlsx", args=[MIDORI, MIDORI_FY])).content)
        assert draft not in workbook and approved in workbook, name
    outsider = login_client("dv-nishitokyo-admin", role="admin")
    for url in pages[:3]:
        response = outsider.get(url)
        assert response.status_code in (403, 404) and draft not in response.content.decode()
    anonymous = Client()
    for url in pages:
        assert anonymous.get(url).status_code == 302, url
