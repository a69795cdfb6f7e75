"""REST endpoints for measures under ``/api/v1/municipalities/<slug>/measures/``: reading needs VIEW,
writing PLAN. A PATCH with an outdated ``revision`` answers 409 (as scenarios)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.revisions import RevisionedUpdateMixin
from core.permissions import Capability, MunicipalityScoped
from planning.measures import selectors as sel
from planning.measures import services
from planning.measures.api.serializers import (
    ActualsUploadSerializer,
    MeasureEffectSerializer,
    MeasureIndicatorSerializer,
    PlanningMeasureSerializer,
)
from planning.measures.importing import indicator_actuals_import
from planning.measures.models import Measure


class _MunicipalityView(MunicipalityScoped):
    write_capability = Capability.PLAN


class _MeasureView(_MunicipalityView):
    serializer_class = PlanningMeasureSerializer

    def municipality_queryset(self):
        return (
            sel.measures_of(self.municipality)
            .select_related("district")
            .prefetch_related("indicators__actuals")
        )


class MeasureListView(_MeasureView, generics.ListCreateAPIView):
    """Measures of the municipality; POST creates one."""

    def perform_create(self, serializer):
        values = {k: v for k, v in serializer.validated_data.items() if k != "revision"}
        try:
            serializer.instance = services.measure_create(
                municipality=self.municipality, actor=self.request.user, **values
            )
        except services.MeasureError as exc:
            raise ValidationError({"detail": str(exc)}) from exc


_CONFLICT = {409: OpenApiTypes.OBJECT}


@extend_schema_view(
    put=extend_schema(responses={**_CONFLICT, 200: PlanningMeasureSerializer}),
    patch=extend_schema(responses={**_CONFLICT, 200: PlanningMeasureSerializer}),
)
class MeasureDetailView(RevisionedUpdateMixin, _MeasureView, generics.RetrieveUpdateDestroyAPIView):
    """One measure; PATCH changes it (status too), DELETE removes it."""

    conflict_error = services.MeasureConflict

    lookup_url_kwarg = "measure_id"

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        expected = values.pop("revision", None)
        try:
            serializer.instance = services.measure_update(
                measure=serializer.instance, expected_revision=expected, actor=self.request.user, **values
            )
        except services.MeasureConflict:
            raise
        except services.MeasureError as exc:
            raise ValidationError({"detail": str(exc)}) from exc

    def perform_destroy(self, instance):
        services.measure_delete(measure=instance, actor=self.request.user)


class _MeasureChild(_MunicipalityView, generics.CreateAPIView):
    def measure(self) -> Measure:
        return get_object_or_404(Measure, pk=self.kwargs["measure_id"], municipality=self.municipality)

    def municipality_queryset(self):
        return self.get_serializer_class().Meta.model.objects.filter(measure__municipality=self.municipality)


class EffectCreateView(_MeasureChild):
    """Add a yearly effect to a measure."""

    serializer_class = MeasureEffectSerializer

    def perform_create(self, serializer):
        try:
            serializer.instance = services.effect_add(measure=self.measure(), **serializer.validated_data)
        except services.MeasureError as exc:
            raise ValidationError({"detail": str(exc)}) from exc


class IndicatorCreateView(_MeasureChild):
    """Add an indicator (with targets per year) to a measure."""

    serializer_class = MeasureIndicatorSerializer

    def perform_create(self, serializer):
        try:
            serializer.instance = services.indicator_create(
                measure=self.measure(), **serializer.validated_data
            )
        except services.MeasureError as exc:
            raise ValidationError({"detail": str(exc)}) from exc


class ActualsImportView(_MunicipalityView, APIView):
    """Import indicator actuals (multipart ``file``: CSV/XLSX with Maßnahme, Kennzahl, Jahr, Wert; optional
    ``dry_run``): 201 imported, 200 unchanged or dry run, 400 rejected with line-numbered errors (nothing
    stored)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=ActualsUploadSerializer,
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request, slug: str):
        form = ActualsUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        outcome = indicator_actuals_import(
            municipality=self.municipality,
            source=form.validated_data["file"].read(),
            dry_run=form.validated_data["dry_run"],
        )
        code = {"imported": 201, "unchanged": 200, "dry-run": 200}.get(outcome.status, 400)
        return Response(outcome.to_json(), status=code)
