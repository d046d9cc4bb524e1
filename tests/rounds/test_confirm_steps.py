"""Confirmation pages before a round is closed, reopened, published or withdrawn (yearly and final):
the board links to them, they say what will happen, their button posts to the step (which keeps
its version check), and only the organization's 管理者 sees them (others 403, outsiders 404)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.plans.models import Plan
from shinchoku.rounds import final_services, services
from shinchoku.rounds.models import Report, Round
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
FY = 2020


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.get(slug=ACTION)


@pytest.fixture
def admin(db) -> Client:
    return login_client("confirm-admin", role="admin")


@pytest.fixture
def round_(plan, admin) -> Round:
    return services.open_round(plan, FY, date(2021, 5, 31), admin.user)


def approve_all(round_: Round) -> None:
    round_.reports.update(status=Report.Status.APPROVED)


def confirm_url(action: str, fy: int = FY) -> str:
    return reverse("rounds:confirm", args=[ACTION, fy, action])


def final_confirm_url(action: str) -> str:
    return reverse("rounds:final_confirm", args=[ACTION, action])


def test_close_page_says_what_happens_and_its_button_closes(round_, admin):
    board = admin.get(reverse("rounds:board", args=[ACTION, FY])).text
    assert confirm_url("close") in board
    assert f'action="{reverse("rounds:close", args=[ACTION, FY])}"' not in board
    approve_all(round_)
    page = admin.get(confirm_url("close"))
    assert page.status_code == 200
    text = page.text
    assert "終了すると、部署は調査票を入力・修正できなくなります。" in text
    assert "承認済みの値がこの進捗調査の結果" in text and "公開ページはまだ変わりません" in text
    assert f'action="{reverse("rounds:close", args=[ACTION, FY])}"' in text
    assert f'name="version" value="{round_.version}"' in text
    response = admin.post(reverse("rounds:close", args=[ACTION, FY]), {"version": round_.version})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert not round_.is_open
    # Once closed, the close page sends the user back to the board.
    assert admin.get(confirm_url("close"))["Location"].endswith(f"/rounds/{FY}/")


def test_close_page_names_departments_still_pending(round_, admin):
    text = admin.get(confirm_url("close")).text
    assert "まだ承認されていない調査票があります。" in text and "福祉支援課" in text
    assert " disabled" in text


def test_publish_unpublish_and_reopen_pages(round_, admin):
    approve_all(round_)
    services.close_round(round_, admin.user, version=round_.version)
    round_.refresh_from_db()
    board = admin.get(reverse("rounds:board", args=[ACTION, FY])).text
    assert confirm_url("publish") in board and confirm_url("reopen") in board
    text = admin.get(confirm_url("publish")).text
    assert "ログインせずに誰でも閲覧できる公開ページ" in text
    assert f'action="{reverse("rounds:publish", args=[ACTION, FY])}"' in text
    assert 'value="unpublish"' not in text
    # A stale version is still refused by the step itself.
    stale = admin.post(reverse("rounds:publish", args=[ACTION, FY]), {"version": 0})
    assert stale.status_code == 409
    admin.post(reverse("rounds:publish", args=[ACTION, FY]), {"version": round_.version})
    round_.refresh_from_db()
    assert round_.published
    assert admin.get(confirm_url("publish")).status_code == 302  # already published

    text = admin.get(confirm_url("unpublish")).text
    assert "公開ページとそのダウンロードから取り下げ" in text and 'value="unpublish"' in text
    text = admin.get(confirm_url("reopen")).text
    assert "再開する理由" in text and 'name="comment"' in text
    assert "公開ページから取り下げられます" in text  # published: reopening withdraws it
    admin.post(
        reverse("rounds:publish", args=[ACTION, FY]),
        {"version": round_.version, "action": "unpublish"},
    )
    round_.refresh_from_db()
    assert not round_.published
    admin.post(
        reverse("rounds:reopen", args=[ACTION, FY]),
        {"version": round_.version, "comment": "数値の訂正"},
    )
    round_.refresh_from_db()
    assert round_.is_open


def test_unknown_step_is_404(round_, admin):
    assert admin.get(confirm_url("delete")).status_code == 404
    assert admin.get(final_confirm_url("publish")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("staff", 403), ("approver", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_the_admin_sees_the_pages(round_, role, status):
    approve_all(round_)
    if role == "outsider":
        client = login_client("confirm-outsider", role="admin", org_slug=CITY_ORG)
    else:
        client = login_client(f"confirm-{role}", role=role, departments=("福祉支援課",))
    for action in ("close", "reopen", "publish", "unpublish"):
        assert client.get(confirm_url(action)).status_code == status
    closed = client.post(reverse("rounds:close", args=[ACTION, FY]), {"version": round_.version})
    assert closed.status_code == status
    round_.refresh_from_db()
    assert round_.is_open


def test_the_federation_operator_may_confirm(round_):
    operator = login_client("confirm-operator", superuser=True)
    assert operator.get(confirm_url("close")).status_code == 200


def test_final_close_and_reopen_pages(plan, admin):
    final = final_services.open_final_round(plan, date(2024, 5, 31), admin.user)
    board = admin.get(reverse("rounds:final_board", args=[ACTION])).text
    assert final_confirm_url("close") in board
    approve_all(final)
    text = admin.get(final_confirm_url("close")).text
    assert "最終評価を終了する" in text and "部署は調査票を入力・修正できなくなります" in text
    assert f'action="{reverse("rounds:final_close", args=[ACTION])}"' in text
    admin.post(reverse("rounds:final_close", args=[ACTION]), {"version": final.version})
    final.refresh_from_db()
    assert not final.is_open
    text = admin.get(final_confirm_url("reopen")).text
    assert "最終評価を再開する" in text and 'name="comment"' in text
    outsider = login_client("final-outsider", role="admin", org_slug=CITY_ORG)
    assert outsider.get(final_confirm_url("reopen")).status_code == 404
    staff = login_client("final-confirm-staff", role="staff", departments=("福祉支援課",))
    assert staff.get(final_confirm_url("reopen")).status_code == 403


def test_a_refused_final_reopen_comes_back_with_the_typed_reason(plan, admin):
    """A stale or versionless reopen keeps what the 管理者 typed: the confirmation page returns
    with the error, the reason in its box and the current version, and confirming it works."""
    final = final_services.open_final_round(plan, date(2024, 5, 31), admin.user)
    approve_all(final)
    services.close_round(final, admin.user)
    final.refresh_from_db()
    seen = final.version
    other = login_client("final-confirm-other", role="admin")
    services.reopen_round(final, other.user, "先に再開")
    services.close_round(final, other.user)
    final.refresh_from_db()
    url = reverse("rounds:final_reopen", args=[ACTION])
    reason = "評価の数値を訂正するため"
    for data, status in (({"comment": reason}, 400), ({"version": seen, "comment": reason}, 409)):
        response = admin.post(url, data)
        assert response.status_code == status
        html = response.text
        assert f"{reason}</textarea>" in html  # typed back into the reason field
        assert f'action="{url}"' in html
        assert f'name="version" value="{final.version}"' in html
    final.refresh_from_db()
    assert not final.is_open
    assert admin.post(url, {"version": final.version, "comment": reason}).status_code == 302
    final.refresh_from_db()
    assert final.is_open
