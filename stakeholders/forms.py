"""Forms of the stakeholder pages: shapes only; the rules live in stakeholders.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import District
from stakeholders.models import Assessment, Engagement, Relationship, Sector, Stakeholder
from stakeholders.services import STAKEHOLDER_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StakeholderForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("Schlagworte"), required=False, help_text=_("Durch Kommas getrennt, z. B. Jugend, Quartier")
    )
    # The revision the editor started from (edit form only; see services.stakeholder_update).
    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = Stakeholder
        fields = [f for f in STAKEHOLDER_FIELDS if f != "tags"]
        widgets = {
            "interests": forms.Textarea(attrs={"rows": 2}),
            "expectations": forms.Textarea(attrs={"rows": 2}),
            "expertise": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "consent_given_on": DateInput(),
            "consent_withdrawn_on": DateInput(),
            "retention_until": DateInput(),
        }
        localized_fields = ["lon", "lat"]

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        # only the municipality's own districts can be chosen (the service checks it again)
        municipality = municipality or (self.instance.municipality if self.instance.pk else None)
        field = self.fields["district"]
        field.queryset = District.objects.filter(municipality=municipality).order_by("level", "code")
        field.empty_label = _("– kein Sozialraum –")
        field.help_text = _("oder Koordinaten angeben: sie bestimmen den Sozialraum")
        self.fields["lon"].help_text = _("z. B. 7,1234 (WGS84) – oder auf der Karte klicken")
        self.fields["lat"].help_text = _("z. B. 51,6012")
        if self.instance.pk:
            self.initial.setdefault("tags", ", ".join(self.instance.tags))
            self.initial.setdefault("revision", self.instance.revision)

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "revision"}
        data["tags"] = data.get("tags") or ""
        return data

    def _post_clean(self):
        # the service validates the model (and person rules); skip ModelForm's instance validation
        pass


class AssessmentForm(forms.ModelForm):
    strategy = forms.ChoiceField(
        label=_("Strategie"),
        choices=[("", _("– aus dem Raster –")), *Assessment.Strategy.choices],
        required=False,
    )

    class Meta:
        model = Assessment
        fields = [
            "assessed_on",
            "influence",
            "interest",
            "power",
            "legitimacy",
            "urgency",
            "strategy",
            "comment",
        ]
        widgets = {
            "assessed_on": DateInput(),
            "influence": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "interest": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "comment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()


class RelationshipForm(forms.Form):
    target = forms.ModelChoiceField(label=_("mit"), queryset=Stakeholder.objects.none())
    kind = forms.ChoiceField(label=_("Art"), choices=Relationship.Kind.choices)
    strength = forms.IntegerField(label=_("Stärke (1-5)"), min_value=1, max_value=5, initial=3)
    direction = forms.ChoiceField(label=_("Richtung"), choices=Relationship.Direction.choices)
    valid_from = forms.DateField(label=_("gültig ab"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Notiz"), max_length=300, required=False)

    def __init__(self, *args, stakeholder: Stakeholder, personal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        from stakeholders.privacy import display_name

        others = Stakeholder.objects.filter(municipality_id=stakeholder.municipality_id).exclude(
            pk=stakeholder.pk
        )
        field = self.fields["target"]
        field.queryset = others
        field.label_from_instance = lambda s: display_name(s, personal)


class EngagementForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = ["occurred_on", "format", "participants", "topic", "outcome", "follow_up", "due_on"]
        widgets = {
            "occurred_on": DateInput(),
            "due_on": DateInput(),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()

    def _post_clean(self):
        pass


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV- oder XLSX-Datei"))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Suche"), required=False)
    sector = forms.ChoiceField(label=_("Sektor"), choices=[("", _("alle")), *Sector.choices], required=False)
    entity = forms.ChoiceField(
        label=_("Typ"), choices=[("", _("alle")), *Stakeholder.Entity.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Art"), choices=[("", _("alle")), *Stakeholder.Kind.choices], required=False
    )
    attitude = forms.ChoiceField(
        label=_("Haltung"), choices=[("", _("alle")), *Stakeholder.Attitude.choices], required=False
    )
    district = forms.ChoiceField(label=_("Sozialraum"), choices=[("", _("alle"))], required=False)
    tag = forms.CharField(label=_("Schlagwort"), required=False)
    overdue = forms.BooleanField(label=_("mit überfälligen Aufgaben"), required=False)

    def __init__(self, *args, districts: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("alle")), *districts]
