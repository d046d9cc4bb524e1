"""One responsible department per indicator (報告部署), and approvals that never overwrite unseen.

An indicator is reported by exactly one department: its own 担当部署 (Indicator.department) when
set, else the first 担当課 of its item (plans/reporting.py). The item's other 担当課 see it
read-only on their sheets. An approval whose actual would replace one that another department
reported (or whose source is unknown) needs the approver's choice: keep the existing value or
take this sheet's (ActualConflict, services.approve). Where each approved actual came from is
kept in ActualSource.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from shinchoku.plans.models import IndicatorValue
from shinchoku.rounds.models import ActualSource, IndicatorEntry, Report

KEEP, TAKE = "keep", "take"
CHOICES = (KEEP, TAKE)
UNKNOWN_SOURCE = "出所不明（計画の編集画面または取り込みで入力）"


# --------------------------------------------------------------------------- approvals


@dataclass(frozen=True)
class ActualConflict:
    """The plan's actual for the FY and this sheet's differ, and the plan's came from elsewhere."""

    key: str  # indicator key
    name: str  # indicator name
    existing: str  # the plan's actual now
    existing_by: str  # who reported it (a department's name, or UNKNOWN_SOURCE)
    incoming: str  # this sheet's actual
    incoming_by: str  # this sheet's department
    chosen: str = ""  # the approver's choice as posted (KEEP / TAKE), to show it again


def conflicts(report: Report) -> list[ActualConflict]:
    """Actuals of this sheet that would replace a differing value reported by someone else."""
    plan, fy = report.round.plan, report.round.fy
    entries = {e.indicator_key: e for e in IndicatorEntry.objects.filter(report=report)}
    entries = {k: e for k, e in entries.items() if e.actual}
    if not entries:
        return []
    existing = {
        v.indicator.key: v
        for v in IndicatorValue.objects.filter(
            indicator__plan=plan,
            indicator__key__in=list(entries),
            role=IndicatorValue.Role.ACTUAL,
            fy=fy,
        ).select_related("indicator")
    }
    sources = {
        s.indicator_key: s
        for s in ActualSource.objects.filter(
            plan=plan, fy=fy, indicator_key__in=list(existing)
        ).select_related("department")
    }
    out = []
    for key, value in existing.items():
        entry = entries[key]
        if value.text == entry.actual:
            continue
        source = sources.get(key)
        if source is not None and source.text != value.text:
            source = None  # the value was changed since, elsewhere
        if source is not None and source.department_id == report.department_id:
            continue  # this department's own earlier approval: a correction
        out.append(
            ActualConflict(
                key,
                value.indicator.name,
                value.text,
                source.department.name if source else UNKNOWN_SOURCE,
                entry.actual,
                report.department.name,
            )
        )
    order = {k: i for i, k in enumerate(entries)}
    return sorted(out, key=lambda c: order.get(c.key, 0))


def record_source(report: Report, indicator_key: str, text: str) -> None:
    """Remember that this sheet's approval set the actual."""
    ActualSource.objects.update_or_create(
        plan=report.round.plan,
        indicator_key=indicator_key,
        fy=report.round.fy,
        defaults={"department": report.department, "report": report, "text": text},
    )


def choices_from_post(post, found: list[ActualConflict]) -> dict[str, str]:
    """The approver's choice per conflicting indicator, as posted (``choice|<key>``)."""
    out = {}
    for c in found:
        value = post.get(f"choice|{c.key}", "")
        if value in (KEEP, TAKE):
            out[c.key] = value
    return out


# --------------------------------------------------------------------------- read-only input


def readonly_problems(post, lines) -> list[tuple[str, str]]:
    """Input posted for indicators this sheet only shows: (field, message in Japanese).

    A page opened before the 管理者 gave the indicator to another department may still send it.
    """
    names = {
        "actual": gettext("Actual"),
        "note": gettext("Note"),
        "done": gettext("What was done"),
        "next": gettext("What comes next"),
    }
    out = []
    for item in lines:
        for ln in item.indicators:
            if not ln.readonly:
                continue
            for f in names:
                if post.get(f"n|{ln.indicator.key}|{f}", "").strip():
                    who = ln.reporter.name if ln.reporter else gettext("another department")
                    out.append(
                        (
                            gettext("%(field)s of the indicator “%(indicator)s”")
                            % {"field": names[f], "indicator": ln.indicator.name},
                            gettext(
                                "This indicator is reported by %(reporter)s; it cannot be "
                                "entered on this department's sheet (reload the page)."
                            )
                            % {"reporter": who},
                        )
                    )
                    break
    return out
