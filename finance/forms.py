"""Forms of the finance pages: upload, the import mapping (built from the file's header), confirmation."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from finance.importing import SIGN_CONVENTIONS, Mapping, ValueColumn, header_fingerprint
from finance.importing.mapping import GROUP_ROW_RULES, ROLES, VALUE_MAP_TARGETS
from finance.importing.vocabulary import MAX_YEAR, MIN_YEAR
from finance.models import PHASE_CHOICES, STATEMENT_CHOICES, BudgetVersion

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
    "statement": _("Haushaltsart (Ergebnis-/Finanzhaushalt, VwH/VmH)"),
    "revenue_amount": _("Betrag Ertrag/Einnahme (Spalte je Richtung)"),
    "expense_amount": _("Betrag Aufwand/Ausgabe (Spalte je Richtung)"),
}
STATEMENT_FORM_CHOICES = [("", "—"), *STATEMENT_CHOICES]
GROUP_ROW_LABELS = [
    ("auto", _("Sammelzeilen erkennen (nur wenn die Summen stimmen)")),
    ("keep_groups", _("Sammelzeilen behalten, Zeilen darunter weglassen")),
    ("separate", _("Jede Zeile ist ein eigenes Produkt")),
]
_MAP_LINE = re.compile(r"^\s*(phase|direction|statement)\s*:\s*(.+?)\s*=\s*(\S+)\s*$")
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
    header_phase = forms.ChoiceField(
        label=_("Phase aus der Überschrift der Betragsspalte"),
        choices=[("", "—"), *PHASE_CHOICES],
        required=False,
    )
    default_statement = forms.ChoiceField(
        label=_("Haushaltsart, wo die Datei keine angibt"), choices=STATEMENT_FORM_CHOICES, required=False
    )
    group_rows = forms.ChoiceField(
        label=_("Verschachtelte Produktnummern"), choices=GROUP_ROW_LABELS, required=False, initial="auto"
    )
    value_maps = forms.CharField(
        label=_("Übersetzung von Zellwerten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "phase: Rechnung = actual"}),
        help_text=_(
            "Eine Zeile je Wert: „phase: Rechnung = actual“, „direction: E = revenue“, "
            "„statement: VwH = kameral_vwh“."
        ),
    )
    product_code_parts = forms.CharField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status der Version"), choices=BudgetVersion.Status.choices, initial="draft"
    )
    make_current = forms.BooleanField(
        label=_("Als aktuellen beschlossenen Haushalt verwenden"),
        required=False,
        help_text=_("Sonst bleibt der bisherige aktuelle Haushalt die Vorgabe aller Seiten."),
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
            self.initial["header_phase"] = mapping.header_phase or ""
            self.initial["default_statement"] = mapping.default_statement or ""
            self.initial["group_rows"] = mapping.group_rows
            self.initial["product_code_parts"] = json.dumps(mapping.product_code_parts, ensure_ascii=False)
            self.initial["value_maps"] = "\n".join(
                f"{role}: {cell} = {value}"
                for role, values in mapping.value_maps.items()
                for cell, value in values.items()
            )
            for role in ROLES:
                self.initial[f"role_{role}"] = position.get(getattr(mapping, role) or "", "")

    def role_fields(self) -> list[forms.BoundField]:
        return [self[f"role_{role}"] for role in ROLES]

    def value_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"value_phase_{i}"], self[f"value_year_{i}"]) for i, name in enumerate(self.header)
        ]

    def clean_value_maps(self) -> dict[str, dict[str, str]]:
        maps: dict[str, dict[str, str]] = {}
        for number, line in enumerate((self.cleaned_data.get("value_maps") or "").splitlines(), start=1):
            if not line.strip():
                continue
            match = _MAP_LINE.match(line)
            if not match or match[3] not in VALUE_MAP_TARGETS[match[1]]:
                raise forms.ValidationError(
                    _("Zeile %(n)d: „%(line)s“ ist keine Übersetzung wie „phase: Rechnung = actual“.")
                    % {"n": number, "line": line.strip()[:60]}
                )
            maps.setdefault(match[1], {})[match[2]] = match[3]
        return maps

    def clean_product_code_parts(self) -> list[str]:
        raw = self.cleaned_data.get("product_code_parts") or "[]"
        try:
            parts = json.loads(raw)
        except ValueError:
            parts = None
        if not isinstance(parts, list) or not all(isinstance(p, str) and p in self.header for p in parts):
            raise forms.ValidationError(_("Unbekannte Spalten für die Produktnummer."))
        return parts

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
            header_phase=data.get("header_phase") or None,
            default_statement=data.get("default_statement") or None,
            group_rows=data.get("group_rows") if data.get("group_rows") in GROUP_ROW_RULES else "auto",
            value_maps=data.get("value_maps") or {},
            product_code_parts=data.get("product_code_parts") or [],
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
