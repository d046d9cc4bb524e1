"""`shinchoku round …`: a round from the command line, with the board's checks and history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.accounts.models import Membership, Role
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.management.commands.round import parse_fiscal_year
from shinchoku.rounds.models import Round, RoundEvent
from tests.conftest import CITY_ORG, COUNCIL
from tests.public.rounds import approve, filled

ACTION = "nishitokyo-action-plan-2019"
MIDORI = "midori-katsudo-3"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("round", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def member(username: str, org_slug: str, role: str, name: str = ""):
    user = get_user_model().objects.create_user(username, last_name=name or username)
    org = Organization.objects.get(slug=org_slug)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def operator(db):
    """The council's 管理者, named in the history as 運用担当."""
    return member("ops", COUNCIL, Role.ADMIN, "運用担当")


@pytest.fixture
def opened(operator) -> Round:
    run("open", ACTION, "R2", "--deadline", "2021-05-31", "--user", "ops")
    return Round.objects.get(plan__slug=ACTION, fy=2020)


def approve_all(round_: Round, user) -> None:
    for report in round_.reports.all():
        approve(report, user)


# --------------------------------------------------------------------------- open


def test_open_starts_the_round_with_one_sheet_per_department_and_records_the_operator(operator):
    out, _ = run("open", ACTION, "令和2年度", "--deadline", "2021-05-31", "--user", "ops")
    round_ = Round.objects.get(plan__slug=ACTION, fy=2020)
    assert round_.deadline == date(2021, 5, 31) and round_.is_open and not round_.published
    assert round_.reports.count() == len(services.departments_of(round_.plan))
    assert out.strip() == (
        f"{ACTION}\t令和2年度(2020年度)の進捗調査を始めました: "
        f"{round_.reports.count()} 部署、締切 令和3年5月31日(2021年5月31日)"
    )
    event = RoundEvent.objects.get(round=round_)
    assert (event.action, event.user, event.user_name) == ("open", operator, "運用担当")


def test_open_is_refused_outside_the_plan_period_and_twice(opened):
    with pytest.raises(CommandError, match=r"令和22年度\(2040年度\)は計画期間の外です"):
        run("open", ACTION, "2040", "--deadline", "2041-05-31", "--user", "ops")
    with pytest.raises(CommandError, match="既にあります"):
        run("open", ACTION, "2020", "--deadline", "2021-05-31", "--user", "ops")
    assert Round.objects.filter(plan__slug=ACTION).count() == 1
    assert RoundEvent.objects.filter(round=opened).count() == 1


@pytest.mark.parametrize("deadline", ["2021-02-30", "31/05/2021", "来年", ""])
def test_open_needs_a_real_date_and_names_the_option(operator, deadline):
    args = ["open", ACTION, "2020", "--user", "ops"]
    with pytest.raises(CommandError, match="--deadline"):
        run(*args, "--deadline", deadline)
    with pytest.raises(CommandError, match="--deadline"):
        run(*args)
    assert not Round.objects.filter(plan__slug=ACTION).exists()


def test_a_wareki_deadline_is_read_too(operator):
    run("open", ACTION, "2020", "--deadline", "令和3年6月30日", "--user", "ops")
    assert Round.objects.get(plan__slug=ACTION, fy=2020).deadline == date(2021, 6, 30)


@pytest.mark.parametrize(
    "text,fy",
    [
        ("2020", 2020),
        ("2020年度", 2020),
        ("R2", 2020),
        ("r2", 2020),
        ("令和2", 2020),
        ("令和２年度", 2020),
        ("令和元年度", 2019),
        ("H30", 2018),
    ],
)
def test_the_fiscal_year_is_western_or_wareki(text, fy):
    assert parse_fiscal_year(text) == fy


@pytest.mark.parametrize("text", ["20", "二〇二〇", "R", "next"])
def test_an_unreadable_fiscal_year_is_refused_in_japanese(text):
    with pytest.raises(CommandError, match=f"年度「{text}」を読めません"):
        parse_fiscal_year(text)


def test_an_unknown_plan_or_round_is_named(operator):
    with pytest.raises(CommandError, match="計画「no-such-plan」はありません"):
        run("status", "no-such-plan", "2020")
    with pytest.raises(CommandError, match=r"令和2年度\(2020年度\)の進捗調査はありません"):
        run("status", ACTION, "2020")
    with pytest.raises(CommandError, match="進捗調査はありません"):
        run("close", ACTION, "2020", "--user", "ops")


