"""Serializers of the population API."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import LocalizedFloatField
from planning.models import PopulationSeries


# -- serializers ----------------------------------------------------------------------------------------
class PopulationSeriesSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = PopulationSeries
        fields = ["id", "kind", "variant", "label", "base_year", "source_name", "assumptions", "updated_at"]
        read_only_fields = fields


class PopulationUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    variant = serializers.CharField(required=False, allow_blank=True, max_length=40)


class MovementsUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class PopulationProjectSerializer(serializers.Serializer):
    base_year = serializers.IntegerField(required=False, allow_null=True, min_value=1950, max_value=2100)
    horizon = serializers.IntegerField(default=30, min_value=1, max_value=30)
    use_history = serializers.BooleanField(default=True)
    fertility_factor = LocalizedFloatField(required=False, allow_null=True, min_value=0)
    mortality_factor = LocalizedFloatField(required=False, allow_null=True, min_value=0)
    net_migration = LocalizedFloatField(required=False, allow_null=True)
