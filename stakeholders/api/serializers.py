"""Serializers of the stakeholder API: shapes only; rules live in stakeholders.services.

Persons' names and contacts are masked for callers who may not see them (``context["personal"]``) and
for erased persons, in every response."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import District
from stakeholders.models import Assessment, Engagement, NetworkSnapshot, Relationship, Stakeholder
from stakeholders.privacy import display_name
from stakeholders.services import STAKEHOLDER_FIELDS, district_lookup


class DistrictField(serializers.PrimaryKeyRelatedField):
    """A district of the caller's municipality: its id, or its name or code (case-insensitive)."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "unknown": _("Keinen Sozialraum „{value}“ in dieser Kommune."),
    }

    def get_queryset(self):
        municipality = self.context.get("municipality")
        return District.objects.filter(municipality=municipality) if municipality else District.objects.none()

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip().isdigit():
            municipality = self.context.get("municipality")
            found = district_lookup(municipality).get(data.strip().casefold()) if municipality else None
            if found is None:
                self.fail("unknown", value=data)
            return found
        return super().to_internal_value(data)


class StakeholderSerializer(serializers.ModelSerializer):
    district = DistrictField(
        required=False,
        allow_null=True,
        help_text="Id (or name or code) of a district of the municipality; lon/lat, when given, decide it.",
    )
    district_name = serializers.SerializerMethodField()
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="On update: the revision the change is based on; a stale one is refused with 409.",
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)

    class Meta:
        model = Stakeholder
        fields = [
            "id", *STAKEHOLDER_FIELDS, "district_name", "erased_at", "created_at", "updated_at", "revision",
        ]  # fmt: skip
        read_only_fields = ["id", "erased_at", "created_at", "updated_at"]

    def get_district_name(self, instance: Stakeholder) -> str:
        return instance.district.name if instance.district_id else ""

    def to_representation(self, instance: Stakeholder) -> dict:
        data = super().to_representation(instance)
        personal = self.context.get("personal", False)
        if instance.entity == Stakeholder.Entity.PERSON and (not personal or instance.is_erased):
            data["name"] = display_name(instance, personal=False)
            for field in (*Stakeholder.PERSONAL_FIELDS, "tags"):
                data[field] = [] if field == "tags" else ""
            for field in ("consent_given_on", "consent_withdrawn_on", "retention_until", "lon", "lat"):
                if not personal:
                    data[field] = None
        return data


class AssessmentSerializer(serializers.ModelSerializer):
    salience = serializers.CharField(read_only=True)
    quadrant = serializers.CharField(read_only=True)
    assessor = serializers.CharField(source="assessor.username", read_only=True, default=None)
    strategy = serializers.ChoiceField(choices=Assessment.Strategy.choices, required=False, allow_blank=True)

    class Meta:
        model = Assessment
        fields = [
            "id", "stakeholder", "assessed_on", "influence", "interest", "power", "legitimacy", "urgency",
            "salience", "quadrant", "strategy", "comment", "assessor", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "stakeholder", "assessor", "created_at"]

    def to_representation(self, instance: Assessment) -> dict:
        data = super().to_representation(instance)
        if instance.stakeholder.entity == Stakeholder.Entity.PERSON and not self.context.get("personal"):
            data["comment"] = ""
        return data


class RelationshipSerializer(serializers.ModelSerializer):
    source = serializers.PrimaryKeyRelatedField(queryset=Stakeholder.objects.none())
    target = serializers.PrimaryKeyRelatedField(queryset=Stakeholder.objects.none())

    class Meta:
        model = Relationship
        fields = [
            "id",
            "source",
            "target",
            "kind",
            "strength",
            "direction",
            "valid_from",
            "valid_until",
            "note",
        ]
        read_only_fields = ["id"]

    def to_representation(self, instance: Relationship) -> dict:
        data = super().to_representation(instance)
        ends = (instance.source, instance.target)
        if not self.context.get("personal") and any(e.entity == Stakeholder.Entity.PERSON for e in ends):
            data["note"] = ""
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = self.context.get("municipality")
        if municipality is not None:
            scoped = Stakeholder.objects.filter(municipality=municipality)
            self.fields["source"].queryset = scoped
            self.fields["target"].queryset = scoped


class EngagementSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id", "stakeholder", "occurred_on", "format", "participants", "topic", "outcome", "follow_up",
            "due_on", "done_on", "overdue",
        ]  # fmt: skip
        read_only_fields = ["id", "stakeholder"]

    def get_overdue(self, obj: Engagement) -> bool:
        return obj.is_overdue()

    def to_representation(self, instance: Engagement) -> dict:
        data = super().to_representation(instance)
        if instance.stakeholder.entity == Stakeholder.Entity.PERSON and not self.context.get("personal"):
            for field in ("participants", "topic", "outcome", "follow_up"):
                data[field] = ""
        return data


class EngagementCreateSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(required=False)
    format = serializers.ChoiceField(choices=Engagement.Format.choices, default=Engagement.Format.MEETING)
    participants = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    topic = serializers.CharField(max_length=300)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True)


class EngagementDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False)


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = NetworkSnapshot
        fields = ["id", "graph_date", "computed_at", "nodes", "edges", "measures", "brokerage"]
        read_only_fields = fields


class GridPointSerializer(serializers.Serializer):
    stakeholder = serializers.IntegerField()
    name = serializers.CharField()
    sector = serializers.CharField()
    influence = serializers.IntegerField()
    interest = serializers.IntegerField()
    quadrant = serializers.CharField()
    salience = serializers.CharField()
    strategy = serializers.CharField()
    assessed_on = serializers.DateField()
    moved_from = serializers.DictField(allow_null=True)
