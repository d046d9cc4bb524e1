"""Every page and every form speaks the chosen language: Japanese in `ja`, English in `en`.

Every named URL pattern (django.urls' resolver, walked) has a case below: a page rendered with
real demo objects as a role that sees it, or a reason it renders no page (a file, a POST-only
step). A new URL without a case fails `test_every_url_has_a_case`. The forms are rendered
unbound (GET) and with errors (an empty POST, rolled back).

What counts as untranslated:
- in `ja`, a gettext msgid with no Japanese translation in the catalogues (Django's gettext is
  watched while the page renders), and an English word on the page (text, labels, options,
  title / placeholder / aria-label / alt, button values) that is neither data (it occurs in the
  database) nor in a Japanese translation (「Excelで開く」 says Excel on purpose);
- in `en`, Japanese text on the page that is neither data, nor a date or fiscal year (和暦 is
  always shown, with the western year), nor in an English translation (“e.g. 基本目標”).

Both the demo action plan and the fixture council's plan (tests/fixtures/other_shape_plan.xlsx,
four levels, no indicators) are walked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.translation import trans_real

from tests.conftest import CITY_ORG, COUNCIL, login_client

ACTION = "nishitokyo-action-plan-2019"  # the council's action plan (contents, indicators)
CITY = "nishitokyo-chiiki-fukushi-4"  # the city's plan: the published demo round of FY2019
MIDORI, MIDORI_ORG = "midori-katsudo-3", "midori-shakyo"  # the fixture council's plan
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "other_shape_plan.xlsx"

# Pages that render no HTML page to read: files, and steps that only take a POST and redirect.
NO_PAGE = {
    "favicon": "a redirect to the icon",
    "set_language": "POST-only: sets the cookie",
    "accounts:logout": "POST-only",
    "accounts:unlock": "POST-only",
    "public:summary_pdf": "a PDF file",
    "plans:print_css": "a stylesheet (the printed pages' running header)",
    "public:csv": "open data (CSV)",
    "public:json": "open data (JSON)",
    "public:csv_fy": "open data (CSV)",
    "public:json_fy": "open data (JSON)",
    "audit:csv": "a CSV file",
    "staff:roster_download": "an xlsx file",
    "staff:roster_apply": "POST-only",
    "staff:set_active": "POST-only",
    "staff:resend": "POST-only",
    "staff:cancel_transfer": "POST-only",
    "notify:open": "a redirect to what the notification is about",
    "notify:read_all": "POST-only",
    "notify:round_retry": "POST-only",
    "notify:final_retry": "POST-only",
    "reports:xlsx": "an xlsx file",
    "reports:pdf": "POST-only: starts the PDF job",
    "reports:pdf_job": "the job's status for a token made by a POST",
    "reports:pdf_file": "a PDF file",
    "reports:final_xlsx": "an xlsx file",
    "reports:final_pdf": "POST-only: starts the PDF job",
    "reports:final_pdf_job": "the job's status for a token made by a POST",
    "reports:final_pdf_file": "a PDF file",
    "rounds:close": "POST-only (its confirmation page is rounds:confirm)",
    "rounds:reopen": "POST-only (its confirmation page is rounds:confirm)",
    "rounds:publish": "POST-only (its confirmation page is rounds:confirm)",
    "rounds:remind": "POST-only",
    "rounds:submit": "POST-only",
    "rounds:return": "POST-only",
    "rounds:approve": "POST-only",
    "rounds:copy_last_year": "POST-only",
    "rounds:sheet_xlsx": "an xlsx file",
    "rounds:final_open": "POST-only (its form is on rounds:list)",
    "rounds:final_close": "POST-only (its confirmation page is rounds:final_confirm)",
    "rounds:final_reopen": "POST-only (its confirmation page is rounds:final_confirm)",
    "rounds:final_submit": "POST-only",
    "rounds:final_return": "POST-only",
    "rounds:final_approve": "POST-only",
    "rounds:final_sheet_xlsx": "an xlsx file",
    "reviews:xlsx": "an xlsx file",
    "reviews:status": "POST-only",
    "reviews:assign": "POST-only",
    "reviews:public": "POST-only",
    "evaluations:adopt": "POST-only",
    "plans:link_decision": "POST-only: accepts or declines a link, shown on plans:detail",
    "plans:workbook_confirm": "POST-only: the preview is the answer of plans:workbook_upload",
    "plans:matrix_xlsx": "an xlsx file",
    "plans:sdgs_xlsx": "an xlsx file",
    "plans:workbook_template": "an xlsx file",
    "plans:plan_workbook": "an xlsx file",
    "plans:move_object": "POST-only: moves a row up or down and redirects",
    "businesses:report_pdf": "a PDF file",
    "businesses:report_xlsx": "an xlsx file",
    "businesses:register_xlsx": "an xlsx file",
    "businesses:register_apply": "POST-only: the preview is the answer of register_upload",
}
NO_PAGE_NAMESPACES = {"admin": "the Django admin, translated by Django itself"}


def url_names() -> Iterator[str]:
    """Every named URL pattern of the project, with its namespace."""

    def walk(resolver: URLResolver, ns: str) -> Iterator[str]:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, ns + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield ns + p.name

    yield from walk(get_resolver(), "")


# --------------------------------------------------------------------------- the scene


@dataclass
class Scene:
    """The demo data with one of everything a page needs, and a client for each role."""

    clients: dict[str, Client]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def build_scene() -> Scene:
    from shinchoku.orgs.models import Organization
    from shinchoku.plans.models import Content, Indicator, Node, PendingUpload, Plan, Section
    from shinchoku.reviews import services as reviews
    from shinchoku.rounds import final_services, services
    from shinchoku.rounds.demo import load_demo_round
    from shinchoku.rounds.models import Round

    load_demo_round()
    from shinchoku.businesses import demo_register

    register = demo_register.load()
    Organization.objects.create(slug=MIDORI_ORG, name="みどり市社会福祉協議会", kind="council")
    clients = {
        "anonymous": Client(),
        "federation": login_client("lang-federation", superuser=True),
        "admin": login_client("lang-admin", role="admin"),
        "city_admin": login_client("lang-city-admin", role="admin", org_slug=CITY_ORG),
        "staff": login_client("lang-staff", role="staff", departments=("福祉支援課",)),
        "approver": login_client("lang-chief", role="approver", departments=("福祉支援課",)),
        "midori_admin": login_client("lang-midori", role="admin", org_slug=MIDORI_ORG),
    }
    upload = {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())}
    assert clients["midori_admin"].post(reverse("plans:workbook_upload"), upload).status_code == 200
    token = PendingUpload.objects.get(user=clients["midori_admin"].user).token
    assert (
        clients["midori_admin"].post(reverse("plans:workbook_confirm", args=[token])).status_code
        == 302
    )
    s = Scene(clients)
    s.objects["business"] = register[0]
    index = clients["admin"].get(reverse("plans:matrix_index", args=[ACTION])).content.decode()
    s.objects["matrix_other"] = re.findall(rf"/plans/{ACTION}/matrix/([\w-]+)/", index)[0]
    admin = clients["admin"].user
    for slug in (ACTION, MIDORI, CITY):
        plan = Plan.objects.get(slug=slug)
        leaf = Node.objects.filter(plan=plan, children__isnull=True).order_by("seq").first()
        s.objects[slug] = {
            "plan": plan,
            "node": leaf,
            "top": Node.objects.filter(plan=plan, parent=None).order_by("seq").first(),
            "section": Section.objects.filter(node__plan=plan).first(),
            "content": Content.objects.filter(node__plan=plan).first(),
            "indicator": Indicator.objects.filter(node__plan=plan).first(),
        }
    action = s[ACTION]["plan"]
    midori = s[MIDORI]["plan"]
    yearly = services.open_round(action, 2019, date(2020, 5, 31), admin)
    s.objects["yearly"] = yearly
    s.objects["sheet"] = yearly.reports.get(department__name="福祉支援課")
    midori_round = services.open_round(
        midori, 2024, date(2025, 5, 31), clients["midori_admin"].user
    )
    s.objects["midori_sheet"] = midori_round.reports.first()
    final = final_services.open_final_round(action, date(2024, 5, 31), admin)
    s.objects["final_sheet"] = final.reports.get(department__name="福祉支援課")
    s.objects["city_round"] = Round.objects.get(plan__slug=CITY, fy=2019, kind=Round.Kind.YEARLY)
    outside = Plan.objects.filter(organization__slug=COUNCIL).exclude(owner_name="").first()
    s.objects["outside"] = outside.slug if outside else None
    rotation_scene(s)
    # The council's FY2020 business evaluation round, with one completed evaluation.
    from shinchoku.businesses.models import Business, BusinessEvaluation, EvaluationRound

    council = Organization.objects.get(slug=COUNCIL)
    business, _ = Business.objects.get_or_create(
        organization=council,
        code="lang-1",
        defaults={"name": "言語確認の事業", "department": council.departments.first()},
    )
    business.businessnode_set.get_or_create(node=s[ACTION]["node"])
    evaluation_round, _ = EvaluationRound.objects.get_or_create(
        organization=council, fiscal_year=2020
    )
    BusinessEvaluation.objects.get_or_create(
        round=evaluation_round,
        business=business,
        defaults={"stage": "done", "director_judgement": "継続", "director_reason": "継続する"},
    )
    s.objects["opinion"] = reviews.create_opinion(
        action,
        2019,
        "見守り活動の担い手を増やしてほしい",
        user=admin,
        node_key=s[ACTION]["node"].key,
    )
    s.objects["evaluation_sheets"] = evaluation_sheets()
    return s


def rotation_scene(s: Scene) -> None:
    """事務事業 of the council and of the fixture council, each in a saved rotation with its first
    year's round started (one sheet completed)."""
    from shinchoku.businesses import rotation, rounds
    from shinchoku.businesses.models import Business, Stage
    from shinchoku.orgs.models import Organization

    for slug, who, first_fy in ((COUNCIL, "admin", 2020), (MIDORI_ORG, "midori_admin", 2024)):
        org = Organization.objects.get(slug=slug)
        for n, department in enumerate(org.departments.order_by("order", "id")[:3]):
            for k in range(2):
                Business.objects.create(
                    organization=org,
                    code=f"R-{n}{k}",
                    name=f"{department.name}の評価事業{k + 1}",
                    department=department,
                    purpose="地域の見守りを広げる",
                )
        user = s.clients[who].user
        proposal = rotation.propose(org, first_fy)
        rotation.save_proposal(org, first_fy, proposal.assignment, user=user, version=0)
        round_ = rounds.start_round(org, first_fy, user)
        round_.evaluations.filter(pk=round_.evaluations.first().pk).update(
            stage=Stage.DONE, self_judgement="継続", director_judgement="拡充"
        )


