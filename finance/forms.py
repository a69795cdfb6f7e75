"""Forms of the finance pages: upload, the import mapping (built from the file's header), confirmation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from finance.importing import SIGN_CONVENTIONS, Mapping, ValueColumn, header_fingerprint
from finance.importing.mapping import ROLES
from finance.importing.vocabulary import MAX_YEAR, MIN_YEAR
from finance.models import PHASE_CHOICES

ROLE_LABELS = {
    "product_code": _("Produkt (Nummer)"),
    "product_name": _("Produkt (Bezeichnung)"),
    "account_code": _("Konto (Nummer)"),
    "account_code_fallback": _("Konto, falls leer (z. B. Kontengruppe)"),
    "account_name": _("Konto (Bezeichnung)"),
    "account_name_fallback": _("Kontobezeichnung, falls leer"),
    "year": _("Jahr (langes Format)"),
    "date": _("Datum (langes Format)"),
    "phase": _("Phase (langes Format)"),
    "amount": _("Betrag (langes Format)"),
    "direction": _("Aufwand/Ertrag"),
}
SIGN_LABELS = {
    "revenue_negative": _("Erträge negativ (SAP)"),
    "expense_negative": _("Aufwendungen negativ"),
    "as_is_with_direction_column": _("Wie in der Datei, Richtung aus Spalte Aufwand/Ertrag"),
    "all_positive": _("Alle Beträge positiv"),
}
IGNORE = "ignore"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Haushaltsdatei (CSV oder XLSX)"),
        help_text=_("Export des Buchhaltungssystems; Format, Zeichensatz und Trennzeichen werden erkannt."),
    )


class MappingForm(forms.Form):
    """The detected mapping, shown and overridable: column roles, value columns, conventions, and
    where to import to (dataset, label, profile name)."""

    layout = forms.ChoiceField(
        label=_("Aufbau"), choices=[("wide", _("Breit: eine Spalte je Jahr und Phase")), ("long", _("Lang"))]
    )
    sign_convention = forms.ChoiceField(
        label=_("Vorzeichen"), choices=[(c, SIGN_LABELS[c]) for c in SIGN_CONVENTIONS]
    )
    decimal_convention = forms.ChoiceField(
        label=_("Zahlenformat"), choices=[("de", "1.234,56"), ("en", "1,234.56")]
    )
    default_phase = forms.ChoiceField(
        label=_("Phase, wo die Datei keine angibt"),
        choices=[("", "—"), *PHASE_CHOICES],
        required=False,
    )
    encoding = forms.ChoiceField(
        label=_("Zeichensatz"),
        choices=[("utf-8-sig", "UTF-8 (BOM)"), ("utf-8", "UTF-8"), ("cp1252", "Windows-1252"),
                 ("latin-1", "ISO-8859-1"), ("utf-16", "UTF-16")],
        required=False,
    )  # fmt: skip
    delimiter = forms.ChoiceField(
        label=_("Trennzeichen"), choices=[(";", ";"), ("\t", "Tab"), (",", ",")], required=False
    )
    dataset_name = forms.CharField(label=_("Datensatz"), max_length=200, initial="Haushalt")
    label = forms.CharField(
        label=_("Bezeichnung der Version"),
        max_length=200,
        required=False,
        help_text=_("z. B. Entwurf, beschlossen"),
    )
    profile_name = forms.CharField(
        label=_("Zuordnung als Importprofil speichern unter"), max_length=120, required=False
    )

    def __init__(
        self, *args: Any, header: list[str], mapping: Mapping | None = None, land: str = "NW", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        self.land = mapping.land if mapping is not None else land
        self.sheet = mapping.sheet if mapping is not None else None
        self.fingerprint = header_fingerprint(header)  # the profile must recognise this header
        columns = [("", "—")] + [(str(i), name or f"#{i + 1}") for i, name in enumerate(header)]
        position = {name: str(i) for i, name in reversed(list(enumerate(header)))}
        for role in ROLES:
            self.fields[f"role_{role}"] = forms.ChoiceField(
                label=ROLE_LABELS[role], choices=columns, required=False
            )
        values = {v.column: v for v in (mapping.value_columns if mapping else [])}
        ignored = set(mapping.ignore_columns if mapping else [])
        for i, name in enumerate(header):
            self.fields[f"value_phase_{i}"] = forms.ChoiceField(
                label=name, choices=[("", "—"), *PHASE_CHOICES, (IGNORE, _("ignorieren"))], required=False
            )
            self.fields[f"value_year_{i}"] = forms.IntegerField(
                label=_("Jahr"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
            )
            if name in values:
                self.initial[f"value_phase_{i}"] = values[name].phase
                self.initial[f"value_year_{i}"] = values[name].year
            elif name in ignored:
                self.initial[f"value_phase_{i}"] = IGNORE
        if mapping is not None:
            for key in ("layout", "sign_convention", "decimal_convention"):
                self.initial[key] = getattr(mapping, key)
            self.initial["default_phase"] = mapping.default_phase or ""
            for role in ROLES:
                self.initial[f"role_{role}"] = position.get(getattr(mapping, role) or "", "")

    def role_fields(self) -> list[forms.BoundField]:
        return [self[f"role_{role}"] for role in ROLES]

    def value_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"value_phase_{i}"], self[f"value_year_{i}"]) for i, name in enumerate(self.header)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i, name in enumerate(self.header):
            phase = data.get(f"value_phase_{i}")
            if phase and phase != IGNORE and not data.get(f"value_year_{i}"):
                self.add_error(
                    f"value_year_{i}", _("Bitte das Jahr der Spalte „%(c)s“ angeben.") % {"c": name}
                )
        return data

    def to_mapping(self) -> Mapping:
        """The confirmed mapping (call after ``is_valid``)."""
        data = self.cleaned_data
        mapping = Mapping(
            layout=data["layout"],
            sign_convention=data["sign_convention"],
            decimal_convention=data["decimal_convention"],
            default_phase=data.get("default_phase") or None,
            land=self.land,
            sheet=self.sheet,
            header_fingerprint=self.fingerprint,
        )
        for role in ROLES:
            index = data.get(f"role_{role}")
            setattr(mapping, role, self.header[int(index)] if index not in (None, "") else None)
        if mapping.layout == "wide":
            for i, name in enumerate(self.header):
                phase = data.get(f"value_phase_{i}")
                if phase == IGNORE:
                    mapping.ignore_columns.append(name)
                elif phase:
                    mapping.value_columns.append(ValueColumn(name, data[f"value_year_{i}"], phase))
        return mapping
