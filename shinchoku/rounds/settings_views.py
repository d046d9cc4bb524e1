"""How a plan's progress is reported and judged, set by its 管理者: statuses, scale, bands,
and the early warning's thresholds (in percent on the page, stored as ratios).

A save checks the version the page was opened with, under the plan's row lock (taken first, as
every write to a plan's structure does), and is recorded in the plan's history with the values
before and after. A stale version is refused (409) with the other person's values shown.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.core.forecast import DEFAULT_THRESHOLDS as FORECAST_DEFAULTS
from shinchoku.plans import editing, history
from shinchoku.plans.forms import version_field
from shinchoku.plans.models import ChangeRecord, Plan
from shinchoku.rounds.access import plan_for
from shinchoku.rounds.models import DEFAULT_FINAL_STATUSES, SCALE_PRESETS, PlanSettings

_lines = forms.Textarea(attrs={"rows": 6})
HUNDRED = Decimal(100)


def _percent_field(label, help_text=""):
    """A threshold of the early warning in percent of the needed pace (1–1000, one decimal)."""
    bounds = gettext_lazy("Write a percentage from 1 to 1000, e.g. “95”.")
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,  # blank: the default
        min_value=Decimal(1),
        max_value=Decimal(1000),
        decimal_places=1,
        max_digits=5,
        error_messages={
            "invalid": bounds,
            "min_value": bounds,
            "max_value": bounds,
            "max_decimal_places": gettext_lazy("Write at most one decimal place, e.g. “92.5”."),
            "max_digits": bounds,
            "max_whole_digits": bounds,
        },
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


def _split(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProgressSettingsForm(forms.Form):
    content_statuses = forms.CharField(
        label=gettext_lazy("Statuses of a content (one per line)"), widget=_lines
    )
    scale_preset = forms.ChoiceField(
        label=gettext_lazy("Self-evaluation scale from a preset"),
        required=False,
        help_text=gettext_lazy(
            "Choosing a preset replaces the scale below with it when saved. "
            "The presets are listed below the form."
        ),
    )
    evaluation_scale = forms.CharField(
        label=gettext_lazy("Self-evaluation scale (one per line: code, name, definition)"),
        widget=_lines,
        help_text=gettext_lazy("Separate with spaces, e.g. “A 達成 目標を達成した”."),
    )
    band_thresholds = forms.CharField(
        label=gettext_lazy("Achievement bands (one per line: rate in % and name, highest first)"),
        widget=_lines,
        help_text=gettext_lazy("e.g. “100 達成” and “80 概ね達成”."),
    )
    below_band = forms.CharField(label=gettext_lazy("Name below the last band"), max_length=50)
    final_when_no_target = forms.BooleanField(
        label=gettext_lazy("Compare a year without a target of its own with the final target"),
        help_text=gettext_lazy(
            "For plans that set only the target of their last year. Otherwise such years show "
            "no band, only the progress toward the final target."
        ),
        required=False,
    )
    # The final evaluation (最終評価): the 状況 an item may get; blank → the default list.
    final_statuses = forms.CharField(
        label=gettext_lazy("Statuses of the final evaluation (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    # The early warning (rounds/forecasts.py): how the pace of the actuals so far compares
    # with the pace still needed to reach the final target.
    forecast_on_track = _percent_field(
        gettext_lazy("Forecast “on track” from (% of the needed pace)"),
        gettext_lazy(
            "The pace of the actuals so far (their linear trend, or their yearly growth rate) "
            "as a percentage of the pace still needed to reach the final target in its year. "
            "Left blank: 95 and 50."
        ),
    )
    forecast_at_risk = _percent_field(
        gettext_lazy("Forecast “at risk” from (% of the needed pace; below it: off track)")
    )
    version = version_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scale_preset"].choices = [
            ("", _("(keep the scale written below)")),
            *((key, name) for key, (name, _scale) in SCALE_PRESETS.items()),
        ]

    def clean_content_statuses(self) -> list[str]:
        statuses = _split(self.cleaned_data["content_statuses"])
        if not statuses:
            raise forms.ValidationError(_("Write at least one status."))
        if len(set(statuses)) != len(statuses):
            raise forms.ValidationError(_("A status is written twice."))
        return statuses

    def clean_final_statuses(self) -> list[str]:
        statuses = _split(self.cleaned_data.get("final_statuses") or "")
        if not statuses:
            return list(DEFAULT_FINAL_STATUSES)
        if len(set(statuses)) != len(statuses):
            raise forms.ValidationError(_("A status is written twice."))
        if any(len(s) > 50 for s in statuses):
            raise forms.ValidationError(_("Write each status in 50 characters or fewer."))
        return statuses

    def clean_evaluation_scale(self) -> list[dict]:
        preset = self.cleaned_data.get("scale_preset")
        if preset:
            return [dict(s) for s in SCALE_PRESETS[preset][1]]
        scale = []
        for n, line in enumerate(_split(self.cleaned_data["evaluation_scale"]), start=1):
            parts = line.split(maxsplit=2)
            if len(parts) < 2:
                raise forms.ValidationError(
                    _("Line %(n)s: write a code and a name, e.g. “A 達成”.") % {"n": n}
                )
            scale.append(
                {"code": parts[0], "name": parts[1], "definition": parts[2] if parts[2:] else ""}
            )
        if not scale:
            raise forms.ValidationError(_("Write at least one grade."))
        if len({s["code"] for s in scale}) != len(scale):
            raise forms.ValidationError(_("A code is written twice."))
        return scale

    def clean_forecast_on_track(self) -> Decimal:
        value = self.cleaned_data.get("forecast_on_track")
        return FORECAST_DEFAULTS.on_track if value is None else value / HUNDRED

    def clean_forecast_at_risk(self) -> Decimal:
        value = self.cleaned_data.get("forecast_at_risk")
        return FORECAST_DEFAULTS.at_risk if value is None else value / HUNDRED

    def clean(self) -> dict:
        data = super().clean()
        on, risk = data.get("forecast_on_track"), data.get("forecast_at_risk")
        if on is not None and risk is not None and risk >= on:
            self.add_error(
                "forecast_at_risk",
                _("Set the “at risk” threshold below the “on track” one (%(on)s).")
                % {"on": f"{(on * HUNDRED).normalize():f}%"},
            )
        return data

    def clean_band_thresholds(self) -> list[dict]:
        bands = []
        for n, line in enumerate(_split(self.cleaned_data["band_thresholds"]), start=1):
            parts = line.replace("%", " ").replace("％", " ").split(maxsplit=1)
            try:
                rate = Decimal(parts[0]) / 100
            except (InvalidOperation, IndexError):
                rate = None
            if rate is None or len(parts) < 2 or rate <= 0:
                raise forms.ValidationError(
                    _("Line %(n)s: write a rate in percent and a name, e.g. “80 概ね達成”.")
                    % {"n": n}
                )
            bands.append({"rate": str(rate.normalize()), "name": parts[1].strip()})
        rates = [Decimal(b["rate"]) for b in bands]
        if rates != sorted(rates, reverse=True) or len(set(rates)) != len(rates):
            raise forms.ValidationError(_("Write the bands from the highest rate down, each once."))
        return bands


FIELDS = (
    "content_statuses",
    "evaluation_scale",
    "band_thresholds",
    "below_band",
    "final_when_no_target",
    "final_statuses",
    "forecast_on_track",
    "forecast_at_risk",
)
# How each setting is named in the plan's history.
LABELS = {
    "content_statuses": "実施内容の状況",
    "evaluation_scale": "自己評価の段階",
    "band_thresholds": "達成区分",
    "below_band": "最後の区分より下の名前",
    "final_when_no_target": "目標のない年度を最終目標と比べる",
    "final_statuses": "最終評価の状況",
    "forecast_on_track": "見通し：達成見込みとする進み具合",
    "forecast_at_risk": "見通し：要注意とする進み具合",
}
HISTORY_KEY = "progress-settings"


def _percent(ratio) -> str:
    """0.95 → "95", 0.925 → "92.5" (the page's percentages)."""
    return f"{(Decimal(ratio) * HUNDRED).normalize():f}"


def _initial(settings: PlanSettings) -> dict:
    return {
        "content_statuses": "\n".join(settings.content_statuses),
        "evaluation_scale": "\n".join(
            f"{s['code']} {s['name']} {s.get('definition', '')}".strip()
            for s in settings.evaluation_scale
        ),
        "band_thresholds": "\n".join(
            f"{(Decimal(b['rate']) * 100).normalize():f} {b['name']}"
            for b in settings.band_thresholds
        ),
        "below_band": settings.below_band,
        "final_when_no_target": settings.final_when_no_target,
        "final_statuses": "\n".join(settings.final_statuses),
        "forecast_on_track": _percent(settings.forecast_on_track),
        "forecast_at_risk": _percent(settings.forecast_at_risk),
        "version": settings.version,
    }


def snapshot(settings: PlanSettings) -> dict[str, str]:
    """The settings as a person reads them, for the history's before and after."""
    texts = _initial(settings)
    out = {LABELS[f]: str(texts[f]) for f in FIELDS if f != "final_when_no_target"}
    for f in ("forecast_on_track", "forecast_at_risk"):
        out[LABELS[f]] = f"{texts[f]}%"
    out[LABELS["final_when_no_target"]] = "する" if settings.final_when_no_target else "しない"
    return out


class SettingsConflict(Exception):
    """The settings were saved by someone else after the page was opened."""


def save_settings(plan: Plan, data: dict, *, version: int, user) -> PlanSettings:
    """Store the settings if they are still at `version`; record the change in the history."""
    with transaction.atomic():
        editing.lock_plan(plan)
        # The first save stores what the page showed: the defaults of this plan (a plan without
        # indicators starts from the scale for plans without numbers).
        settings = PlanSettings.of(plan)
        if settings.version != version:
            raise SettingsConflict
        before = snapshot(settings)
        for field in FIELDS:
            setattr(settings, field, data[field])
        settings.version += 1
        settings.save()
        after = snapshot(settings)
        if after != before:
            history.record(
                plan,
                user=user,
                source=ChangeRecord.Source.BROWSER,
                action="change",
                kind="settings",
                key=HISTORY_KEY,
                label="進捗管理の設定",
                before=before,
                after=after,
            )
    return settings


def progress_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Show and change the plan's statuses, self-evaluation scale and achievement bands."""
    plan = plan_for(request, slug)
    require(request, can_edit_structure(request.user, plan.organization))
    settings = PlanSettings.of(plan)
    form = ProgressSettingsForm(
        request.POST if request.method == "POST" else None, initial=_initial(settings)
    )
    status, conflict, diffs = 200, None, []
    if request.method == "POST" and form.is_valid():
        try:
            save_settings(
                plan, form.cleaned_data, version=form.cleaned_data["version"], user=request.user
            )
        except SettingsConflict:
            fresh = PlanSettings.of(plan)
            last = history.last_change(plan.slug, "settings", HISTORY_KEY)
            conflict = {
                "who": (last.user_name or _("someone")) if last else _("someone"),
                "when": last.at if last else None,
            }
            stored = snapshot(fresh)
            mine = snapshot(PlanSettings(plan=plan, **{f: form.cleaned_data[f] for f in FIELDS}))
            diffs = [
                (name, stored[name], mine[name]) for name in stored if stored[name] != mine[name]
            ]
            # The form keeps the user's input and now carries the stored version: saving
            # again is a deliberate overwrite.
            data = request.POST.copy()
            data["version"] = str(fresh.version)
            form = ProgressSettingsForm(data)
            form.is_valid()
            status = 409
        else:
            messages.success(request, _("The progress settings are saved."))
            return redirect("rounds:list", plan.slug)
    if status == 200 and form.errors:
        status = 400 if "version" in form.errors else 422
    context = {
        "plan": plan,
        "form": form,
        "conflict": conflict,
        "diffs": diffs,
        "presets": list(SCALE_PRESETS.values()),
    }
    return render(request, "rounds/settings.html", context, status=status)
