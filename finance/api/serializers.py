"""Serializers of the budget API: shapes only; business rules live in finance.services."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import serializers

from core.api.serializers import JobSerializer
from finance.importing import Mapping, MappingError
from finance.models import BudgetDataset, BudgetLine, BudgetUpload, BudgetVersion, ImportProfile
from finance.services import DELIMITERS, ENCODINGS


def mapping_from_json(value: Any) -> Mapping:
    """A mapping from a JSON object or a JSON text (multipart forms send text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise serializers.ValidationError(f"mapping is not valid JSON: {exc}") from exc
    try:
        return Mapping.from_dict(value)
    except MappingError as exc:
        raise serializers.ValidationError(str(exc)) from exc


class TotalsRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    phase = serializers.CharField()
    statement = serializers.CharField()
    revenue = serializers.DecimalField(max_digits=20, decimal_places=2)
    expense = serializers.DecimalField(max_digits=20, decimal_places=2)


class BudgetDatasetSerializer(serializers.ModelSerializer):
    version_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = BudgetDataset
        fields = ["id", "name", "created_at", "version_count"]


class BudgetVersionSerializer(serializers.ModelSerializer):
    dataset = serializers.CharField(source="dataset.name", read_only=True)
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, default=None, allow_null=True
    )
    lines = serializers.IntegerField(source="line_count", read_only=True)

    class Meta:
        model = BudgetVersion
        fields = [
            "id",
            "dataset",
            "dataset_id",
            "number",
            "label",
            "status",
            "is_current",
            "source_name",
            "source_size",
            "checksum",
            "uploaded_by",
            "uploaded_at",
            "rows",
            "lines",
            "detected",
            "warnings",
        ]
        read_only_fields = fields


class BudgetVersionDetailSerializer(BudgetVersionSerializer):
    totals = TotalsRowSerializer(many=True, read_only=True)

    class Meta(BudgetVersionSerializer.Meta):
        fields = [*BudgetVersionSerializer.Meta.fields, "mapping", "totals"]
        read_only_fields = fields


class BudgetLineSerializer(serializers.ModelSerializer):
    product_name = serializers.SerializerMethodField()
    account_name = serializers.SerializerMethodField()

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "version",
            "line",
            "product_code",
            "product_name",
            "area",
            "product_group",
            "account_code",
            "account_name",
            "account_group",
            "year",
            "phase",
            "statement",
            "direction",
            "amount",
        ]
        read_only_fields = fields

    def get_product_name(self, obj: BudgetLine) -> str:
        return self.context.get("product_names", {}).get((obj.version_id, obj.product_code), "")

    def get_account_name(self, obj: BudgetLine) -> str:
        return self.context.get("account_names", {}).get((obj.version_id, obj.account_code), "")


class ImportProfileSerializer(serializers.ModelSerializer):
    mapping = serializers.JSONField(help_text="the mapping JSON (docs/import-format.md)")
    header_fingerprint = serializers.CharField(read_only=True)

    class Meta:
        model = ImportProfile
        fields = ["id", "name", "mapping", "header_fingerprint", "created_at", "updated_at"]
        read_only_fields = ["id", "header_fingerprint", "created_at", "updated_at"]

    def validate_mapping(self, value: Any) -> dict:
        mapping = mapping_from_json(value)
        if not mapping.header_fingerprint:
            raise serializers.ValidationError("mapping.header_fingerprint is required to recognise files")
        return mapping.to_dict()

    def validate_name(self, value: str) -> str:
        municipality = self.context["municipality"]
        clash = ImportProfile.objects.filter(municipality=municipality, name=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("a profile with this name exists")
        return value


class UploadCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    dataset = serializers.CharField(required=False, default="Haushalt", max_length=200)
    label = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    phase = serializers.ChoiceField(
        choices=["actual", "plan", "commitment"], required=False, allow_null=True, default=None
    )
    mapping = serializers.JSONField(required=False, help_text="mapping JSON; default: profile or proposal")
    profile = serializers.CharField(required=False, help_text="name of a saved import profile")
    save_profile = serializers.CharField(required=False, default="", allow_blank=True, max_length=120)
    encoding = serializers.ChoiceField(
        choices=ENCODINGS, required=False, help_text="override the detected encoding"
    )
    delimiter = serializers.ChoiceField(
        choices=DELIMITERS, required=False, help_text="override the delimiter"
    )
    status = serializers.ChoiceField(
        choices=["draft", "adopted", "supplementary", "final"],
        required=False,
        default="draft",
        help_text="what the figures are: draft, adopted, supplementary (Nachtrag), final accounts",
    )
    make_current = serializers.BooleanField(
        required=False, default=False, help_text="make the new version the current adopted budget"
    )


class PreviewRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    mapping = serializers.JSONField(required=False)
    encoding = serializers.ChoiceField(choices=ENCODINGS, required=False)
    delimiter = serializers.ChoiceField(choices=DELIMITERS, required=False)


class BudgetUploadSerializer(serializers.ModelSerializer):
    job = JobSerializer(read_only=True, allow_null=True)

    class Meta:
        model = BudgetUpload
        fields = [
            "id",
            "original_name",
            "size",
            "checksum",
            "status",
            "created_at",
            "job",
            "version",
            "errors",
            "result",
        ]
        read_only_fields = fields
