"""Forms of the resilience pages: shape only (numbers, ranges, choices); the rules are the services'."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import NumberField, PercentField, bounded_decimal, revision_field, year_choices
from planning.resilience import selectors as selectors
from planning.resilience import services as services
from planning.resilience.models import BalanceSheet


class BalanceSheetForm(forms.ModelForm):
    """Opening balance sheet of one year; German number input (1.234.567,89), rates in percent (2,5)."""

    # The revision of the stored sheet the editor started from (see services.balance_sheet_set).
    revision = revision_field()

    class Meta:
        model = BalanceSheet
        fields = ["year", *services.BALANCE_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("revision", self.instance.revision)
        for name in services.BALANCE_FIELDS:
            model_field = BalanceSheet._meta.get_field(name)
            if name in services.RATE_FIELDS:  # percent like every other form; stored as a fraction
                self.fields[name] = PercentField(
                    label=model_field.verbose_name,
                    min_value=0,
                    max_value=100,
                    help_text=_("in %, z. B. 20") if name == "variable_rate_share" else _("in %, z. B. 2,5"),
                )
            else:
                self.fields[name] = NumberField(
                    label=model_field.verbose_name, max_digits=17, decimal_places=2, min_value=0
                )
            self.fields[name].required = name in services.REQUIRED_FIELDS  # empty loans and rates = 0


class ShockForm(forms.Form):
    """One user-defined shock on a revenue or expense group (GET parameters of the resilience page)."""

    KINDS = [
        ("percent", gettext_lazy("Prozent (vorübergehend)")),
        ("growth_pp", gettext_lazy("Wachstum in Prozentpunkten (dauerhaft)")),
        ("absolute", gettext_lazy("Betrag in EUR")),
    ]
    shock_group = forms.ChoiceField(label=gettext_lazy("Gruppe"))
    shock_kind = forms.ChoiceField(label=gettext_lazy("Art"), choices=KINDS)
    # percent (points) or EUR per year; the range of the kind is checked in clean (services.shock_value_error)
    shock_value = bounded_decimal(
        label=gettext_lazy("Wert"),
        min_value=-services.SHOCK_ABSOLUTE_MAX,
        max_value=services.SHOCK_ABSOLUTE_MAX,
    )
    shock_year = forms.TypedChoiceField(label=gettext_lazy("ab Jahr"), coerce=int)
    shock_duration = forms.IntegerField(
        label=gettext_lazy("Dauer (Jahre)"), min_value=1, max_value=30, initial=1
    )

    def __init__(self, *args: Any, groups: tuple = (), years: tuple = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shock_group"].choices = [(g.code, f"{g.code} {g.name}") for g in groups]
        self.fields["shock_year"].choices = year_choices(years)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("shock_kind") and data.get("shock_value") is not None:
            error = services.shock_value_error(data["shock_kind"], data["shock_value"])
            if error:
                self.add_error("shock_value", error)
        return data

    def shocks(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "group": data["shock_group"],
                "kind": data["shock_kind"],
                "value": float(data["shock_value"]),
                "years": list(range(data["shock_year"], data["shock_year"] + data["shock_duration"])),
            }
        ]


class RunForm(forms.Form):
    """Monte Carlo run: paths and seed, plus the source and stress the page currently shows."""

    paths = forms.IntegerField(
        label=gettext_lazy("Pfade"), min_value=100, max_value=services.MAX_PATHS, initial=10_000
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Startwert (Seed)"), min_value=0, max_value=services.MAX_SEED, initial=1
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    scenario = forms.CharField(required=False, widget=forms.HiddenInput)
    stress = forms.CharField(required=False, widget=forms.HiddenInput)
    shocks = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_shocks(self) -> list[dict[str, Any]]:
        raw = self.cleaned_data.get("shocks") or "[]"
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise ValidationError(_("Ungültige Schocks")) from exc
        if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
            raise ValidationError(_("Ungültige Schocks"))
        return value
