"""Serializers of the measure API: a measure with its effects and indicators (nested, read), and the
writable fields; effects and indicators are added through their own endpoints."""

from __future__ import annotations

from rest_framework import serializers

from core.files import MaxFileSize
from core.models import District
from planning.measures.models import Measure, MeasureEffect, MeasureIndicator, MeasureIndicatorActual


class MeasureEffectSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureEffect
        fields = ["id", "kind", "amount", "start_year", "recurring", "end_year", "account_group", "note"]
        read_only_fields = ["id"]


class IndicatorActualSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureIndicatorActual
        fields = ["date", "value", "note"]


class MeasureIndicatorSerializer(serializers.ModelSerializer):
    actuals = IndicatorActualSerializer(many=True, read_only=True)
    targets = serializers.DictField(
        child=serializers.DecimalField(max_digits=18, decimal_places=4), required=False
    )

    class Meta:
        model = MeasureIndicator
        fields = [
            "id",
            "name",
            "kind",
            "unit",
            "direction",
            "baseline",
            "baseline_year",
            "targets",
            "actuals",
        ]
        read_only_fields = ["id", "actuals"]


class _MunicipalityDistrict(serializers.PrimaryKeyRelatedField):
    """The id of a district of the requested municipality (another municipality's: "does not exist")."""

    def get_queryset(self):
        view = self.context.get("view")
        municipality = getattr(view, "municipality", None) if view is not None else None
        if municipality is None or getattr(view, "swagger_fake_view", False):
            return District.objects.none()
        return District.objects.filter(municipality=municipality)


class PlanningMeasureSerializer(serializers.ModelSerializer):
    district = _MunicipalityDistrict(
        required=False, allow_null=True, help_text="Id of the district the measure targets (or null)."
    )
    district_name = serializers.SerializerMethodField()
    effects = MeasureEffectSerializer(many=True, read_only=True)
    indicators = MeasureIndicatorSerializer(many=True, read_only=True)
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Revision the change is based on (from a GET). If the measure changed since, the "
        "PATCH/PUT is refused with 409 and nothing is stored. Omit it to apply to the current state.",
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "title",
            "goal",
            "owner",
            "deadline",
            "status",
            "area",
            "product_code",
            "account_group",
            "district",
            "district_name",
            "source_strategy",
            "revision",
            "effects",
            "indicators",
        ]
        read_only_fields = ["id", "source_strategy", "effects", "indicators"]
        validators: list = []  # the service checks the title's uniqueness

    def get_district_name(self, measure: Measure) -> str:
        return measure.district.name if measure.district_id else ""


class ActualsUploadSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[MaxFileSize()])
    dry_run = serializers.BooleanField(default=False)
