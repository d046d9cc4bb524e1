"""How a plan's progress is reported and judged, set by its 管理者: statuses, scale, bands."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.rounds.access import plan_for
from shinchoku.rounds.models import PlanSettings

_lines = forms.Textarea(attrs={"rows": 6})


def _split(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProgressSettingsForm(forms.Form):
    content_statuses = forms.CharField(
        label=gettext_lazy("Statuses of a content (one per line)"), widget=_lines
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

    def clean_content_statuses(self) -> list[str]:
        statuses = _split(self.cleaned_data["content_statuses"])
        if not statuses:
            raise forms.ValidationError(_("Write at least one status."))
        if len(set(statuses)) != len(statuses):
            raise forms.ValidationError(_("A status is written twice."))
        return statuses

    def clean_evaluation_scale(self) -> list[dict]:
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
    }


def progress_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Show and change the plan's statuses, self-evaluation scale and achievement bands."""
    plan = plan_for(request, slug)
    require(request, can_edit_structure(request.user, plan.organization))
    settings = PlanSettings.of(plan)
    form = ProgressSettingsForm(request.POST or None, initial=_initial(settings))
    if request.method == "POST" and form.is_valid():
        fields = (
            "content_statuses",
            "evaluation_scale",
            "band_thresholds",
            "below_band",
            "final_when_no_target",
        )
        for field in fields:
            setattr(settings, field, form.cleaned_data[field])
        settings.save()
        messages.success(request, _("The progress settings are saved."))
        return redirect("rounds:list", plan.slug)
    status = 422 if form.errors else 200
    return render(request, "rounds/settings.html", {"plan": plan, "form": form}, status=status)
