"""REST endpoints of population series: list/import, detail, movements, cohort projection."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import Capability, MunicipalityScoped
from planning.models import PopulationSeries
from planning.population import selectors as sel
from planning.population import services as pop_services
from planning.population.api.serializers import (
    MovementsUploadSerializer,
    PopulationProjectSerializer,
    PopulationSeriesSerializer,
    PopulationUploadSerializer,
)


class _MunicipalityView(MunicipalityScoped):
    write_capability = Capability.PLAN


class PopulationListView(_MunicipalityView, generics.ListAPIView):
    """Population series of the municipality (actual, official projection variants, Spielraum projections).

    POST a file (multipart ``file``, optional ``variant``) to import; 201 imported, 200 unchanged, 400
    rejected with line-numbered errors.
    """

    serializer_class = PopulationSeriesSerializer
    parser_classes = [MultiPartParser, FormParser]

    def municipality_queryset(self):
        return sel.population_series_of(self.municipality)

    @extend_schema(
        request=PopulationUploadSerializer, responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT}
    )
    def post(self, request, slug: str):
        municipality = self.municipality
        form = PopulationUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        outcome = pop_services.population_import(
            municipality=municipality,
            source=upload.read(),
            filename=upload.name,
            variant=form.validated_data.get("variant") or None,
        )
        code = {"imported": 201, "unchanged": 200}.get(outcome.status, 400)
        return Response(outcome.to_json(), status=code)


class PopulationDetailView(_MunicipalityView, APIView):
    """One series with its counts by year and age group."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str, series_id: int):
        series = get_object_or_404(PopulationSeries, pk=series_id, municipality=self.municipality)
        table = sel.population_table(series)
        data = PopulationSeriesSerializer(series).data
        data["years"] = list(table.years) if table else []
        data["age_groups"] = [b.label for b in table.bands] if table else []
        data["counts"] = table.counts.tolist() if table else []
        data["total_by_year"] = (
            {str(y): t for y, t in zip(table.years, table.totals().tolist(), strict=True)} if table else {}
        )
        return Response(data)

    @extend_schema(responses={204: None})
    def delete(self, request, slug: str, series_id: int):
        series = get_object_or_404(PopulationSeries, pk=series_id, municipality=self.municipality)
        pop_services.population_series_delete(series=series)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PopulationMovementsView(_MunicipalityView, APIView):
    """Import births/deaths/migration per year or Zuzüge/Fortzüge by age group (multipart ``file``)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=MovementsUploadSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, slug: str):
        municipality = self.municipality
        form = MovementsUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        outcome = pop_services.movements_import(
            municipality=municipality, source=upload.read(), filename=upload.name
        )
        code = {"imported": 201, "unchanged": 200}.get(outcome.status, 400)
        return Response(outcome.to_json(), status=code)


class PopulationProjectView(_MunicipalityView, APIView):
    """Make Spielraum's cohort-component projection (low, main, high) from the actual population."""

    @extend_schema(
        request=PopulationProjectSerializer, responses={201: PopulationSeriesSerializer(many=True)}
    )
    def post(self, request, slug: str):
        municipality = self.municipality
        form = PopulationProjectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            series = pop_services.population_project(
                municipality=municipality, settings=pop_services.ProjectionSettings(**form.validated_data)
            )
        except ValueError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(PopulationSeriesSerializer(series, many=True).data, status=status.HTTP_201_CREATED)
