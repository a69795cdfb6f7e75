"""Forms of the projection pages: they validate shape (numbers, ranges, choices), the services decide.

Rates are entered in percent with a decimal comma ("2,5") and handed to the services as fractions.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NumberField, revision_field
from core.numbers import NumberFormatError, parse_decimal
from finance import selectors as finance_selectors
from planning.engine.population import (
    AgeBand,
)
from planning.engine.projection import TARGET_GROUPS
from planning.engine.task_types import TASK_TYPES
from planning.models import PopulationSeries, Scenario
from planning.projection.models import ProfileLevel

HUNDRED = Decimal(100)


def percent_field(label, *, required: bool = True, initial: Decimal | None = None, help_text: str = ""):
    return NumberField(
        label=label,
        required=required,
        initial=initial,
        max_digits=7,
        decimal_places=3,
        min_value=Decimal("-50"),
        max_value=Decimal("100"),
        help_text=help_text,
    )


def parse_mapping(text: str, *, keys: set[str] | None = None, percent: bool = True) -> dict[str, float]:
    """ "40=3,0; 41=1,5" -> {"40": 0.03, "41": 0.015}; raises ValidationError."""
    result: dict[str, float] = {}
    for part in re.split(r"[;\n]+", text or ""):
        if not part.strip():
            continue
        if "=" not in part and ":" not in part:
            raise forms.ValidationError(_("Bitte im Format „Schlüssel=Wert; …“ angeben."))
        key, raw = re.split(r"[=:]", part, maxsplit=1)
        key = key.strip()
        if keys is not None and key not in keys:
            raise forms.ValidationError(_("Unbekannter Schlüssel: %(key)s") % {"key": key})
        try:
            value = parse_decimal(raw)
        except NumberFormatError:
            value = None
        if value is None:
            raise forms.ValidationError(_("Keine Zahl: %(raw)s") % {"raw": raw.strip()})
        result[key] = float(value / HUNDRED) if percent else float(value)
    return result


def format_mapping(mapping: dict[str, Any] | None, *, percent: bool = True) -> str:
    return "; ".join(
        f"{k}={(float(v) * 100 if percent else float(v)):g}".replace(".", ",")
        for k, v in (mapping or {}).items()
    )


class ScenarioForm(forms.Form):
    # The revision the editor started from (edit form only; see services.scenario_update).
    revision = revision_field()
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    budget_version = forms.ModelChoiceField(label=_("Haushaltsversion"), queryset=None)
    base_year = forms.IntegerField(
        label=_("Basisjahr"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("Leer: das erste Planjahr der Haushaltsversion."),
    )
    base_phase = forms.ChoiceField(label=_("Basis"), choices=Scenario.BasePhase.choices, initial="plan")
    population = forms.ModelChoiceField(label=_("Bevölkerungsvariante"), queryset=None)
    horizon = forms.IntegerField(
        label=_("Horizont (Jahre, höchstens 30)"), initial=15, min_value=1, max_value=30
    )
    inflation = percent_field(_("Preissteigerung (% p. a.)"), initial=Decimal("2"))
    wage_growth = percent_field(
        _("Lohnsteigerung für Personal- und Versorgungsaufwand (% p. a.)"), initial=Decimal("3")
    )
    revenue_growth = forms.CharField(
        label=_("Wachstum von Ertragsgruppen (% p. a.)"),
        initial="40=3",
        required=False,
        help_text=_("Kontengruppe=Prozent, getrennt durch „;“, z. B. „40=3; 41=2,5“ (40 Steuern)."),
    )
    interest_rate = percent_field(
        _("Zinssatz (% p. a.)"),
        initial=Decimal("3"),
        help_text=_(
            "Für neue Kredite in den Resilienzprüfungen; der Zinsaufwand bleibt im Status quo gleich."
        ),
    )
    cost_persistence = percent_field(
        _("Kostenremanenz (% der Aufwendungen, die bei sinkender Nachfrage bleiben)"),
        required=False,
        help_text=_("Leer: Vorgaben je Produktbereich."),
    )

    projection_mode = forms.ChoiceField(
        label=_("Projektion"),
        required=False,
        initial="plan",
        widget=forms.RadioSelect,
        choices=[
            ("plan", _("Mittelfristige Planung übernehmen, ab dem letzten Planjahr fortschreiben")),
            ("base", _("Nur vom Basisjahr aus fortschreiben (Planjahre werden ersetzt)")),
        ],
    )

    def __init__(self, *args: Any, municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_version"].queryset = finance_selectors.versions_of(municipality)
        if "budget_version" not in self.initial:  # the current adopted budget, never the last upload
            current = finance_selectors.current_budget_version(municipality)
            self.initial["budget_version"] = current.pk if current else None
        self.fields["population"].queryset = PopulationSeries.objects.for_municipality(
            municipality
        ).projections()

    def clean_revenue_growth(self) -> dict[str, float]:
        return parse_mapping(self.cleaned_data.get("revenue_growth", ""))

    def clean_cost_persistence(self) -> Decimal | None:
        value = self.cleaned_data.get("cost_persistence")
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError(_("Zwischen 0 und 100 %."))
        return value

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("revision", None)
        data["continue_plan"] = data.pop("projection_mode", "") != "base"
        for key in ("inflation", "wage_growth", "interest_rate", "cost_persistence"):
            if data.get(key) is not None:
                data[key] = (data[key] / HUNDRED).quantize(Decimal("0.00001"))
        return data

    @classmethod
    def initial_from(cls, scenario: Scenario) -> dict[str, Any]:
        def pc(value):
            return None if value is None else (value * HUNDRED).normalize()

        return {
            "revision": scenario.revision,
            "name": scenario.name,
            "description": scenario.description,
            "budget_version": scenario.budget_version_id,
            "base_year": scenario.base_year,
            "base_phase": scenario.base_phase,
            "population": scenario.population_id,
            "horizon": scenario.horizon,
            "inflation": pc(scenario.inflation),
            "wage_growth": pc(scenario.wage_growth),
            "revenue_growth": format_mapping(scenario.revenue_growth),
            "interest_rate": pc(scenario.interest_rate),
            "cost_persistence": pc(scenario.cost_persistence),
            "projection_mode": "plan" if scenario.continue_plan else "base",
        }


TARGET_CHOICES = [("", _("— (Mischung oder Tabelle)"))] + [(k, g.label_de) for k, g in TARGET_GROUPS.items()]


class AgeProfileForm(forms.Form):
    """Driver of a product, product group, account group or area: target group, mix, or weights table."""

    level = forms.ChoiceField(label=_("Ebene"), choices=ProfileLevel.choices)
    code = forms.CharField(label=_("Schlüssel (z. B. 06, 06.01, 060101, 53)"), max_length=40)
    target_group = forms.ChoiceField(label=_("Zielgruppe"), choices=TARGET_CHOICES, required=False)
    shares = forms.CharField(
        label=_("Mischung (Zielgruppe=Anteil in %)"),
        required=False,
        help_text=_("z. B. „senioren=60; hochbetagte=40“"),
    )
    persistence = percent_field(_("Kostenremanenz (%)"), required=False, help_text=_("Leer: Vorgabe."))
    note = forms.CharField(label=_("Begründung"), required=False, max_length=300)

    def __init__(self, *args: Any, bands: tuple[AgeBand, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bands = bands
        for band in bands:
            self.fields[f"w_{band.lo}"] = NumberField(
                label=band.label, required=False, min_value=0, decimal_places=4, max_digits=10
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{b.lo}"] for b in self.bands]

    def clean_shares(self) -> dict[str, float]:
        keys = {k for k in TARGET_GROUPS if k != "keine"}
        return parse_mapping(self.cleaned_data.get("shares", ""), keys=keys)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weights = {b.label: float(data[f"w_{b.lo}"]) for b in self.bands if data.get(f"w_{b.lo}") is not None}
        data["weights"] = weights if any(weights.values()) else {}
        if not (data.get("target_group") or data.get("shares") or data["weights"]):
            raise forms.ValidationError(_("Bitte eine Zielgruppe, eine Mischung oder Gewichte angeben."))
        persistence = data.get("persistence")
        if persistence is not None:
            if not 0 <= persistence <= 100:
                self.add_error("persistence", _("Zwischen 0 und 100 %."))
            data["persistence"] = (persistence / HUNDRED).quantize(Decimal("0.00001"))
        return data


class TaskTypeForm(forms.Form):
    level = forms.ChoiceField(
        choices=[(v, label) for v, label in ProfileLevel.choices if v != "account_group"]
    )
    code = forms.CharField(max_length=40)
    task_type = forms.ChoiceField(
        choices=[("", _("Vorgabe"))] + [(t.value, info.name_de) for t, info in TASK_TYPES.items()],
        required=False,
    )
