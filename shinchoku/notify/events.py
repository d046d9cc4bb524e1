"""What happened, told to whom: one function per event, called by the round and opinion services.

Each runs in the caller's transaction (the rows are written with the change, or not at all)
and builds its texts in the product's language (settings.LANGUAGE_CODE), whoever acts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from shinchoku.core.wareki import fy_label, fy_short
from shinchoku.notify.models import Kind
from shinchoku.notify.services import admins_of, approvers_of, notify, staff_of
from shinchoku.plans.history import user_name
from shinchoku.plans.templatetags.shinchoku import wareki_date

OPEN_STATUSES = ("not_started", "draft", "returned")  # sheets still waiting for the department

# The keys of a round's notifications, as the functions below build them:
#   round_opened:<sheet>, submitted|returned|approved:<sheet>:<version>,
#   deadline_near|deadline_passed:<sheet>:<day>, reminder:<sheet>:<event>,
#   deadline_passed:round:<round>:<day> (the 管理者's one for the whole round).
SHEET_KEY_KINDS = (
    "round_opened",
    "submitted",
    "returned",
    "approved",
    "deadline_near",
    "deadline_passed",
    "reminder",
)


def round_key_pattern(round_pk: int, sheet_pks: list[int]) -> str:
    """A regular expression matching every key of the round's notifications (and no other)."""
    kinds = "|".join(SHEET_KEY_KINDS)
    pattern = f"^deadline_passed:round:{int(round_pk)}:"
    if sheet_pks:
        sheets = "|".join(str(int(pk)) for pk in sorted(sheet_pks))
        pattern = f"^({kinds}):({sheets})(:|$)|{pattern}"
    return pattern


def sheet_of_key(key: str) -> int | None:
    """The sheet (Report pk) a round key is about; None for the round's own (or another) key."""
    parts = key.split(":")
    if len(parts) >= 2 and parts[0] in SHEET_KEY_KINDS and parts[1].isdigit():
        return int(parts[1])
    return None


def round_name(round_: Any) -> str:
    """「令和2年度(2020年度)の進捗調査」 or 「最終評価（令和10年度(2028年度)）」."""
    if round_.kind == "final":
        return _("the final evaluation (%(fy)s)") % {"fy": fy_label(round_.fy)}
    return _("the progress round for %(fy)s") % {"fy": fy_label(round_.fy)}


def sheet_link(report: Any) -> str:
    round_ = report.round
    if round_.kind == "final":
        return reverse("rounds:final_sheet", args=[round_.plan.slug, report.department_id])
    return reverse("rounds:sheet", args=[round_.plan.slug, round_.fy, report.department_id])


def board_link(round_: Any) -> str:
    if round_.kind == "final":
        return reverse("rounds:final_board", args=[round_.plan.slug])
    return reverse("rounds:board", args=[round_.plan.slug, round_.fy])


def _sheet_words(report: Any) -> dict[str, str]:
    round_ = report.round
    return {
        "plan": round_.plan.title,
        "round": round_name(round_),
        "dept": report.department.name,
        "deadline": wareki_date(round_.deadline),
    }


def round_opened(round_: Any, actor: Any) -> None:
    """Each department's staff: the round is open, here is your sheet."""
    with translation.override(settings.LANGUAGE_CODE):
        for report in round_.reports.select_related("department", "round__plan"):
            w = _sheet_words(report)
            notify(
                staff_of(report.department),
                Kind.ROUND_OPENED,
                _("[Shinchoku] %(round)s of %(plan)s has opened (%(dept)s)") % w,
                _(
                    "%(round)s of %(plan)s has opened.\n"
                    "Department: %(dept)s\nDeadline: %(deadline)s\n\n"
                    "Please enter your department's sheet and submit it by the deadline."
                )
                % w,
                sheet_link(report),
                f"round_opened:{report.pk}",
                actor=actor,
            )


def report_moved(report: Any, actor: Any) -> None:
    """After submit, return or approve: tell the people the sheet now waits for."""
    status = report.status
    with translation.override(settings.LANGUAGE_CODE):
        w = {**_sheet_words(report), "who": user_name(actor) or _("somebody")}
        key = f"{status}:{report.pk}:{report.version}"
        if status == "submitted":
            notify(
                approvers_of(report.department),
                Kind.SUBMITTED,
                _("[Shinchoku] %(dept)s has submitted its sheet (%(plan)s, %(round)s)") % w,
                _(
                    "%(dept)s has submitted its sheet for %(round)s of %(plan)s.\n"
                    "Submitted by: %(who)s\n\n"
                    "Please check it, then approve it or return it with a comment."
                )
                % w,
                sheet_link(report),
                key,
                actor=actor,
            )
        elif status == "returned":
            w["comment"] = report.return_comment
            notify(
                staff_of(report.department),
                Kind.RETURNED,
                _("[Shinchoku] Your sheet has been returned (%(plan)s, %(round)s, %(dept)s)") % w,
                _(
                    "The sheet of %(dept)s for %(round)s of %(plan)s has been returned by "
                    "%(who)s with this comment:\n\n%(comment)s\n\n"
                    "Please correct it and submit it again by %(deadline)s."
                )
                % w,
                sheet_link(report),
                key,
                actor=actor,
            )
        elif status == "approved":
            notify(
                staff_of(report.department),
                Kind.APPROVED,
                _("[Shinchoku] Your sheet has been approved (%(plan)s, %(round)s, %(dept)s)") % w,
                _("The sheet of %(dept)s for %(round)s of %(plan)s has been approved by %(who)s.")
                % w,
                sheet_link(report),
                key,
                actor=actor,
            )


