"""Forms of the districts feature: they validate shape; the import rules live in services and engine."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.models import District
from planning.districts.models import Indicator, Offer


class _UploadMixin:
    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Die Datei ist größer als %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class BoundaryImportForm(_UploadMixin, forms.Form):
    """Boundaries as GeoJSON (WGS84) or a plain list of districts (CSV/XLSX: Kennziffer, Name)."""

    FORMAT_GEOJSON = "geojson"
    FORMAT_LIST = "list"

    file = forms.FileField(label=_("Datei"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            (FORMAT_GEOJSON, _("GeoJSON mit Grenzen (WGS84)")),
            (FORMAT_LIST, _("Liste ohne Grenzen (CSV/XLSX)")),
        ],
        initial=FORMAT_GEOJSON,
    )
    level = forms.ChoiceField(
        label=_("Ebene"), choices=District.Level.choices, initial=District.Level.SOZIALRAUM
    )
    code_property = forms.CharField(
        label=_("Eigenschaft mit der Kennziffer"),
        required=False,
        help_text=_("leer: wird erkannt (code, nr, id …)"),
    )
    name_property = forms.CharField(
        label=_("Eigenschaft mit dem Namen"),
        required=False,
        help_text=_("leer: wird erkannt (name, bezeichnung …)"),
    )
    parent_property = forms.CharField(
        label=_("Eigenschaft mit dem übergeordneten Bezirk"),
        required=False,
        help_text=_("nur bei verschachtelten Ebenen"),
    )


class IndicatorImportForm(_UploadMixin, forms.Form):
    file = forms.FileField(label=_("Datei (CSV oder XLSX)"))
    sheet = forms.CharField(label=_("Tabellenblatt (XLSX)"), required=False)


class IndicatorForm(forms.ModelForm):
    """A user-defined indicator; the key is derived from the name when left empty."""

    class Meta:
        model = Indicator
        fields = ["name", "key", "unit", "kind", "direction", "weight", "source", "description"]
        localized_fields = ["weight"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, municipality=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["key"].required = False
        self.fields["key"].help_text = _("Spaltenname in Importdateien; leer: aus dem Namen gebildet")
        if self.instance.pk and self.instance.builtin:
            for name in ("key", "kind"):
                self.fields[name].disabled = True

    def clean_key(self) -> str:
        key = self.cleaned_data.get("key") or slugify(self.data.get("name", ""))[:60]
        key = key.replace("-", "_")
        if not key:
            raise forms.ValidationError(_("Bitte einen Schlüssel angeben."))
        clash = Indicator.objects.filter(municipality=self.municipality, key=key).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Den Schlüssel %(key)s gibt es schon.") % {"key": key})
        return key


class OfferForm(forms.ModelForm):
    """An offer, placed by choosing the district or by coordinates (which then decide the district)."""

    class Meta:
        model = Offer
        fields = ["name", "kind", "provider_name", "capacity", "volunteer_hours", "district", "lon", "lat"]
        localized_fields = ["volunteer_hours", "lon", "lat"]

    def __init__(self, *args, municipality=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(municipality=municipality).order_by(
            "level", "code"
        )
        self.fields["lon"].help_text = _("z. B. 7,1234 – mit dem Breitengrad wird der Bezirk bestimmt")
        self.fields["lat"].help_text = _("z. B. 51,6012")

    def clean(self):
        data = super().clean()
        if not data.get("district") and (data.get("lon") is None or data.get("lat") is None):
            raise forms.ValidationError(_("Bitte einen Bezirk wählen oder Koordinaten angeben."))
        return data


class DistrictLinkForm(forms.Form):
    """Link a workshop (SWOT board) or a measure of the municipality to a district."""

    board = forms.ModelChoiceField(label=_("Workshop"), queryset=None, required=False)
    measure = forms.ModelChoiceField(label=_("Maßnahme der SWOT-Liste"), queryset=None, required=False)

    def __init__(self, *args, municipality=None, **kwargs) -> None:
        from swot.models import Board, Measure

        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = Board.objects.filter(municipality=municipality)
        self.fields["measure"].queryset = Measure.objects.filter(municipality=municipality)
        for name in ("board", "measure"):
            self.fields[name].empty_label = _("– keine Auswahl –")

    def clean(self):
        data = super().clean()
        if not data.get("board") and not data.get("measure"):
            raise forms.ValidationError(_("Bitte einen Workshop oder eine Maßnahme wählen."))
        return data
