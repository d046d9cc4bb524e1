"""`shinchoku round open|status|close|reopen|publish|unpublish PLAN FY`: a round from the shell.

Every change goes through the same services as the board in the browser (rounds/services.py),
so the same checks refuse the same steps, and the round's history records the account named
with --user, who must be allowed to do it in the browser (the organization's 管理者 or a
federation operator). A refusal is printed in Japanese on standard error with exit status 1.
"""

from __future__ import annotations

import json
import re
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from shinchoku.accounts.permissions import can_edit_structure
from shinchoku.core.wareki import fy_label, parse_fy, parse_wareki_date
from shinchoku.plans.models import Plan
from shinchoku.plans.templatetags.shinchoku import wareki_date
from shinchoku.rounds import final_services, services
from shinchoku.rounds.models import Report, Round
from shinchoku.rounds.services import RoundError

ACTIONS = ("open", "status", "close", "reopen", "publish", "unpublish")
CHANGES = ("open", "close", "reopen", "publish", "unpublish")
_WESTERN = re.compile(r"\d{4}")


class Command(BaseCommand):
    help = (
        "Open, show, close, reopen, publish or unpublish the progress round of a plan for a "
        "fiscal year, with the same checks and history as the board in the browser."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("slug", help="the plan's slug (see `shinchoku plans`)")
        parser.add_argument("fy", help="fiscal year: 2024, R6, 令和6 or 令和6年度")
        parser.add_argument("--deadline", help="open: the sheets' deadline, YYYY-MM-DD")
        parser.add_argument(
            "--reason", "--comment", dest="reason", help="reopen: why (kept in the history)"
        )
        parser.add_argument(
            "--user",
            help="the account that acts, recorded in the round's history "
            "(管理者 of the plan's organization or a federation operator); needed to change",
        )
        parser.add_argument("--json", action="store_true", help="status: print JSON")
        parser.add_argument(
            "--final",
            action="store_true",
            help="the plan's final evaluation (最終評価) instead of a yearly round; FY is the "
            "plan's last FY",
        )

    def handle(self, *args, **options):
        with translation.override("ja"):
            self._handle(options)

    def _handle(self, options: dict) -> None:
        action = options["action"]
        self._check_options(action, options)
        fy = parse_fiscal_year(options["fy"])
        deadline = parse_deadline(options["deadline"]) if action == "open" else None
        plan = _plan(options["slug"])
        final = options["final"]
        if final and fy != plan.last_fy:
            raise CommandError(
                f"最終評価の年度は計画の最終年度（{fy_label(plan.last_fy)}）です。"
                f"{fy_label(fy)}ではありません。"
            )
        if final and action in ("publish", "unpublish"):
            raise CommandError(
                "最終評価は公開ページに載せません（publish / unpublish はできません）。"
            )
        if action == "status":
            self._status(_round(plan, fy, final=final), as_json=options["json"])
            return
        user = _acting_user(options["user"], plan)
        if action == "open" and final:
            try:
                round_ = final_services.open_final_round(plan, deadline, user)
            except RoundError as e:
                raise CommandError(str(e)) from None
            self.stdout.write(
                f"{plan.slug}\t最終評価を始めました: "
                f"{round_.reports.count()} 部署、締切 {wareki_date(deadline)}"
            )
            return
        if action == "open":
            try:
                round_ = services.open_round(plan, fy, deadline, user)
            except RoundError as e:
                raise CommandError(str(e)) from None
            self.stdout.write(
                f"{plan.slug}\t{fy_label(fy)}の進捗調査を始めました: "
                f"{round_.reports.count()} 部署、締切 {wareki_date(deadline)}"
            )
            return
        round_ = _round(plan, fy, final=final)
        was_published = round_.published
        try:
            if action == "close":
                services.close_round(round_, user)
            elif action == "reopen":
                services.reopen_round(round_, user, options["reason"])
            elif action == "publish":
                services.publish_round(round_, user)
            else:
                services.unpublish_round(round_, user)
        except RoundError as e:
            if action == "close":
                for report in _pending(round_):
                    self.stderr.write(f"{report.department.name}\t{report.get_status_display()}")
            raise CommandError(str(e)) from None
        done = {
            "close": "終了しました。調査票はもう変更できません。",
            "reopen": "再開しました。"
            + ("公開ページには、再び公開するまで表示されません。" if was_published else ""),
            "publish": "公開しました。承認済みの値が公開ページに表示されます。",
            "unpublish": "公開をやめました。",
        }[action]
        what = "最終評価" if final else f"{fy_label(fy)}の進捗調査"
        self.stdout.write(f"{plan.slug}\t{what}を{done}")

    def _check_options(self, action: str, options: dict) -> None:
        """Refuse options that the action does not take, and a missing reason or deadline."""
        if options["deadline"] is not None and action != "open":
            raise CommandError("--deadline は open でだけ指定できます。")
        if options["reason"] is not None and action != "reopen":
            raise CommandError("--reason は reopen でだけ指定できます。")
        if options["json"] and action != "status":
            raise CommandError("--json は status でだけ指定できます。")
        if action == "open" and not (options["deadline"] or "").strip():
            raise CommandError(
                "--deadline で締切日を指定してください（例: --deadline 2025-05-31）。"
            )
        if action == "reopen" and not (options["reason"] or "").strip():
            raise CommandError(
                "再開する理由を --reason で指定してください（進捗調査の履歴に残ります）。"
            )
        if action in CHANGES and not (options["user"] or "").strip():
            raise CommandError(
                "--user で操作する利用者（ユーザー名）を指定してください。"
                "進捗調査の履歴に記録されます。"
            )

    def _status(self, round_: Round, *, as_json: bool) -> None:
        rows = status_rows(round_)
        if as_json:
            doc = {
                "plan": round_.plan.slug,
                "title": round_.plan.title,
                "kind": round_.kind,
                "fy": round_.fy,
                "fy_label": fy_label(round_.fy),
                "status": round_.status,
                "published": round_.published,
                "deadline": round_.deadline.isoformat(),
                "version": round_.version,
                "departments": rows,
            }
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        state = "実施中" if round_.is_open else "終了"
        shown = "公開中" if round_.published else "非公開"
        self.stdout.write(
            f"{round_.plan.slug}\t{fy_label(round_.fy)}\t{state}\t{shown}\t"
            f"締切 {wareki_date(round_.deadline)}\t{round_.plan.title}"
        )
        for row in rows:
            self.stdout.write(
                f"{row['department']}\t{row['status_label']}\t項目 {row['items']}\t"
                f"実施内容 {row['contents']}\t指標 {row['indicators']}"
            )


def status_rows(round_: Round) -> list[dict]:
    """One row per department: its sheet's status and what the sheet holds (services.sheet)."""
    rows = []
    for report in round_.reports.select_related("department", "round__plan"):
        if round_.is_final:  # the final evaluation: items only
            items, contents, indicators = len(final_services.final_sheet(report)), 0, 0
        else:
            lines = services.sheet(report)
            items = len(lines)
            contents = sum(len(item.contents) for item in lines)
            indicators = sum(len(item.indicators) for item in lines)
        rows.append(
            {
                "department": report.department.name,
                "department_id": report.department_id,
                "status": report.status,
                "status_label": str(report.get_status_display()),
                "items": items,
                "contents": contents,
                "indicators": indicators,
                "version": report.version,
            }
        )
    return rows


def parse_fiscal_year(text: str) -> int:
    """2024, 2024年度, R6, 令和6, 令和6年度, 令和元年度 → 2024 (western); else a Japanese error."""
    s = (text or "").strip().upper()  # r6 → R6
    fy = int(s) if _WESTERN.fullmatch(s) else parse_fy(s)
    if fy is None:
        raise CommandError(
            f"年度「{text}」を読めません。2024、R6、令和6年度 のように書いてください。"
        )
    return fy


def parse_deadline(text: str) -> date:
    """YYYY-MM-DD, or a 和暦 date (令和7年5月31日); else a Japanese error naming the option."""
    s = text.strip()
    day = parse_wareki_date(s)
    if day is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            day = date.fromisoformat(s)
        except ValueError:
            day = None
    if day is None:
        raise CommandError(
            f"--deadline「{text}」は日付として読めません。"
            "YYYY-MM-DD（例: 2025-05-31）で書いてください。"
        )
    return day


def _plan(slug: str) -> Plan:
    plan = Plan.objects.select_related("organization").filter(slug=slug).first()
    if plan is None:
        raise CommandError(
            f"計画「{slug}」はありません。`shinchoku plans` で一覧を確認してください。"
        )
    return plan


def _round(plan: Plan, fy: int, *, final: bool = False) -> Round:
    kind = Round.Kind.FINAL if final else Round.Kind.YEARLY
    round_ = Round.objects.select_related("plan").filter(plan=plan, fy=fy, kind=kind).first()
    if round_ is None and final:
        raise CommandError(
            f"{plan.title}の最終評価はまだ始まっていません。"
            "`shinchoku round open --final` で始めてください。"
        )
    if round_ is None:
        raise CommandError(
            f"{plan.title}の{fy_label(fy)}の進捗調査はありません。"
            "`shinchoku round open` で始めてください。"
        )
    return round_


def _acting_user(username: str, plan: Plan):
    """The account named with --user, allowed to run rounds of the plan as on the board."""
    name = username.strip()
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: name}, is_active=True).first()
    if user is None:
        raise CommandError(f"--user「{name}」という有効な利用者はいません。")
    if not can_edit_structure(user, plan.organization):
        raise CommandError(
            f"利用者「{name}」は{plan.organization.name}の管理者ではないため、"
            "この計画の進捗調査を操作できません。"
        )
    return user


def _pending(round_: Round) -> list[Report]:
    return list(
        round_.reports.exclude(status=Report.Status.APPROVED)
        .select_related("department")
        .order_by("department__order", "department__id")
    )
