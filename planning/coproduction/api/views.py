"""REST endpoints of coproduction under ``/api/v1/municipalities/<slug>/``: the comparison of a
facility's models (read, VIEW) and the dated parameter registry (read VIEW, write PLAN; audited)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import Capability, MunicipalityScoped
from planning.coproduction import selectors as sel
from planning.coproduction import services
from planning.coproduction.models import DatedParameter, Facility
from stakeholders.models import ShadowWage


class DatedParameterSerializer(serializers.ModelSerializer):
    # null for a shadow wage (key minimum_wage): it is stored in the stakeholders' shadow wage registry
    id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = DatedParameter
        fields = ["id", "key", "valid_from", "value", "source"]
        read_only_fields = ["id"]
        validators: list = []


class ParameterListView(MunicipalityScoped, generics.ListCreateAPIView):
    """The dated parameters; POST sets a value from a date on (a change of an existing date is audited)."""

    write_capability = Capability.PLAN
    serializer_class = DatedParameterSerializer

    def municipality_queryset(self):
        return sel.parameters_of(self.municipality)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.parameter_set(
                municipality=self.municipality, user=self.request.user, **serializer.validated_data
            )
        except services.CoproductionInputError as exc:
            raise ValidationError({"detail": str(exc)}) from exc


class ShadowWageSerializer(serializers.ModelSerializer):
    own = serializers.SerializerMethodField(help_text="the municipality's own rate (else the default)")

    class Meta:
        model = ShadowWage
        fields = ["valid_from", "eur_per_hour", "source", "own"]

    def get_own(self, wage: ShadowWage) -> bool:
        return wage.municipality_id is not None


class ShadowWageListView(MunicipalityScoped, generics.ListAPIView):
    """The shadow wage of a volunteer hour over time, from its one registry (stakeholders): the
    installation's defaults before the municipality's first own rate, then its own rates. Set a rate
    with POST dated-parameters/ and key ``minimum_wage``."""

    serializer_class = ShadowWageSerializer

    def municipality_queryset(self):
        rows = sel.shadow_wages_of(self.municipality)
        return ShadowWage.objects.filter(pk__in=[r.pk for r in rows]).order_by("valid_from")


class FacilityComparisonView(MunicipalityScoped, APIView):
    """All models of a facility computed side by side (decimal strings in EUR)."""

    write_capability = Capability.PLAN

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str, facility_id: int):
        facility = get_object_or_404(Facility, pk=facility_id, municipality=self.municipality)
        try:
            return Response(sel.comparison_json(facility))
        except sel.CoproductionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
