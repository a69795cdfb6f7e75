"""Serializers of the districts API: shape only; the rules live in the services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import District
from planning.districts.models import Indicator, Offer, SocialIndexValue
from planning.districts.selectors import district_stakeholders


class DistrictSerializer(serializers.ModelSerializer):
    """A district with its cached map data; the boundary only in the detail (``geometry``)."""

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = District
        fields = ["id", "code", "name", "level", "parent", "bbox", "label_lon", "label_lat", "area_km2"]


class DistrictStakeholderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="A person's name only for roles that may see persons.")
    is_person = serializers.BooleanField()
    sector = serializers.CharField()


class DistrictDetailSerializer(DistrictSerializer):
    stakeholders = serializers.SerializerMethodField()

    class Meta(DistrictSerializer.Meta):
        fields = [*DistrictSerializer.Meta.fields, "geometry", "stakeholders"]

    @extend_schema_field(DistrictStakeholderSerializer(many=True))
    def get_stakeholders(self, district: District) -> list[dict]:
        rows = district_stakeholders(district, personal=self.context.get("personal", False))
        return DistrictStakeholderSerializer(rows, many=True).data


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "key",
            "name",
            "unit",
            "kind",
            "direction",
            "weight",
            "source",
            "description",
            "builtin",
        ]
        read_only_fields = fields


class SocialIndexSerializer(serializers.ModelSerializer):
    district = serializers.IntegerField(source="district_id")
    code = serializers.CharField(source="district.code")

    class Meta:
        model = SocialIndexValue
        fields = [
            "district",
            "code",
            "year",
            "value",
            "rank",
            "change",
            "rank_change",
            "coverage",
            "group",
            "group_label",
        ]


class OfferSerializer(serializers.ModelSerializer):
    """An offer; give ``district`` or ``lon`` and ``lat`` (then the district is found from the boundaries)."""

    district = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.none(), allow_null=True, required=False
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "name",
            "kind",
            "provider_name",
            "capacity",
            "volunteer_hours",
            "district",
            "lon",
            "lat",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        municipality = self.context.get("municipality")
        if municipality is not None:
            self.fields["district"].queryset = District.objects.filter(municipality=municipality)
