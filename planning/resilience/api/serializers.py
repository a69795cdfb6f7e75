"""Serializers of the resilience API: shape only; the services decide."""

from __future__ import annotations

from typing import Any

from django.db import models as django_models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from core.api.fields import LocalizedDecimalField, LocalizedFloatField, bounded_float, bounded_int, year_field
from core.api.serializers import JobSerializer
from planning.engine.stress import PRESETS
from planning.resilience import selectors, services
from planning.resilience.models import BalanceSheet, ResilienceRun

# --------------------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------------------


class BalanceSheetSerializer(serializers.ModelSerializer):
    """Opening balance sheet of a year; rates as shares (0.025 = 2.5 %). Amounts as JSON numbers or as
    German text ("107.200.000,00")."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        django_models.DecimalField: LocalizedDecimalField,
    }

    total_equity = serializers.DecimalField(max_digits=17, decimal_places=2, read_only=True)
    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Revision the change is based on (from a GET). If the sheet changed since, the "
        "PATCH/PUT is refused with 409 and nothing is stored. Omit it to apply to the current state.",
    )

    class Meta:
        model = BalanceSheet
        fields = ["year", *services.BALANCE_FIELDS, "total_equity", "source", "updated_at", "revision"]
        read_only_fields = ["source", "updated_at"]
        extra_kwargs = {"year": {"validators": []}}


class ShockSerializer(serializers.Serializer):
    """A user-defined shock (see docs/resilience-method.md, "Stress tests")."""

    group = serializers.CharField(
        allow_null=True, help_text="NKF account group, e.g. 40 or 53; null = extra expense"
    )
    kind = serializers.ChoiceField(choices=["percent", "growth_pp", "absolute"])
    # percent and growth_pp in percent (points) within -100 .. 1000, absolute in EUR per year
    # (services.shock_value_error); the schema states the widest range
    value = bounded_float(min_value=-services.SHOCK_ABSOLUTE_MAX, max_value=services.SHOCK_ABSOLUTE_MAX)
    years = serializers.ListField(child=year_field(), required=False, max_length=100)
    year_offset = bounded_int(required=False, min_value=0, max_value=100)
    duration = bounded_int(required=False, allow_null=True, min_value=1, max_value=100)
    share = LocalizedFloatField(required=False, min_value=0, max_value=1)
    label = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, attrs):
        # the range of the kind (percent points or EUR), one rule for page, API and service
        error = services.shock_value_error(attrs["kind"], attrs["value"])
        if error:
            raise serializers.ValidationError({"value": [error]})
        return attrs


class ResilienceRunCreateSerializer(serializers.Serializer):
    budget_version = serializers.CharField(
        required=False, allow_blank=True, help_text="id or name; default: latest"
    )
    scenario = serializers.CharField(
        required=False, allow_blank=True, help_text="projection scenario name or id"
    )
    stress = serializers.ChoiceField(
        choices=[(p.id, p.name_en) for p in PRESETS.values()], required=False, allow_blank=True, default=""
    )
    stress_params = serializers.DictField(
        child=bounded_float(min_value=-1e12, max_value=1e12), required=False, default=dict
    )
    shocks = ShockSerializer(many=True, required=False, default=list)
    paths = serializers.IntegerField(min_value=0, max_value=services.MAX_PATHS, default=10_000)
    seed = serializers.IntegerField(min_value=0, max_value=services.MAX_SEED, default=0)


class ResilienceRunSerializer(serializers.ModelSerializer):
    job = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # plain text, not an enum: the same choices as Job.status would collide in the schema's enum names
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded or failed")

    class Meta:
        model = ResilienceRun
        fields = [
            "id",
            "status",
            "source_kind",
            "source_label",
            "budget_version",
            "scenario",
            "stress_preset",
            "n_paths",
            "seed",
            "hsk_required",
            "first_trigger_year",
            "first_year_hsk_likely",
            "probability_within_5_years",
            "main_driver",
            "message",
            "job",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ResilienceRunDetailSerializer(ResilienceRunSerializer):
    summary = serializers.SerializerMethodField(
        help_text="The documented check JSON (as run_resilience --json)"
    )

    class Meta(ResilienceRunSerializer.Meta):
        fields = [*ResilienceRunSerializer.Meta.fields, "summary", "inputs", "result"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_summary(self, run: ResilienceRun) -> dict[str, Any]:
        return selectors.run_json(run) if run.status == ResilienceRun.Status.SUCCEEDED else {}


class ResilienceJobSerializer(JobSerializer):
    """The started job (poll ``/api/v1/jobs/{id}/``) and the run it computes."""

    run = serializers.IntegerField(read_only=True, help_text="the ResilienceRun this job computes")
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded or failed")

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "run"]
        read_only_fields = fields
