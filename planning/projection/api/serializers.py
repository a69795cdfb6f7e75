"""Serializers of the scenario API: shape and references to the municipality's own data."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.api.fields import LocalizedFloatField
from finance import selectors as finance_selectors
from finance.models import BudgetVersion
from planning.models import PopulationSeries, Scenario
from planning.projection import services


class ScenarioSerializer(serializers.ModelSerializer):
    # null in answers once the version/series was deleted (SET_NULL); required when writing
    budget_version = serializers.PrimaryKeyRelatedField(
        queryset=BudgetVersion.objects.none(), allow_null=True
    )
    population = serializers.PrimaryKeyRelatedField(queryset=PopulationSeries.objects.none(), allow_null=True)
    base_year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
    revenue_growth = serializers.DictField(
        child=LocalizedFloatField(min_value=-0.5, max_value=1), required=False
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Revision the change is based on (from a GET). If the scenario changed since, the "
        "PATCH/PUT is refused with 409 and nothing is stored. Omit it to apply to the current state.",
    )

    class Meta:
        model = Scenario
        fields = ["id", *services.SCENARIO_FIELDS, "computed_at", "revision"]
        read_only_fields = ["id", "computed_at"]
        validators: list = []  # uniqueness of the name is checked below (the municipality is not a field)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = self.context.get("municipality")
        if municipality is not None:
            self.fields["budget_version"].queryset = finance_selectors.versions_of(municipality)
            self.fields["population"].queryset = PopulationSeries.objects.for_municipality(
                municipality
            ).projections()

    def validate_budget_version(self, value):
        if value is None:
            raise ValidationError("Bitte eine Haushaltsversion wählen.")
        return value

    def validate_population(self, value):
        if value is None:
            raise ValidationError("Bitte eine Bevölkerungsvariante wählen.")
        return value

    def validate_name(self, value: str) -> str:
        others = Scenario.objects.filter(municipality=self.context["municipality"], name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("Ein Szenario mit diesem Namen gibt es schon.")
        return value
