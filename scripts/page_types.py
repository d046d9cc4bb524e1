"""Every page type of the product, as the person who uses it sees it, on the demo data set.

Shared by `scripts/screenshots.py` (docs/screenshots/, `make screenshots`) and the accessibility
test (tests/browser/test_a11y_in_chromium.py), so that what is looked at and what is checked are
the same pages. Nothing here imports the product: the demo is prepared by `shinchoku` commands
(SETUP), the pages are reached by URL or by following a link, as a user would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

CITY = "nishitokyo-chiiki-fukushi-4"  # 西東京市's plan: FY2019 round approved and published
ACTION = "nishitokyo-action-plan-2019"  # the council's action plan: FY2019 round open
OTHER = "nishitokyo-katsudo-4"  # the council's activity plan (consistency matrix)
WIDTHS = (1366, 390)
PASSWORD = "shinchoku-demo"  # the documented demo-only password

# Who uses which page (README, "Logging in"); OPERATOR is made by SETUP below.
ADMIN = "nishitokyo-city-admin"  # 管理者 (city)
COUNCIL_ADMIN = "nishitokyo-shakyo-admin"  # 管理者 (council)
STAFF = "nishitokyo-shakyo-staff-3"  # 部署担当 of 総務課: fills the sheet
APPROVER = "nishitokyo-shakyo-approver-2"  # 承認者 of 福祉支援課: a submitted sheet waits
VIEWER = "nishitokyo-city-viewer"  # 閲覧 (committee member)
CITY_STAFF = "nishitokyo-city-staff"  # 部署担当 of 地域共生課: the final evaluation sheet
OPERATOR = "shinchoku-operator"  # the federation operator (a superuser)

# Python run by `shinchoku shell -c` after the demo is loaded: the operator, a committee opinion
# on the city plan, and 福祉支援課's FY2019 sheet of the action plan submitted for approval
# (as it is, without the missing-field check: a demo for the approver's review page).
SETUP_PY = f"""
from django.contrib.auth import get_user_model
from shinchoku.plans.models import Plan
from shinchoku.reviews import services as opinions
from shinchoku.rounds import services as rounds
from shinchoku.rounds.models import Report
User = get_user_model()
if not User.objects.filter(username={OPERATOR!r}).exists():
    User.objects.create_superuser({OPERATOR!r}, {OPERATOR + "@example.jp"!r}, {PASSWORD!r})
plan = Plan.objects.get(slug={CITY!r})
admin = User.objects.get(username={ADMIN!r})
if not plan.opinions.exists():
    opinions.create_opinion(
        plan, 2019,
        "地域の見守り活動について、担い手の高齢化への対応を次年度の取組に含めてください。",
        user=admin, node_key="C1-1", indicator_key="", department=None,
        author_name="推進委員会 委員",
    )
report = Report.objects.get(round__plan__slug={ACTION!r}, round__fy=2019,
                            department__name="福祉支援課")
if report.status == Report.Status.DRAFT:
    staff = User.objects.get(username="nishitokyo-shakyo-staff-2")
    rounds.submit_complete(report, staff, [])
