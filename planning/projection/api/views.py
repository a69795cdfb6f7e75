"""REST endpoints for population, scenarios and projections.

Under ``/api/v1/municipalities/<slug>/``: reading needs VIEW, writing PLAN (``MunicipalityAccess`` with
``write_capability``); objects addressed by id are looked up inside the municipality, so another
municipality's id answers 404. Running a projection answers 202 with the job to poll
(``/api/v1/jobs/<id>/``). The batch over all municipalities (``/api/v1/projection-batch/``) is for
installation admins.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.revisions import RevisionedUpdateMixin
from core.api.serializers import JobSerializer
from core.permissions import Capability, MunicipalityScoped
from planning.models import Scenario
from planning.projection import selectors as sel
from planning.projection import services
from planning.projection.api.serializers import ScenarioSerializer


# -- views ----------------------------------------------------------------------------------------------
class _MunicipalityView(MunicipalityScoped):
    write_capability = Capability.PLAN


class _ScenarioView(_MunicipalityView):
    """The municipality's scenarios; the serializer checks names and references against it."""

    serializer_class = ScenarioSerializer

    def municipality_queryset(self):
        return sel.scenarios_of(self.municipality)


class ScenarioListView(_ScenarioView, generics.ListCreateAPIView):
    """Scenarios of the municipality; POST creates one (the projection is not started: POST .../run/)."""

    @extend_schema(responses={201: ScenarioSerializer, 409: OpenApiTypes.OBJECT})
    def post(self, request, *args, **kwargs):
        try:
            return self.create(request, *args, **kwargs)
        except services.ScenarioConflict as exc:  # created concurrently under the same name
            body = {
                "detail": str(exc),
                "current_revision": exc.current.revision,
                "current": ScenarioSerializer(exc.current, context=self.get_serializer_context()).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)

    def perform_create(self, serializer):
        try:
            values = {k: v for k, v in serializer.validated_data.items() if k != "revision"}
            serializer.instance = services.scenario_create(
                municipality=self.municipality, actor=self.request.user, **values
            )
        except services.ScenarioConflict:
            raise  # answered by post() as 409 with the scenario that won
        except services.ProjectionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc


_CONFLICT = {409: OpenApiTypes.OBJECT}  # {"detail": ..., "current_revision": n}


@extend_schema_view(
    put=extend_schema(responses={**_CONFLICT, 200: ScenarioSerializer}),
    patch=extend_schema(responses={**_CONFLICT, 200: ScenarioSerializer}),
)
class ScenarioDetailView(RevisionedUpdateMixin, _ScenarioView, generics.RetrieveUpdateDestroyAPIView):
    """One scenario; PATCH changes settings (stored results are removed), DELETE removes it."""

    conflict_error = services.ScenarioConflict

    lookup_url_kwarg = "scenario_id"

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        expected = values.pop("revision", None)
        try:
            serializer.instance = services.scenario_update(
                scenario=serializer.instance, expected_revision=expected, actor=self.request.user, **values
            )
        except services.ScenarioConflict:
            raise  # answered by update() as 409
        except services.ProjectionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc

    def perform_destroy(self, instance):
        services.scenario_delete(scenario=instance, actor=self.request.user)


class ScenarioRunView(_MunicipalityView, APIView):
    """Start the projection of the scenario as a background job: 202 with the job to poll."""

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request, slug: str, scenario_id: int):
        scenario = get_object_or_404(Scenario, pk=scenario_id, municipality=self.municipality)
        job = services.projection_start(scenario=scenario, user=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ScenarioResultsView(_MunicipalityView, APIView):
    """Projected revenue, expense and balance per year, and per product area (nominal EUR as strings)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str, scenario_id: int):
        scenario = get_object_or_404(
            Scenario.objects.select_related("municipality"), pk=scenario_id, municipality=self.municipality
        )
        return Response(sel.scenario_results_json(scenario))


class ProjectionBatchView(APIView):
    """Compute every scenario of every municipality as one job (installation admins only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied("Nur für Administratoren der Installation.")
        job = services.projection_batch_start(user=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
