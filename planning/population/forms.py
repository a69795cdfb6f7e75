"""Forms of the population pages: they validate shape (files, counts, ranges), the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import MaxFileSize
from core.forms import NumberField, bounded_decimal
from planning.engine.population import (
    AgeBand,
)


class PopulationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Datei (GENESIS 12411-0012 oder CSV Jahr;Altersgruppe;Anzahl)"), validators=[MaxFileSize()]
    )
    variant = forms.CharField(
        label=_("Variante einer amtlichen Vorausberechnung"),
        required=False,
        max_length=40,
        help_text=_("Leer lassen für den Bevölkerungsstand (Ist)."),
    )


class MovementsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Datei (Geburten/Sterbefälle/Wanderungen oder Zu-/Fortzüge nach Alter)"),
        validators=[MaxFileSize()],
    )


class PopulationEntryForm(forms.Form):
    """One year of the actual population, one field per age group."""

    year = forms.IntegerField(label=_("Jahr (Stand 31.12.)"), min_value=1950, max_value=2100)

    def __init__(self, *args: Any, bands: tuple[AgeBand, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bands = bands
        for band in bands:
            self.fields[f"band_{band.lo}"] = NumberField(
                label=band.label_de, min_value=0, decimal_places=3, max_digits=12
            )

    def band_fields(self) -> list[forms.BoundField]:
        return [self[f"band_{b.lo}"] for b in self.bands]

    def counts(self) -> dict[AgeBand, float]:
        return {b: float(self.cleaned_data[f"band_{b.lo}"]) for b in self.bands}


class PopulationProjectForm(forms.Form):
    base_year = forms.IntegerField(label=_("Basisjahr"), required=False, min_value=1950, max_value=2100)
    horizon = forms.IntegerField(label=_("Horizont (Jahre)"), initial=30, min_value=1, max_value=30)
    use_history = forms.BooleanField(
        label=_("Raten aus der eigenen Entwicklung schätzen (Geburten, Sterbefälle, Wanderungen)"),
        required=False,
        initial=True,
    )
    # the same plausible ranges as the API (planning/population/api/serializers.py, issue 14 item 8)
    fertility_factor = bounded_decimal(
        label=_("Geburtenfaktor (1 = Bundesdurchschnitt)"), required=False, min_value="0.1", max_value=5
    )
    mortality_factor = bounded_decimal(
        label=_("Sterblichkeitsfaktor (1 = Bundesdurchschnitt)"), required=False, min_value="0.1", max_value=5
    )
    net_migration = bounded_decimal(
        label=_("Wanderungssaldo je Jahr (Personen)"), required=False, min_value=-100_000, max_value=100_000
    )
