"""Every download is named in Japanese (plan title, 和暦 FY, kind of document) with an RFC 5987
filename* and an ASCII fallback, and the audit log records the Japanese name."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from shinchoku.audit.models import Action, AuditEvent
from shinchoku.plans.models import Plan
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
KATSUDO = "nishitokyo-katsudo-4"
CITY = "nishitokyo-chiiki-fukushi-4"
HEADER = re.compile(r'^(attachment|inline); filename="([\x20-\x7e]+)"; filename\*=UTF-8\'\'(\S+)$')


def names(response) -> tuple[str, str]:
    """(ASCII fallback, UTF-8 name) of a response's Content-Disposition."""
    found = HEADER.match(response["Content-Disposition"])
    assert found, response["Content-Disposition"]
    fallback, quoted = found.group(2), found.group(3)
    assert "%" in quoted or quoted.isascii()
    return fallback, unquote(quoted)


def title(slug: str) -> str:
    return Plan.objects.get(slug=slug).title


@pytest.mark.django_db
def test_committee_report_xlsx_is_named_with_title_wareki_fy_and_kind():
    viewer = login_client("dl-viewer", role="viewer", org_slug=CITY_ORG)
    response = viewer.get(reverse("reports:xlsx", args=[CITY, 2019]))
    assert response.status_code == 200
    fallback, name = names(response)
    assert name == f"{title(CITY)}_令和元年度_委員会資料.xlsx"
    assert fallback == f"{CITY}_2019_report.xlsx"
    event = AuditEvent.objects.filter(action=Action.DOWNLOAD).latest("created")
    assert event.filename == name


@pytest.mark.django_db
def test_plan_workbook_matrix_sdgs_and_opinions():
    admin = login_client("dl-admin", role="admin")
    _, name = names(admin.get(reverse("plans:plan_workbook", args=[ACTION])))
    assert name == f"{title(ACTION)}_計画ワークブック.xlsx"
    _, name = names(admin.get(reverse("plans:matrix_xlsx", args=[ACTION, KATSUDO])))
    assert name == f"{title(ACTION)}_整合表_{title(KATSUDO)}.xlsx"
    _, name = names(admin.get(reverse("plans:sdgs_xlsx", args=[ACTION])))
    assert name == f"{title(ACTION)}_SDGs対応表.xlsx"
    response = admin.get(reverse("reviews:xlsx", args=[ACTION]))
    fallback, name = names(response)
    assert name == f"{title(ACTION)}_意見一覧.xlsx" and fallback == f"{ACTION}_opinions.xlsx"
    response = admin.get(reverse("reviews:xlsx", args=[ACTION]) + "?fy=2019")
    assert names(response)[1] == f"{title(ACTION)}_令和元年度_意見一覧.xlsx"


@pytest.mark.django_db
def test_staff_roster_and_audit_csv():
    admin = login_client("dl-roster", role="admin")
    org = admin.user.membership.organization
    fallback, name = names(admin.get(reverse("staff:roster_download", args=[org.slug])))
    assert name == f"職員名簿_{org.name}.xlsx" and fallback == f"staff_{org.slug}.xlsx"
    event = AuditEvent.objects.filter(action=Action.DOWNLOAD).latest("created")
    assert event.filename == name
    fallback, name = names(admin.get(reverse("audit:csv")))
    assert re.fullmatch(r"監査ログ_\d{8}\.csv", name)
    assert re.fullmatch(r"audit-log_\d{8}\.csv", fallback)
