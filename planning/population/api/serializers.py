"""Serializers of the population API."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import bounded_float
from core.files import MaxFileSize
from planning.models import PopulationSeries


# -- serializers ----------------------------------------------------------------------------------------
class PopulationSeriesSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = PopulationSeries
        fields = ["id", "kind", "variant", "label", "base_year", "source_name", "assumptions", "updated_at"]
        read_only_fields = fields


class PopulationUploadSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[MaxFileSize()])
    variant = serializers.CharField(required=False, allow_blank=True, max_length=40)


class MovementsUploadSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[MaxFileSize()])


class PopulationProjectSerializer(serializers.Serializer):
    base_year = serializers.IntegerField(required=False, allow_null=True, min_value=1950, max_value=2100)
    horizon = serializers.IntegerField(default=30, min_value=1, max_value=30)
    use_history = serializers.BooleanField(default=True)
    # plausible ranges (issue 14 item 8): factors on the national rates, net migration in persons per year
    fertility_factor = bounded_float(min_value=0.1, max_value=5, required=False, allow_null=True)
    mortality_factor = bounded_float(min_value=0.1, max_value=5, required=False, allow_null=True)
    net_migration = bounded_float(min_value=-100_000, max_value=100_000, required=False, allow_null=True)