"""


def setup_commands(today: date | None = None) -> list[list[str]]:
    """The `shinchoku` commands that prepare the demo (after migrate and load-demo)."""
    deadline = ((today or date.today()) + timedelta(days=10)).isoformat()
    return [
        ["round", "open", ACTION, "2019", "--deadline", deadline, "--user", COUNCIL_ADMIN],
        ["round", "open", CITY, "2023", "--final", "--deadline", deadline, "--user", ADMIN],
        ["shell", "-c", SETUP_PY],
    ]


@dataclass(frozen=True)
class PageType:
    """One page type: its file name, who looks at it, and how to get there."""

    name: str  # docs/screenshots/<name>-<width>.png
    title: str  # what the page is (English, for the gallery)
    user: str | None  # a demo user name; None: not logged in
    path: str  # the URL path (or where the link to follow is)
    follow: str = ""  # a selector of a link on `path` to follow (its href is opened)
    click: str = ""  # a selector to click once there (opens an in-place form)
    wait_for: str = ""  # a selector to wait for after the click
    status: int = 200
    full_page: bool = False  # the whole page, not only the first screen

    def label(self) -> str:
        who = {
            ADMIN: "管理者",
            COUNCIL_ADMIN: "管理者",
            STAFF: "部署担当",
            CITY_STAFF: "部署担当",
            APPROVER: "承認者",
            VIEWER: "閲覧",
            OPERATOR: "operator",
            None: "anonymous",
        }[self.user]
        return f"{self.title} ({who})"


C = f"/plans/{CITY}"
A = f"/plans/{ACTION}"
PAGE_TYPES: list[PageType] = [
    PageType("login", "Login", None, "/accounts/login/"),
    PageType("todo-staff", "To-do", STAFF, "/todo/"),
    PageType("todo-approver", "To-do", APPROVER, "/todo/"),
    PageType("todo-admin", "To-do", COUNCIL_ADMIN, "/todo/"),
    PageType("plan-list", "Plan list", ADMIN, "/"),
    PageType("plan-tree", "Plan tree", ADMIN, f"{C}/"),
    PageType(
        "item",
        "Item page with its indicators and FY2019 progress",
        ADMIN,
        f"{C}/nodes/C1/",
        full_page=True,
    ),
    PageType("indicators", "Indicators of a plan", ADMIN, f"{C}/indicators/"),
    PageType("years", "Indicators over the years", ADMIN, f"{C}/years/"),
    PageType("roadmap", "Roadmap (工程表)", COUNCIL_ADMIN, f"{A}/roadmap/"),
    PageType("matrix", "Consistency matrix with another plan", ADMIN, f"{C}/matrix/{OTHER}/"),
    PageType("sdgs", "SDGs per goal", ADMIN, f"{C}/sdgs/"),
    PageType("history", "History of a plan", ADMIN, f"{C}/history/"),
    PageType("editor", "Editor of an item", COUNCIL_ADMIN, f"{A}/edit/nodes/item-16/"),
    PageType(
        "editor-form",
        "Editor with a schedule cell's form open",
        COUNCIL_ADMIN,
        f"{A}/edit/nodes/item-16/",
        click="td.editable a >> nth=2",
        wait_for="#edit-form",
    ),
    PageType("workbook", "Plan workbook upload", COUNCIL_ADMIN, "/workbook/"),
    PageType("round-board", "Round board", COUNCIL_ADMIN, f"{A}/rounds/2019/"),
    PageType(
        "sheet",
        "A department's sheet",
        STAFF,
        "/todo/",
        follow="main a:has-text('総務課')",
    ),
    PageType(
        "review",
        "A submitted sheet, for the 承認者",
        APPROVER,
        "/todo/",
        follow="main a:has-text('福祉支援課')",
    ),
    PageType(
        "confirm",
        "Confirmation before closing a round",
        COUNCIL_ADMIN,
        f"{A}/rounds/2019/confirm/close/",
    ),
    PageType("progress", "Progress overview of a FY", VIEWER, f"{C}/progress/2019/"),
    PageType("dashboard", "Dashboard", ADMIN, "/dashboard/"),
    PageType("progress-indicator", "An indicator's progress", VIEWER, f"{C}/indicators/I-1-1/"),
    PageType(
        "report", "Committee report (委員会資料)", VIEWER, f"{C}/report/2019/", full_page=True
    ),
    PageType("final-board", "Final evaluation board", ADMIN, f"{C}/final/"),
    PageType(
        "final-sheet",
        "A department's final evaluation sheet",
        CITY_STAFF,
        "/todo/",
        follow="main a:has-text('地域共生課')",
    ),
    PageType("final-report", "Final evaluation report", ADMIN, f"{C}/report/final/"),
    PageType("next-plan", "Making the next plan", ADMIN, f"{C}/next-plan/"),
    PageType("opinions", "Opinions of the committee", ADMIN, f"{C}/opinions/"),
    PageType("opinion", "An opinion", ADMIN, f"{C}/opinions/2019/1/"),
    PageType("opinion-form", "Recording an opinion", VIEWER, f"{C}/opinions/new/"),
    PageType("staff-list", "Staff list (職員)", COUNCIL_ADMIN, "/staff/nishitokyo-shakyo/"),
    PageType(
        "staff-person",
        "A person",
        COUNCIL_ADMIN,
        "/staff/nishitokyo-shakyo/",
        follow="main table a >> nth=0",
    ),
    PageType("staff-organizations", "Organizations, for the operator", OPERATOR, "/staff/"),
    PageType("audit", "Audit log", OPERATOR, "/audit/"),
    PageType("notifications", "Notifications", APPROVER, "/notifications/"),
    PageType("search", "Search results", ADMIN, "/search/?q=防災"),
    PageType("public-index", "Public pages: index", None, "/public/"),
    PageType("public-plan", "Public pages: a plan", None, f"/public/{CITY}/", full_page=True),
    PageType("public-goal", "Public pages: a goal", None, f"/public/{CITY}/nodes/C1/"),
    PageType(
        "public-indicator", "Public pages: an indicator", None, f"/public/{CITY}/indicators/I-1-2/"
    ),
    PageType(
        "public-summary", "Public pages: the FY summary", None, f"/public/{CITY}/2019/summary/"
    ),
    PageType("error-404", "Page not found", ADMIN, "/plans/no-such-plan/", status=404),
]