def evaluation_sheets() -> dict[str, Any]:
    """An evaluation sheet of the demo council at each stage, and one of the fixture council."""
    from shinchoku.businesses.models import Stage
    from shinchoku.orgs.models import Department
    from tests.businesses.sheet_helpers import make_sheet

    judged = {"self_judgement": "継続", "chief_judgement": "継続", "director_judgement": "拡充"}
    sheets = {
        stage: make_sheet(code=f"L-{n}", stage=stage, **(judged if stage == Stage.DONE else {}))
        for n, stage in enumerate(Stage.values)
    }
    dept = Department.objects.filter(organization__slug=MIDORI_ORG).first()
    sheets["midori"] = make_sheet(org=MIDORI_ORG, dept=dept, code="M-1")
    return sheets


def evaluation_sheet(*pairs: tuple[str, str], stage: str = "") -> Case:
    """The sheets (which, client) with the sheet's organization and FY, and a stage to post to."""

    def visits(s: Scene) -> list[Visit]:
        out = []
        for which, who in pairs:
            sheet = s["evaluation_sheets"][which]
            args = [sheet.round.organization.slug, sheet.round.fiscal_year, sheet.pk]
            out.append((who, args + ([stage] if stage else [])))
        return out

    return visits


# --------------------------------------------------------------------------- the cases

