"""Forms of the measure pages: shape only (numbers with a decimal comma, choices); services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import MaxFileSize
from core.models import District
from planning.measures.models import Measure, MeasureEffect, MeasureIndicator


class MeasureForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Measure
        fields = [
            "title", "goal", "owner", "deadline", "status", "area", "product_code", "account_group",
            "district",
        ]  # fmt: skip
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "goal": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the district the measure targets: only the municipality's own (the service checks it again)
        district = self.fields["district"]
        district.queryset = District.objects.filter(municipality=municipality).order_by("level", "code")
        district.empty_label = _("– kein Sozialraum –")

    def service_values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EffectForm(forms.ModelForm):
    amount = forms.DecimalField(
        label=_("Betrag (EUR/Jahr)"), localize=True, min_value=Decimal(0), max_digits=16, decimal_places=2
    )

    class Meta:
        model = MeasureEffect
        fields = ["kind", "amount", "start_year", "recurring", "end_year", "account_group", "note"]
        widgets = {"start_year": forms.NumberInput(), "end_year": forms.NumberInput()}


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Kennzahl"), max_length=200)
    kind = forms.ChoiceField(label=_("Typ"), choices=MeasureIndicator.Kind.choices, initial="output")
    unit = forms.CharField(label=_("Einheit"), max_length=40, required=False)
    direction = forms.ChoiceField(label=_("Richtung"), choices=MeasureIndicator.Direction.choices)
    baseline = forms.DecimalField(label=_("Ausgangswert"), localize=True, required=False)
    targets = forms.CharField(
        label=_("Zielwerte je Jahr"),
        required=False,
        help_text=_("z. B. „2027=120; 2028=150“"),
    )

    def clean_targets(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in (self.cleaned_data.get("targets") or "").replace("\n", ";").split(";"):
            if not part.strip():
                continue
            if "=" not in part:
                raise forms.ValidationError(_("Bitte im Format „Jahr=Wert; …“ angeben."))
            year, value = (x.strip() for x in part.split("=", 1))
            if not year.isdigit():
                raise forms.ValidationError(_("„%(y)s“ ist keine Jahreszahl.") % {"y": year})
            try:
                out[year] = str(Decimal(value.replace(".", "").replace(",", ".")))
            except Exception:
                raise forms.ValidationError(_("„%(v)s“ ist keine Zahl.") % {"v": value}) from None
        return out


class ActualForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("Istwert"), localize=True)
    note = forms.CharField(label=_("Quelle/Notiz"), max_length=200, required=False)


class ActualsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Datei (CSV oder XLSX: Maßnahme; Kennzahl; Jahr; Wert)"), validators=[MaxFileSize()]
    )
    dry_run = forms.BooleanField(label=_("nur prüfen, nichts speichern"), required=False)
