"""Every change of an opinion: one transaction, the row locked, the version checked, one event.

A change is refused (OpinionConflict) when the opinion changed since the form was loaded
(`version`), and (OpinionError) when the input is wrong, with a Japanese message naming the field;
in both cases nothing is stored. Who may make a change is asked of reviews.access here too, so
that no caller can skip it (OpinionDenied).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext, pgettext_lazy

from shinchoku.core.wareki import fy_label, fy_short
from shinchoku.jobs import prerender
from shinchoku.notify import events as notify_events
from shinchoku.orgs.models import Department
from shinchoku.plans.history import user_name
from shinchoku.plans.models import Plan
from shinchoku.reviews import access
from shinchoku.reviews.models import Opinion, OpinionEvent
from shinchoku.reviews.targets import Targets

Status = Opinion.Status
FIELD_NAMES = {
    "fy": pgettext_lazy("opinion field", "Fiscal year"),
    "text": pgettext_lazy("opinion field", "Opinion"),
    "target": pgettext_lazy("opinion field", "Concerns"),
    "department": pgettext_lazy("opinion field", "Department in charge"),
    "policy": pgettext_lazy("opinion field", "Policy"),
    "action": pgettext_lazy("opinion field", "What was done"),
    "reason": pgettext_lazy("opinion field", "Reason for not taking it up"),
    "status": pgettext_lazy("opinion field", "Status"),
    "public": pgettext_lazy("opinion field", "Public"),
}
MAX_TEXT = 4000


def not_a_target() -> str:
    """The refusal of a target outside the plan (the form's view refuses it too)."""
    return gettext("This item or indicator is not in the plan. Choose one from the list.")


class OpinionError(Exception):
    """Wrong input; the message (in the active language) names the field (`field` is its form
    name)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{FIELD_NAMES.get(field, field)}: {message}")


class OpinionConflict(OpinionError):
    """The opinion changed since the form was loaded."""

    def __init__(self, message: str):
        super().__init__("", message)
        self.args = (message,)

    def __str__(self) -> str:
        return self.message


class OpinionDenied(OpinionError):
    """The user may not make this change."""

    def __init__(self):
        super().__init__("", gettext("You are not allowed to do this."))

    def __str__(self) -> str:
        return self.message


def _text(field: str, value: str, *, required: bool = False) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise OpinionError(field, gettext("Fill this in."))
    if len(value) > MAX_TEXT:
        raise OpinionError(
            field,
            gettext("Enter at most %(max)s characters (now %(n)s).")
            % {"max": MAX_TEXT, "n": len(value)},
        )
    return value


def _fy(plan: Plan, fy: Any) -> int:
    try:
        value = int(fy)
    except (TypeError, ValueError):
        value = None
    if value is None or not plan.first_fy <= value <= plan.last_fy:
        raise OpinionError(
            "fy",
            gettext("Choose a fiscal year of the plan (%(first)s to %(last)s).")
            % {"first": fy_short(plan.first_fy), "last": fy_short(plan.last_fy)},
        )
    return value


def _target(plan: Plan, node_key: str, indicator_key: str) -> tuple[str, str]:
    targets = Targets.load(plan)
    value = (
        f"indicator:{indicator_key}" if indicator_key else f"node:{node_key}" if node_key else ""
    )
    parsed = targets.parse(value)
    if parsed is None:
        raise OpinionError("target", not_a_target())
    return parsed


def _department(plan: Plan, department: Department | int | None) -> Department | None:
    if department in (None, ""):
        return None
    pk = department.pk if isinstance(department, Department) else department
    found = Department.objects.filter(pk=pk, organization_id=plan.organization_id).first()
    if found is None:
        raise OpinionError(
            "department", gettext("Choose a department of this organization from the list.")
        )
    return found


def _locked(opinion: Opinion, version: int | None) -> Opinion:
    """The opinion under its row lock; OpinionConflict when it changed since `version`."""
    current = (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("plan__organization", "department")
        .get(pk=opinion.pk)
    )
    if version is None or current.version != version:
        last = current.events.first()
        which = {"fy": fy_short(current.fy), "number": current.number}
        if last and last.user_name:
            message = gettext(
                "%(name)s changed this opinion (%(fy)s No.%(number)s) after you opened the "
                "page. Check what it says now and try again."
            ) % {**which, "name": last.user_name}
        else:
            message = (
                gettext(
                    "Someone else changed this opinion (%(fy)s No.%(number)s) after you opened the "
                    "page. Check what it says now and try again."
                )
                % which
            )
        raise OpinionConflict(message)
    return current


def _value(v: Any) -> Any:
    if isinstance(v, Department):
        return v.name
    return v


def _save(
    opinion: Opinion, user: Any, action: str, new: dict[str, Any], *, before_status: str
) -> Opinion:
    """Apply the changed fields, raise the version and write the event; unchanged → no event."""
    changes = {}
    for f, v in new.items():
        old = getattr(opinion, f)
        if old != v:
            changes[f] = [_value(old), _value(v)]
            setattr(opinion, f, v)
    if not changes:
        return opinion
    opinion.version += 1
    opinion.save()
    OpinionEvent.objects.create(
        opinion=opinion,
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=user_name(user),
        action=action,
        from_status=before_status if opinion.status != before_status else "",
        to_status=opinion.status if opinion.status != before_status else "",
        changes=changes,
    )
    return opinion


def create_opinion(
    plan: Plan,
    fy: Any,
    text: str,
    *,
    user: Any,
    node_key: str = "",
    indicator_key: str = "",
    department: Department | int | None = None,
    origin: str | None = None,
    author_name: str = "",
) -> Opinion:
    """Record an opinion for the plan's FY with the next number (1, 2, … per plan and FY)."""
    if not access.has_opinions(plan) or not access.may_record(user, plan):
        raise OpinionDenied
    fy = _fy(plan, fy)
    text = _text("text", text, required=True)
    node_key, indicator_key = _target(plan, node_key, indicator_key)
    dept = _department(plan, department)
    if origin is None:
        origin = access.origin_for(user, plan)
    if not access.is_admin(user, plan):
        origin, dept = Opinion.Origin.MEMBER, None  # a member enters only their own opinion
    author_name = (author_name or "").strip()[:200] or user_name(user)
    try:
        with transaction.atomic():
            Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one number at a time
            last = Opinion.objects.filter(plan=plan, fy=fy).aggregate(n=Max("number"))["n"] or 0
            opinion = Opinion.objects.create(
                plan=plan,
                fy=fy,
                number=last + 1,
                node_key=node_key,
                indicator_key=indicator_key,
                department=dept,
                text=text,
                origin=origin,
                author=user if getattr(user, "is_authenticated", False) else None,
                author_name=author_name,
            )
            changes = {"text": ["", text]}
            if node_key or indicator_key:
                changes["target"] = ["", indicator_key or node_key]
            if dept is not None:
                changes["department"] = ["", dept.name]
            OpinionEvent.objects.create(
                opinion=opinion,
                user=opinion.author,
                user_name=user_name(user),
                action="create",
                to_status=opinion.status,
                changes=changes,
            )
            notify_events.opinion_assigned(opinion, user)  # notifications (issue 14)
    except IntegrityError:
        raise OpinionConflict(
            gettext(
                "Someone else entered an opinion for %(fy)s at the same moment. Enter it again."
            )
            % {"fy": fy_label(fy)}
        ) from None
    return opinion


def edit_opinion(
    opinion: Opinion,
    *,
    user: Any,
    version: int | None,
    text: str,
    node_key: str = "",
    indicator_key: str = "",
) -> Opinion:
    """Change the text and what the opinion concerns."""
    with transaction.atomic():
        current = _locked(opinion, version)
        if not access.may_edit(user, current):
            raise OpinionDenied
        text = _text("text", text, required=True)
        node_key, indicator_key = _target(current.plan, node_key, indicator_key)
        return _save(
            current,
            user,
            "edit",
            {"text": text, "node_key": node_key, "indicator_key": indicator_key},
            before_status=current.status,
        )


def assign(
    opinion: Opinion, department: Department | int | None, *, user: Any, version: int | None
) -> Opinion:
    """Assign the opinion to a department (or to none)."""
    with transaction.atomic():
        current = _locked(opinion, version)
        if not access.may_assign(user, current):
            raise OpinionDenied
        dept = _department(current.plan, department)
        before = current.department_id
        opinion = _save(current, user, "assign", {"department": dept}, before_status=current.status)
        if opinion.department_id is not None and opinion.department_id != before:
            notify_events.opinion_assigned(opinion, user)  # notifications (issue 14)
        return opinion


def answer(
    opinion: Opinion, *, user: Any, version: int | None, policy: str, action: str = ""
) -> Opinion:
    """The department's 対応方針 and 対応内容; a 未対応 opinion becomes 対応中."""
    with transaction.atomic():
        current = _locked(opinion, version)
        if not access.may_answer(user, current):
            raise OpinionDenied
        policy = _text("policy", policy, required=True)
        action = _text("action", action)
        new: dict[str, Any] = {"policy": policy, "action": action}
        if current.status == Status.OPEN:
            new["status"] = Status.IN_PROGRESS
        version = current.version
        opinion = _save(current, user, "answer", new, before_status=current.status)
        if opinion.version != version:  # something changed
            notify_events.opinion_answered(opinion, user)  # notifications (issue 14)
            # The next year's committee report prints it (前回の意見への対応): its PDF ready.
            prerender.committee_soon(opinion.plan_id, opinion.fy + 1)
        return opinion


def set_status(
    opinion: Opinion, status: str, *, user: Any, version: int | None, reason: str = ""
) -> Opinion:
    """Move the opinion: 未対応 → 対応中 → 対応済, or 見送り (with its reason)."""
    with transaction.atomic():
        current = _locked(opinion, version)
        if not access.may_answer(user, current):
            raise OpinionDenied
        if status not in Status.values:
            raise OpinionError(
                "status",
                gettext("Choose one of: not yet answered, being answered, answered, not taken up."),
            )
        new: dict[str, Any] = {"status": status}
        reason = _text("reason", reason)
        if status == Status.DECLINED:
            if not reason:
                raise OpinionError("reason", gettext("To mark it not taken up, enter the reason."))
            new["reason"] = reason
        elif reason:
            new["reason"] = reason
        if status == Status.DONE and not (current.action or current.policy):
            raise OpinionError(
                "action",
                gettext("Enter the policy and what was done before marking it answered."),
            )
        opinion = _save(current, user, "status", new, before_status=current.status)
        prerender.committee_soon(opinion.plan_id, opinion.fy + 1)  # printed the next year
        return opinion


def set_public(opinion: Opinion, public: bool, *, user: Any, version: int | None) -> Opinion:
    """Show (or stop showing) the opinion and its answer on the public pages (管理者 only)."""
    with transaction.atomic():
        current = _locked(opinion, version)
        if not access.may_publish(user, current):
            raise OpinionDenied
        public = bool(public)
        action = "publish" if public else "unpublish"
        return _save(current, user, action, {"public": public}, before_status=current.status)