Visit = tuple[str, list[Any]]  # (client, args of reverse)
Case = Callable[[Scene], list[Visit]]


def plan_pages(*slugs: str, who: str = "admin") -> Case:
    return lambda s: [(who if slug != MIDORI else "midori_admin", [slug]) for slug in slugs]


def obj(kind: str, *slugs: str) -> Case:
    """An editor page of a section, content or indicator of each plan that has one."""

    def visits(s: Scene) -> list[Visit]:
        out = []
        for slug in slugs:
            o = s[slug][kind]
            if o is not None:
                out.append(("midori_admin" if slug == MIDORI else "admin", [slug, kind, o.pk]))
        return out

    return visits


def sheet(name: str) -> Case:
    def visits(s: Scene) -> list[Visit]:
        r, m = s["sheet"], s["midori_sheet"]
        return [
            ("staff", [ACTION, 2019, r.department_id]),
            ("midori_admin", [MIDORI, 2024, m.department_id]),
        ]

    return visits


BOTH = (ACTION, MIDORI)
CASES: dict[str, Case] = {
    "accounts:login": lambda s: [("anonymous", [])],
    "accounts:password_change": lambda s: [("staff", [])],
    "accounts:password_change_done": lambda s: [("staff", [])],
    "accounts:password_reset": lambda s: [("anonymous", [])],
    "accounts:password_reset_done": lambda s: [("anonymous", [])],
    "accounts:password_reset_confirm": lambda s: [("anonymous", ["MQ", "bad-token"])],
    "accounts:password_reset_complete": lambda s: [("anonymous", [])],
    "accounts:invitation_accept": lambda s: [("anonymous", ["MQ", "bad-token"])],
    "accounts:locked": lambda s: [("federation", [])],
    "public:index": lambda s: [("anonymous", [])],
    "public:plan": lambda s: [("anonymous", [CITY])],
    "public:node": lambda s: [("anonymous", [CITY, s[CITY]["node"].key])],
    "public:indicator": lambda s: [("anonymous", [CITY, s[CITY]["indicator"].key])],
    "public:summary": lambda s: [("anonymous", [CITY, 2019])],
    "audit:list": lambda s: [("admin", [])],
    "todo:page": lambda s: [("admin", []), ("staff", [])],
    "staff:index": lambda s: [("federation", [])],
    "staff:list": lambda s: [("admin", [COUNCIL])],
    "staff:add": lambda s: [("admin", [COUNCIL])],
    "staff:roster_upload": lambda s: [("admin", [COUNCIL])],
    "staff:person": lambda s: [("admin", [COUNCIL, s.clients["staff"].user.pk])],
    "staff:transfer": lambda s: [("admin", [COUNCIL, s.clients["staff"].user.pk])],
    "notify:list": lambda s: [("staff", [])],
    "notify:preferences": lambda s: [("staff", [])],
    "search:page": lambda s: [("admin", [])],
    "reports:index": lambda s: [("city_admin", [CITY])],
    "reports:committee": lambda s: [("city_admin", [CITY, 2019])],
    "reports:final": plan_pages(ACTION),
    "rounds:list": plan_pages(ACTION, MIDORI),
    "rounds:settings": plan_pages(ACTION, MIDORI),
    "rounds:board": lambda s: [("admin", [ACTION, 2019]), ("city_admin", [CITY, 2019])],
    "rounds:confirm": lambda s: [
        ("admin", [ACTION, 2019, "close"]),
        ("city_admin", [CITY, 2019, "reopen"]),
    ],
    "rounds:sheet": sheet("sheet"),
    "rounds:sheet_upload": sheet("upload"),
    "rounds:overview_latest": lambda s: [("admin", [ACTION]), ("city_admin", [CITY])],
    "rounds:overview": lambda s: [("admin", [ACTION, 2019]), ("city_admin", [CITY, 2019])],
    "rounds:indicator": lambda s: [("city_admin", [CITY, s[CITY]["indicator"].key])],
    "rounds:dashboard": lambda s: [("city_admin", []), ("staff", [])],
    "rounds:final_board": plan_pages(ACTION),
    "rounds:final_confirm": lambda s: [("admin", [ACTION, "close"])],
    "rounds:final_sheet": lambda s: [("staff", [ACTION, s["final_sheet"].department_id])],
    "rounds:final_sheet_upload": lambda s: [("staff", [ACTION, s["final_sheet"].department_id])],
    "reviews:list": plan_pages(ACTION),
    "reviews:new": plan_pages(ACTION),
    "reviews:detail": lambda s: [("admin", [ACTION, 2019, s["opinion"].number])],
    "reviews:edit": lambda s: [("admin", [ACTION, 2019, s["opinion"].number])],
    "reviews:answer": lambda s: [("admin", [ACTION, 2019, s["opinion"].number])],
    "businesses:rotation": lambda s: [
        ("admin", [COUNCIL]),
        ("staff", [COUNCIL]),
        ("midori_admin", [MIDORI_ORG]),
    ],
    "businesses:rotation_cycle": lambda s: [("admin", [COUNCIL, 2020])],
    "businesses:rotation_propose": lambda s: [("admin", [COUNCIL])],
    "businesses:rotation_move": lambda s: [("admin", [COUNCIL, 2020])],
    "businesses:round_list": lambda s: [("admin", [COUNCIL]), ("midori_admin", [MIDORI_ORG])],
    "businesses:round_start": lambda s: [("admin", [COUNCIL])],
    "businesses:round": lambda s: [
        ("admin", [COUNCIL, 2020]),
        ("staff", [COUNCIL, 2020]),
        ("midori_admin", [MIDORI_ORG, 2024]),
    ],
    "businesses:round_close": lambda s: [("admin", [COUNCIL, 2020])],
    "evaluations:next_plan": plan_pages(ACTION, MIDORI),
    "businesses:report": lambda s: [("admin", [COUNCIL, 2020])],
    "businesses:policies": plan_pages(ACTION, MIDORI),
    "businesses:evaluation_sheet": evaluation_sheet(
        ("self", "staff"),
        ("chief", "approver"),
        ("director", "admin"),
        ("done", "staff"),
        ("midori", "midori_admin"),
    ),
    "businesses:evaluation_stage": evaluation_sheet(("self", "staff"), stage="self"),
    "businesses:evaluation_return": evaluation_sheet(("chief", "approver"), stage="chief"),
    "plans:list": lambda s: [("admin", []), ("federation", [])],
    "plans:detail": plan_pages(*BOTH),
    "plans:roadmap": plan_pages(*BOTH),
    "plans:indicators": plan_pages(*BOTH),
    "plans:indicator_years": plan_pages(*BOTH),
    "plans:node": lambda s: [
        ("admin", [ACTION, s[ACTION]["node"].key]),
        ("midori_admin", [MIDORI, s[MIDORI]["node"].key]),
    ],
    "plans:history": plan_pages(*BOTH),
    "plans:node_history": lambda s: [
        ("admin", [ACTION, s[ACTION]["node"].key]),
        ("midori_admin", [MIDORI, s[MIDORI]["node"].key]),
    ],
    "plans:matrix_index": plan_pages(ACTION),
    "plans:matrix": lambda s: [("admin", [ACTION, s["matrix_other"]])],
    "plans:sdgs": plan_pages(*BOTH),
    "plans:outside_list": lambda s: [("admin", [])],
    "plans:outside_new": lambda s: [("admin", [])],
    "plans:outside_edit": lambda s: [("admin", [s["outside"]])] if s.objects.get("outside") else [],
    "plans:outside_delete": lambda s: (
        [("admin", [s["outside"]])] if s.objects.get("outside") else []
    ),
    "plans:workbook": lambda s: [("admin", [])],
    "plans:workbook_upload": lambda s: [("admin", [])],
    "plans:create": lambda s: [("admin", [])],
    "plans:edit": plan_pages(*BOTH),
    "plans:edit_plan": plan_pages(*BOTH),
    "plans:add_node": plan_pages(*BOTH),
    "plans:edit_node": lambda s: [
        ("admin", [ACTION, s[ACTION]["node"].key]),
        ("midori_admin", [MIDORI, s[MIDORI]["node"].key]),
    ],
    "plans:edit_node_form": lambda s: [
        ("admin", [ACTION, s[ACTION]["node"].key]),
        ("midori_admin", [MIDORI, s[MIDORI]["node"].key]),
    ],
    "plans:move_node": lambda s: [("admin", [ACTION, s[ACTION]["node"].key])],
    "plans:delete_node": lambda s: [("admin", [ACTION, s[ACTION]["node"].key])],
    "plans:add_object": lambda s: (
        [("admin", [ACTION, kind]) for kind in ("section", "content", "indicator")]
        + [("midori_admin", [MIDORI, "content"])]
    ),
    "plans:edit_object": lambda s: [
        *obj("section", *BOTH)(s),
        *obj("content", *BOTH)(s),
        *obj("indicator", *BOTH)(s),
    ],
    "plans:delete_object": lambda s: obj("content", *BOTH)(s),
    "plans:schedule_cell": lambda s: [("admin", [ACTION, s[ACTION]["content"].pk, 2020])],
    "plans:target_cell": lambda s: [("admin", [ACTION, s[ACTION]["indicator"].pk, 2020])],
    "businesses:index": lambda s: [("federation", []), ("staff", [])],
    "businesses:register": lambda s: [
        ("admin", [COUNCIL]),
        ("staff", [COUNCIL]),
        ("midori_admin", [MIDORI_ORG]),
    ],
    "businesses:business": lambda s: [("admin", [COUNCIL, s["business"].pk])],
    "businesses:business_new": lambda s: [("admin", [COUNCIL])],
    "businesses:business_edit": lambda s: [("admin", [COUNCIL, s["business"].pk])],
    "businesses:business_years": lambda s: [("admin", [COUNCIL, s["business"].pk])],
    "businesses:register_settings": lambda s: [("admin", [COUNCIL])],
    "businesses:register_upload": lambda s: [("admin", [COUNCIL])],
}