def test_changes_need_a_user_who_may_run_the_plans_rounds(db):
    member("council-staff", COUNCIL, Role.STAFF)
    member("city-admin", CITY_ORG, Role.ADMIN)
    get_user_model().objects.create_user("retired", is_active=False, is_superuser=True)
    args = ["open", ACTION, "2020", "--deadline", "2021-05-31"]
    with pytest.raises(CommandError, match="--user で操作する利用者"):
        run(*args)
    with pytest.raises(CommandError, match="「nobody」という有効な利用者はいません"):
        run(*args, "--user", "nobody")
    with pytest.raises(CommandError, match="有効な利用者はいません"):
        run(*args, "--user", "retired")
    for name in ("council-staff", "city-admin"):
        with pytest.raises(CommandError, match="管理者ではない"):
            run(*args, "--user", name)
    assert not Round.objects.filter(plan__slug=ACTION).exists()
    get_user_model().objects.create_superuser("federation", last_name="連合会")
    run(*args, "--user", "federation")  # a federation operator runs any organization's round
    assert RoundEvent.objects.get(round__plan__slug=ACTION).user_name == "連合会"


def test_options_of_another_action_are_refused(opened):
    with pytest.raises(CommandError, match="--deadline は open でだけ"):
        run("close", ACTION, "2020", "--deadline", "2021-05-31", "--user", "ops")
    with pytest.raises(CommandError, match="--reason は reopen でだけ"):
        run("publish", ACTION, "2020", "--reason", "x", "--user", "ops")
    with pytest.raises(CommandError, match="--json は status でだけ"):
        run("close", ACTION, "2020", "--json", "--user", "ops")


# --------------------------------------------------------------------------- status


def expected_lines(round_: Round) -> list[str]:
    """What `status` must print per department: the counts of services.sheet."""
    out = []
    for report in round_.reports.select_related("department"):
        lines = services.sheet(report)
        contents = sum(len(i.contents) for i in lines)
        indicators = sum(len(i.indicators) for i in lines)
        out.append(
            f"{report.department.name}\t{report.get_status_display()}\t項目 {len(lines)}\t"
            f"実施内容 {contents}\t指標 {indicators}"
        )
    return out


def test_status_shows_the_round_then_one_line_per_department_of_the_action_plan(opened):
    out, _ = run("status", ACTION, "2020")
    head, *lines = out.splitlines()
    assert head.split("\t") == [
        ACTION,
        "令和2年度(2020年度)",
        "実施中",
        "非公開",
        "締切 令和3年5月31日(2021年5月31日)",
        opened.plan.title,
    ]
    assert lines == expected_lines(opened)
    names = [line.split("\t")[0] for line in lines]
    assert sorted(names) == sorted(["福祉活動推進課", "福祉支援課", "総務課"])
    assert all(line.split("\t")[1] == "未着手" for line in lines)
    # the action plan's sheets hold items, contents and indicators
    for line in lines:
        counts = [int(cell.split(" ")[1]) for cell in line.split("\t")[2:]]
        assert all(n > 0 for n in counts), line


def test_status_json_has_stable_keys_and_follows_the_sheets(opened, operator):
    approve(opened.reports.get(department__name="総務課"), operator)
    out, _ = run("status", ACTION, "R2", "--json")
    doc = json.loads(out)
    assert {k: doc[k] for k in ("plan", "fy", "fy_label", "status", "published", "deadline")} == {
        "plan": ACTION,
        "fy": 2020,
        "fy_label": "令和2年度(2020年度)",
        "status": "open",
        "published": False,
        "deadline": "2021-05-31",
    }
    rows = {row["department"]: row for row in doc["departments"]}
    assert set(rows["総務課"]) == {
        "department",
        "department_id",
        "status",
        "status_label",
        "items",
        "contents",
        "indicators",
        "version",
    }
    assert (rows["総務課"]["status"], rows["総務課"]["status_label"]) == ("approved", "承認済")
    assert rows["福祉支援課"]["status_label"] == "未着手"
    report = opened.reports.get(department__name="総務課")
    lines = services.sheet(report)
    assert rows["総務課"]["items"] == len(lines)
    assert rows["総務課"]["indicators"] == sum(len(i.indicators) for i in lines)


def test_status_queries_do_not_grow_with_what_the_sheets_hold(opened, operator):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            run("status", ACTION, "2020")
        return len(queries.captured_queries)

    before = count()
    for report in opened.reports.all():
        services.save(report, filled(report), version=report.version, user=operator)
    assert count() == before