def deadline_near(report: Any, days_left: int, day: date) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        w = {**_sheet_words(report), "days": days_left, "status": report.get_status_display()}
        notify(
            staff_of(report.department),
            Kind.DEADLINE_NEAR,
            _("[Shinchoku] %(days)s days to the deadline: %(round)s of %(plan)s (%(dept)s)") % w,
            _(
                "The sheet of %(dept)s for %(round)s of %(plan)s is due on %(deadline)s, "
                "in %(days)s days.\nCurrent status: %(status)s\n\n"
                "Please enter it and submit it by the deadline."
            )
            % w,
            sheet_link(report),
            f"deadline_near:{report.pk}:{day.isoformat()}",
        )


def deadline_passed(round_: Any, late: list[Any], day: date) -> None:
    """Each late department's staff, and the 管理者 once for the round with every late one."""
    with translation.override(settings.LANGUAGE_CODE):
        days = (day - round_.deadline).days
        for report in late:
            w = {**_sheet_words(report), "days": days, "status": report.get_status_display()}
            notify(
                staff_of(report.department),
                Kind.DEADLINE_PASSED,
                _("[Shinchoku] The deadline has passed: %(round)s of %(plan)s (%(dept)s)") % w,
                _(
                    "The sheet of %(dept)s for %(round)s of %(plan)s was due on %(deadline)s "
                    "(%(days)s days ago) and has not been submitted.\n"
                    "Current status: %(status)s\n\nPlease enter it and submit it as soon as "
                    "possible."
                )
                % w,
                sheet_link(report),
                f"deadline_passed:{report.pk}:{day.isoformat()}",
            )
        w = {
            "plan": round_.plan.title,
            "round": round_name(round_),
            "deadline": wareki_date(round_.deadline),
            "days": days,
            "names": "、".join(r.department.name for r in late),
        }
        notify(
            admins_of(round_.plan.organization_id),
            Kind.DEADLINE_PASSED,
            _("[Shinchoku] Sheets not submitted after the deadline: %(round)s of %(plan)s") % w,
            _(
                "The deadline of %(round)s of %(plan)s was %(deadline)s (%(days)s days ago).\n"
                "Departments that have not submitted: %(names)s"
            )
            % w,
            board_link(round_),
            f"deadline_passed:round:{round_.pk}:{day.isoformat()}",
        )


def reminded(report: Any, actor: Any, event_id: int) -> list[Any]:
    """The 管理者's reminder to one department; returns the rows written."""
    with translation.override(settings.LANGUAGE_CODE):
        w = {**_sheet_words(report), "status": report.get_status_display()}
        comment = ""
        if report.status == "returned" and report.return_comment:
            comment = _("Comment when it was returned:\n%(comment)s") % {
                "comment": report.return_comment
            }
        w["comment"] = comment
        return notify(
            staff_of(report.department),
            Kind.REMINDER,
            _("[Shinchoku] Reminder: the sheet of %(dept)s (%(plan)s, %(round)s)") % w,
            _(
                "Please enter the sheet of %(dept)s for %(round)s of %(plan)s and submit it "
                "by %(deadline)s.\nCurrent status: %(status)s\n%(comment)s"
            )
            % w,
            sheet_link(report),
            f"reminder:{report.pk}:{event_id}",
            actor=actor,
        )


def _opinion_words(opinion: Any) -> dict[str, str]:
    return {
        "plan": opinion.plan.title,
        "fy": fy_label(opinion.fy),
        "number": f"{fy_short(opinion.fy)} No.{opinion.number}",
        "dept": opinion.department.name if opinion.department_id else "",
        "text": opinion.text,
    }


def opinion_link(opinion: Any) -> str:
    return reverse("reviews:detail", args=[opinion.plan.slug, opinion.fy, opinion.number])


def opinion_assigned(opinion: Any, actor: Any) -> None:
    if opinion.department_id is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        w = _opinion_words(opinion)
        notify(
            staff_of(opinion.department),
            Kind.OPINION_ASSIGNED,
            _("[Shinchoku] An opinion has been assigned to %(dept)s (%(plan)s, %(number)s)") % w,
            _(
                "An opinion of the committee on %(plan)s (%(fy)s) has been assigned to "
                "%(dept)s.\nNumber: %(number)s\n\n%(text)s\n\n"
                "Please enter the policy and what is done about it."
            )
            % w,
            opinion_link(opinion),
            f"opinion_assigned:{opinion.pk}:{opinion.version}",
            actor=actor,
        )


def opinion_answered(opinion: Any, actor: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        w = {
            **_opinion_words(opinion),
            "who": user_name(actor) or _("somebody"),
            "policy": opinion.policy,
            "action": opinion.action,
        }
        if not w["dept"]:
            w["dept"] = _("(no department)")
        notify(
            admins_of(opinion.plan.organization_id),
            Kind.OPINION_ANSWERED,
            _("[Shinchoku] An opinion has been answered (%(plan)s, %(number)s)") % w,
            _(
                "%(dept)s has answered an opinion of the committee on %(plan)s (%(fy)s).\n"
                "Number: %(number)s\nAnswered by: %(who)s\n\nOpinion:\n%(text)s\n\n"
                "Policy:\n%(policy)s\n\nWhat is done:\n%(action)s"
            )
            % w,
            opinion_link(opinion),
            f"opinion_answered:{opinion.pk}:{opinion.version}",
            actor=actor,
        )