# Query strings a page needs to show what it is for, by URL name: (scene, args) → query.
QUERY: dict[str, Callable[[Scene, list[Any]], dict[str, str]]] = {
    "search:page": lambda s, args: {"q": "防災"},
    # one date in 和暦, one wrong: the form with its error
    "audit:list": lambda s, args: {"since": "令和元年5月1日", "until": "2019-05-31x"},
    "plans:add_object": lambda s, args: {"node": s[args[0]]["node"].key},
    "businesses:rotation_propose": lambda s, args: {"first_fy": "2023"},
    "businesses:round_start": lambda s, args: {"fy": "2021"},
}
# What a form is sent with when an empty POST shows nothing: the workbook's preview.
FORM_DATA: dict[str, Callable[[], dict[str, Any]]] = {
    "plans:workbook_upload": lambda: {
        "file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())
    },
    "businesses:register_upload": lambda: {"file": changed_register()},
}


def changed_register() -> SimpleUploadedFile:
    """The council's register workbook with a business renamed, one left out and one added (the
    texts typed are texts of the demo data, which the preview shows as they are)."""
    import io

    from openpyxl import load_workbook

    from shinchoku.businesses.register_xlsx import write_register
    from shinchoku.orgs.models import Organization

    wb = load_workbook(io.BytesIO(write_register(Organization.objects.get(slug=COUNCIL))))
    ws = wb["事務事業"]
    ws["B3"] = "任意後見事業"
    ws.delete_rows(4)
    ws.append(["N-1", "法人後見事業", "総務課", "総務課"])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("register.xlsx", out.getvalue())


