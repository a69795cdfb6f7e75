"""Forms of the coproduction pages. Amounts per year are typed as "180.000" (every year of the horizon)
or "2026=180.000; 2027=185.000" (German number format); the services parse and check them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from planning.coproduction.models import DatedParameter, FinancingModel, FundingSource
from stakeholders.models import Stakeholder
from swot.models import Strategy

YEARS_HELP = _("ein Betrag für jedes Jahr oder „2026=180.000; 2027=185.000“")


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    first_year = forms.IntegerField(label=_("erstes Jahr"), min_value=2000, max_value=2100)
    horizon = forms.IntegerField(label=_("Jahre"), min_value=1, max_value=40, initial=10)
    baseline = forms.CharField(label=_("Kosten in Eigenregie je Jahr (EUR)"), help_text=YEARS_HELP)
    product_code = forms.CharField(label=_("Haushaltsprodukt"), max_length=40, required=False)
    source_strategy = forms.ModelChoiceField(
        label=_("TOWS-Strategie"),
        queryset=Strategy.objects.none(),
        required=False,
        help_text=_("die Strategie eines SWOT-Boards, aus der die Einrichtung hervorgeht"),
    )

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipality is not None:
            self.fields["source_strategy"].queryset = Strategy.objects.filter(
                board__municipality=municipality, deleted_at__isnull=True
            ).order_by("title")


class ModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    form = forms.ChoiceField(label=_("Organisationsform"), choices=FinancingModel.Form.choices)
    running_costs = forms.CharField(label=_("laufende Kosten je Jahr (EUR)"), help_text=YEARS_HELP)
    one_off_costs = forms.CharField(label=_("einmalige Kosten (EUR)"), help_text=YEARS_HELP, required=False)
    synergies = forms.CharField(label=_("Synergien je Jahr (EUR)"), help_text=YEARS_HELP, required=False)
    note = forms.CharField(label=_("Erläuterung"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Art"), choices=FundingSource._meta.get_field("kind").choices)
    stakeholder = forms.ModelChoiceField(
        label=_("Partner aus dem Akteursregister"),
        queryset=Stakeholder.objects.none(),
        required=False,
        help_text=_("eine Organisation der Kommune; sonst den Namen frei eingeben"),
    )
    partner = forms.CharField(label=_("Partner (freier Name)"), max_length=200, required=False)
    amounts = forms.CharField(label=_("Beträge je Jahr (EUR)"), help_text=YEARS_HELP, required=False)
    hours = forms.CharField(label=_("Ehrenamtsstunden je Jahr"), help_text=YEARS_HELP, required=False)
    end_year = forms.IntegerField(
        label=_("Förderung bis Jahr"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipality is not None:
            # only the municipality's organisations: a foreign or personal id is "not a valid choice"
            self.fields["stakeholder"].queryset = Stakeholder.objects.for_municipality(
                municipality
            ).organisations()


class ParameterForm(forms.Form):
    key = forms.ChoiceField(label=_("Parameter"), choices=DatedParameter.Key.choices)
    valid_from = forms.DateField(label=_("gültig ab"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.CharField(label=_("Wert"), max_length=40)
    source = forms.CharField(label=_("Quelle"), max_length=300)
