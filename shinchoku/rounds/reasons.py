"""The reasons and notes core gives as codes, worded in the reader's language.

core.achievement and core.values have no Django and no catalogue: a judgement that could not
be made, its note, and a unit that cannot be compared come as a `Reason` (a code and its
parameters). This module is the one place that words them, through the rounds catalogue;
pages, the committee report and the sheets call `reason_text` (templates: the `reason`
filter of the `reasons` library). The open data keeps Japanese whatever the page's language
(`in_japanese`): its columns and values are Japanese.
"""

from __future__ import annotations

from django.utils.translation import gettext, override, pgettext

from shinchoku.core import achievement, values
from shinchoku.core.values import Reason


def _unit(unit: str) -> str:
    """A unit for a sentence: 「千円」 (“千円” in English), never an empty bracket."""
    if not unit:
        return gettext("no unit")
    return gettext("“%(unit)s”") % {"unit": unit}


def _role(role: str, name: str = "") -> str:
    """The figure a reason names: 実績, 目標, 最終目標, 現状値, 指標 (or 指標「name」)."""
    if role == values.INDICATOR and name:
        return gettext("indicator “%(name)s”") % {"name": name}
    roles = {
        values.ACTUAL: pgettext("figure", "actual"),
        values.TARGET: pgettext("figure", "target"),
        values.FINAL: pgettext("figure", "final target"),
        values.BASELINE: pgettext("figure", "baseline"),
        values.INDICATOR: pgettext("figure", "indicator"),
    }
    return roles.get(role, role)


def _incompatible(args: dict[str, str]) -> str:
    what = _role(args.get("what", values.ACTUAL))
    against = _role(args.get("against", values.INDICATOR), args.get("name", ""))
    unit, against_unit = args.get("unit", ""), args.get("against_unit", "")
    words = {"what": what, "against": against, "unit": _unit(unit), "against_unit": ""}
    words["against_unit"] = _unit(against_unit)
    if not unit:
        return (
            gettext(
                "The %(what)s has no unit and cannot be compared with the unit "
                "%(against_unit)s of the %(against)s."
            )
            % words
        )
    if not against_unit:
        return (
            gettext(
                "The unit %(unit)s of the %(what)s cannot be compared with the "
                "%(against)s, which has no unit."
            )
            % words
        )
    return (
        gettext(
            "The unit %(unit)s of the %(what)s cannot be converted into the unit "
            "%(against_unit)s of the %(against)s."
        )
        % words
    )


def _unit_problem(args: dict[str, str]) -> str:
    problem = _incompatible({**args, "what": values.ACTUAL, "against": values.INDICATOR})
    unit = {"unit": _unit(args.get("against_unit", ""))}
    if args.get("yen"):
        advice = (
            gettext(
                "Write it in %(unit)s, or write only the number without a unit (amounts in "
                "円, 千円, 万円, 百万円 or 億円 are all converted)."
            )
            % unit
        )
    else:
        advice = gettext("Write it in %(unit)s, or write only the number without a unit.") % unit
    return gettext("%(problem)s %(advice)s") % {"problem": problem, "advice": advice}


def reason_text(reason: Reason | None) -> str:
    """The reason in the active language ("" for none)."""
    if reason is None:
        return ""
    args = reason.args
    code = reason.code
    if code == achievement.NOT_BY_NUMBER:
        return gettext("This indicator is not judged by number.")
    if code == achievement.AGAINST_FINAL:
        return gettext("Compared with the final target")
    if code == achievement.MISSING:
        return gettext("There is no %(what)s.") % {"what": _role(args.get("what", ""))}
    if code == achievement.NOT_A_NUMBER:
        return gettext("The %(what)s “%(text)s” is not a number.") % {
            "what": _role(args.get("what", "")),
            "text": args.get("text", ""),
        }
    if code == values.INCOMPATIBLE_UNITS:
        return _incompatible(args)
    if code == values.UNIT_PROBLEM:
        return _unit_problem(args)
    return code


def in_japanese(reason: Reason | None) -> str:
    """The reason in Japanese, for the open data (CSV and JSON speak Japanese)."""
    with override("ja"):
        return reason_text(reason)