# Forms shown on another page, whose URL takes only a POST: rendered with their errors only.
POST_ONLY = {
    "businesses:evaluation_stage",
    "businesses:evaluation_return",
    "staff:roster_upload",
    "staff:transfer",
    "rounds:sheet_upload",
    "rounds:final_sheet_upload",
    "reviews:answer",
    "plans:link_decision",
    "plans:workbook_upload",
    "businesses:rotation_move",
    "businesses:register_upload",
}
# Forms rendered with their errors: an empty POST to the page's own URL (rolled back).
FORMS = {
    "accounts:login",
    "accounts:password_change",
    "accounts:password_reset",
    "staff:add",
    "staff:person",
    "staff:transfer",
    "staff:roster_upload",
    "notify:preferences",
    "rounds:list",
    "rounds:settings",
    "rounds:sheet_upload",
    "reviews:new",
    "reviews:edit",
    "reviews:answer",
    "plans:outside_new",
    "plans:workbook_upload",
    "plans:create",
    "plans:edit_plan",
    "plans:add_node",
    "plans:edit_node_form",
    "plans:add_object",
    "plans:edit_object",
    "plans:move_node",
    "plans:schedule_cell",
    "plans:target_cell",
    "businesses:rotation_propose",
    "businesses:round_start",
    "businesses:round_close",
    "businesses:business_new",
    "businesses:business_edit",
    "businesses:business_years",
    "businesses:register_settings",
    *POST_ONLY,
}