def test_status_of_the_fixture_council_plan_without_indicators(db):
    call_command("import", str(FIXTURE), stdout=StringIO(), stderr=StringIO())
    member("midori-ops", "midori-shakyo", Role.ADMIN, "みどり運用")
    run("open", MIDORI, "令和6", "--deadline", "2025-05-31", "--user", "midori-ops")
    round_ = Round.objects.get(plan__slug=MIDORI, fy=2024)
    out, _ = run("status", MIDORI, "2024")
    head, *lines = out.splitlines()
    assert head.startswith(f"{MIDORI}\t令和6年度(2024年度)\t実施中\t非公開\t締切 令和7年5月31日")
    assert lines == expected_lines(round_)
    assert len(lines) == round_.reports.count() >= 3
    departments = {d.name for d in Plan.objects.get(slug=MIDORI).organization.departments.all()}
    for line in lines:
        name, status, items, _contents, indicators = line.split("\t")
        assert name in departments and status == "未着手"
        assert int(items.removeprefix("項目 ")) >= 1
        assert indicators == "指標 0"  # the council's plan has no numeric targets
    event = RoundEvent.objects.get(round=round_)
    assert (event.action, event.user_name) == ("open", "みどり運用")


# --------------------------------------------------------------------------- close, publish, reopen


def test_close_is_refused_while_sheets_are_pending_and_lists_them(opened, operator):
    approve(opened.reports.get(department__name="総務課"), operator)
    with pytest.raises(CommandError, match="承認されていない部署があります: ") as refused:
        run("close", ACTION, "2020", "--user", "ops")
    assert "総務課" not in str(refused.value)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("round", "close", ACTION, "2020", "--user", "ops", stderr=err)
    assert sorted(err.getvalue().splitlines()) == ["福祉支援課\t未着手", "福祉活動推進課\t未着手"]
    opened.refresh_from_db()
    assert opened.is_open
    assert list(opened.events.values_list("action", flat=True)) == ["open"]


def test_a_whole_round_close_publish_reopen_with_its_history(opened, operator):
    with pytest.raises(CommandError, match="公開できるのは"):
        run("publish", ACTION, "2020", "--user", "ops")
    approve_all(opened, operator)
    out, _ = run("close", ACTION, "2020", "--user", "ops")
    assert "終了しました" in out
    opened.refresh_from_db()
    assert not opened.is_open
    with pytest.raises(CommandError, match="既に終了しています"):
        run("close", ACTION, "2020", "--user", "ops")
    status, _ = run("status", ACTION, "2020")
    assert "\t終了\t非公開\t" in status.splitlines()[0]
    assert all("\t承認済\t" in line for line in status.splitlines()[1:])

    run("publish", ACTION, "2020", "--user", "ops")
    opened.refresh_from_db()
    assert opened.published and opened.published_by == "運用担当"
    with pytest.raises(CommandError, match="既に公開しています"):
        run("publish", ACTION, "2020", "--user", "ops")

    with pytest.raises(CommandError, match="--reason"):
        run("reopen", ACTION, "2020", "--user", "ops")
    with pytest.raises(CommandError, match="--reason"):
        run("reopen", ACTION, "2020", "--reason", "  ", "--user", "ops")
    opened.refresh_from_db()
    assert not opened.is_open and opened.published

    out, _ = run("reopen", ACTION, "2020", "--reason", "実績の訂正", "--user", "ops")
    assert "再開しました。公開ページには、再び公開するまで表示されません。" in out
    opened.refresh_from_db()
    assert opened.is_open and not opened.published  # withdrawn until published again
    with pytest.raises(CommandError, match="実施中です"):
        run("reopen", ACTION, "2020", "--reason", "もう一度", "--user", "ops")
    with pytest.raises(CommandError, match="公開していません"):
        run("unpublish", ACTION, "2020", "--user", "ops")

    history = list(opened.events.order_by("at", "id").values_list("action", "user", "comment"))
    assert history == [
        ("open", operator.pk, ""),
        ("close", operator.pk, ""),
        ("publish", operator.pk, ""),
        ("unpublish", operator.pk, ""),
        ("reopen", operator.pk, "実績の訂正"),
    ]
    assert set(opened.events.values_list("user_name", flat=True)) == {"運用担当"}


def test_unpublish_withdraws_a_published_round(opened, operator):
    approve_all(opened, operator)
    services.close_round(opened, operator)
    services.publish_round(opened, operator)
    out, _ = run("unpublish", ACTION, "2020", "--user", "ops")
    assert "公開をやめました" in out
    opened.refresh_from_db()
    assert not opened.published and not opened.is_open
    assert opened.events.first().action == "unpublish"


def test_the_console_script_refuses_with_a_japanese_message_and_exit_status_1(tmp_path):
    """The installed `shinchoku` script (or `python -m shinchoku.cli`, which it runs)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHINCHOKU_DATA_DIR"] = str(tmp_path)
    env["PYTHONPATH"] = str(REPO)  # this checkout, ahead of an editable install elsewhere
    script = Path(sys.executable).with_name("shinchoku")
    shinchoku = [str(script)] if script.exists() else [sys.executable, "-m", "shinchoku.cli"]
    done = subprocess.run(
        [*shinchoku, "round", "reopen", ACTION, "2020", "--user", "x"],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 1
    assert "再開する理由を --reason で指定してください" in done.stderr
    assert done.stdout == ""
