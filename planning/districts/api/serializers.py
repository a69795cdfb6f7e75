"""Serializers of the districts API: shape only; the rules live in the services."""

from __future__ import annotations

from rest_framework import serializers

from core.models import District
from planning.districts.models import Indicator, Offer, SocialIndexValue


class DistrictSerializer(serializers.ModelSerializer):
    """A district with its cached map data; the boundary only in the detail (``geometry``)."""

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = District
        fields = ["id", "code", "name", "level", "parent", "bbox", "label_lon", "label_lat", "area_km2"]


class DistrictDetailSerializer(DistrictSerializer):
    class Meta(DistrictSerializer.Meta):
        fields = [*DistrictSerializer.Meta.fields, "geometry"]


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