def test_every_url_has_a_case() -> None:
    names = set(url_names())
    missing = sorted(
        n
        for n in names
        if n not in CASES and n not in NO_PAGE and n.split(":")[0] not in NO_PAGE_NAMESPACES
    )
    assert missing == [], "URLs without a case in tests/test_every_page_language.py"
    assert sorted(set(CASES) - names) == [] and sorted(set(NO_PAGE) - names) == []


# --------------------------------------------------------------------------- what is read


JAPANESE = re.compile(r"[\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff々〆]+")  # not ・
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
# 和暦 dates and fiscal years are shown in both languages (with the western year).
DATES = re.compile(
    r"(?:令和|平成|昭和|大正|明治)(?:元|\d+)年度?(?:\d+月(?:\d+日)?)?"
    r"|\d+年度?(?:\d+月(?:\d+日)?)?|\d+月\d+日|年度"
)
# Words that are the same in Japanese text (names of formats and of the UN goals).
ENGLISH_IN_JAPANESE = {"PDF", "Excel", "CSV", "JSON", "SDGs", "FY", "xlsx", "ID", "URL", "No"}
# The language switcher names each language in itself.
LANGUAGE_NAMES = {"English", "日本語"}
URLS = re.compile(r"https?://\S+")
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class VisibleText(HTMLParser):
    """The text a person reads: text nodes, labels, options, some attributes, button values."""

    SKIP = {"script", "style", "textarea", "code", "pre"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in self.SKIP:
            self._skip += 1
        for name in SHOWN_ATTRIBUTES:
            if a.get(name):
                self.parts.append(a[name] or "")
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append(a["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def data_text() -> str:
    """Every text stored in the database, the data pages show (names, plans, opinions…).

    With the vocabulary a plan starts with and may change in its settings (statuses, bands,
    scales): the plan's own words, shown as they are in both languages.
    """
    from shinchoku.core import achievement, evaluations
    from shinchoku.rounds import models as round_models

    chunks: list[str] = [
        json.dumps(getattr(round_models, name), ensure_ascii=False)
        for name in dir(round_models)
        if name.startswith(("DEFAULT_", "SCALE_PRESETS", "NO_NUMBERS"))
    ]
    # The last band of every plan's list (判定不可) and the unrated evaluation (未評価) stand
    # with the plan's own band names (達成, 概ね達成…), which are shown as the plan writes them.
    chunks += [achievement.UNDETERMINED, evaluations.UNRATED]
    for model in apps.get_models():
        if model._meta.label in ("sessions.Session",):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for v in row:
                if isinstance(v, str):
                    chunks.append(v)
                elif v is not None:
                    chunks.append(json.dumps(v, ensure_ascii=False))
    return "\n".join(chunks)


@dataclass
class Watch:
    """What gettext was asked while a page rendered: untranslated msgids and translations."""

    language: str = "ja"
    untranslated: set[str] = field(default_factory=set)
    translations: list[str] = field(default_factory=list)


def watch_gettext(monkeypatch: pytest.MonkeyPatch, watch: Watch) -> None:
    cls = trans_real.DjangoTranslation
    original_gettext, original_ngettext = cls.gettext, cls.ngettext

    def known(self, key: Any) -> bool:
        catalog = self._catalog
        return key in catalog

    def gettext(self, message: str) -> str:
        result = original_gettext(self, message)
        if watch.language == self.language() or self.language().startswith(watch.language):
            if message in LANGUAGE_NAMES:
                pass
            elif watch.language == "en":
                watch.translations.append(result)
            elif message and not known(self, message) and result == message:
                watch.untranslated.add(message.split("\x04")[-1])
            else:
                watch.translations.append(result)
        return result

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        result = original_ngettext(self, singular, plural, n)
        if self.language().startswith(watch.language):
            if watch.language == "ja" and not known(self, (singular, 0)):
                watch.untranslated.add(singular.split("\x04")[-1])
            else:
                watch.translations.append(result)
        return result

    monkeypatch.setattr(cls, "gettext", gettext)
    monkeypatch.setattr(cls, "ngettext", ngettext)


class Data:
    """The database's texts, asked many times: whether a word or run occurs in them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = set(ENGLISH.findall(text)) | set(JAPANESE.findall(text))
        self.memo: dict[str, bool] = {}

    def __contains__(self, part: str) -> bool:
        if part in self.words:
            return True
        if part not in self.memo:
            self.memo[part] = part in self.text
        return self.memo[part]


def problems_of(html: str, language: str, watch: Watch, data: Data) -> list[str]:
    """The untranslated texts of one rendered page."""
    said = "\n".join(watch.translations)
    found: list[str] = []
    if language == "ja":
        found += [
            f"msgid without a Japanese translation: {m!r}" for m in sorted(watch.untranslated)
        ]
        for text in visible_text(html):
            for word in ENGLISH.findall(URLS.sub(" ", text)):
                if word in ENGLISH_IN_JAPANESE or word in LANGUAGE_NAMES:
                    continue
                if word in data or word in said:
                    continue
                found.append(f"English in the Japanese UI: {word!r} in {text.strip()[:80]!r}")
    else:
        for text in visible_text(html):
            for run in JAPANESE.findall(DATES.sub(" ", text)):
                if run in LANGUAGE_NAMES or run in data or run in said:
                    continue
                found.append(f"Japanese in the English UI: {run!r} in {text.strip()[:80]!r}")
    return sorted(set(found))


def test_every_page_and_form_speaks_the_chosen_language(
    django_db_blocker, monkeypatch: pytest.MonkeyPatch, db
) -> None:
    scene = build_scene()
    data = Data(data_text())
    watch = Watch()
    watch_gettext(monkeypatch, watch)
    report: dict[str, list[str]] = {}
    seen = 0
    for name, case in CASES.items():
        for who, args in case(scene):
            client = scene.clients[who]
            url = reverse(name, args=args)
            for language in ("ja", "en"):
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                methods = ["post"] if name in POST_ONLY else ["get"]
                methods += ["post"] if name in FORMS - POST_ONLY else []
                for method in methods:
                    watch.language, watch.untranslated, watch.translations = language, set(), []
                    query = QUERY[name](scene, args) if name in QUERY else {}
                    with transaction.atomic():
                        if method == "get":
                            response = client.get(url, query, follow=True)
                        else:
                            post = FORM_DATA[name]() if name in FORM_DATA else {}
                            path = f"{url}?{urlencode(query)}" if query else url
                            response = client.post(path, post, follow=True)
                        transaction.set_rollback(True)
                    where = f"{language} {method.upper()} {url} as {who} ({name})"
                    if response.status_code not in (200, 400, 409, 422):
                        report.setdefault(where, []).append(f"status {response.status_code}")
                        continue
                    if "html" not in response.get("Content-Type", ""):
                        continue
                    seen += 1
                    found = problems_of(response.content.decode(), language, watch, data)
                    if found:
                        report[where] = found
    lines = [f"{where}\n    " + "\n    ".join(found) for where, found in sorted(report.items())]
    assert not report, f"{len(report)} of {seen} pages:\n" + "\n".join(lines)
