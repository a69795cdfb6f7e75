"""REST endpoints for population, scenarios and projections.

Under ``/api/v1/municipalities/<slug>/``: reading needs VIEW, writing PLAN (``MunicipalityAccess`` with
``write_capability``); objects addressed by id are looked up inside the municipality, so another
municipality's id answers 404. Running a projection answers 202 with the job to poll
(``/api/v1/jobs/<id>/``). The batch over all municipalities (``/api/v1/projection-batch/``) is for
installation admins.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import bounded_float
from core.api.serializers import JobSerializer
from core.permissions import Capability, MunicipalityScoped
from finance.models import BudgetVersion
from planning.models import PopulationSeries, Scenario
from planning.selectors import projection as sel
from planning.services import population as pop_services
from planning.services import projection as services


# -- serializers ----------------------------------------------------------------------------------------
class PopulationSeriesSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = PopulationSeries
        fields = ["id", "kind", "variant", "label", "base_year", "source_name", "assumptions", "updated_at"]
        read_only_fields = fields


class PopulationUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    variant = serializers.CharField(required=False, allow_blank=True, max_length=40)


class MovementsUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class PopulationProjectSerializer(serializers.Serializer):
    base_year = serializers.IntegerField(required=False, allow_null=True, min_value=1950, max_value=2100)
    horizon = serializers.IntegerField(default=30, min_value=1, max_value=30)
    use_history = serializers.BooleanField(default=True)
    # plausible ranges (issue 14 item 8): factors on the national rates, net migration in persons per year
    fertility_factor = bounded_float(min_value=0.1, max_value=5, required=False, allow_null=True)
    mortality_factor = bounded_float(min_value=0.1, max_value=5, required=False, allow_null=True)
    net_migration = bounded_float(min_value=-100_000, max_value=100_000, required=False, allow_null=True)


class ScenarioSerializer(serializers.ModelSerializer):
    # null in answers once the version/series was deleted (SET_NULL); required when writing
    budget_version = serializers.PrimaryKeyRelatedField(
        queryset=BudgetVersion.objects.none(), allow_null=True
    )
    population = serializers.PrimaryKeyRelatedField(queryset=PopulationSeries.objects.none(), allow_null=True)
    base_year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
    revenue_growth = serializers.DictField(
        child=serializers.FloatField(min_value=-0.5, max_value=1), required=False
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Revision the change is based on (from a GET). If the scenario changed since, the "
        "PATCH/PUT is refused with 409 and nothing is stored. Omit it to apply to the current state.",
    )

    class Meta:
        model = Scenario
        fields = ["id", *services.SCENARIO_FIELDS, "computed_at", "revision"]
        read_only_fields = ["id", "computed_at"]
        validators: list = []  # uniqueness of the name is checked below (the municipality is not a field)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = self.context.get("municipality")
        if municipality is not None:
            self.fields["budget_version"].queryset = BudgetVersion.objects.filter(municipality=municipality)
            self.fields["population"].queryset = PopulationSeries.objects.for_municipality(
                municipality
            ).projections()

    def validate_budget_version(self, value):
        if value is None:
            raise ValidationError("Bitte eine Haushaltsversion wählen.")
        return value

    def validate_population(self, value):
        if value is None:
            raise ValidationError("Bitte eine Bevölkerungsvariante wählen.")
        return value

    def validate_name(self, value: str) -> str:
        others = Scenario.objects.filter(municipality=self.context["municipality"], name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("Ein Szenario mit diesem Namen gibt es schon.")
        return value


# -- views ----------------------------------------------------------------------------------------------
class _MunicipalityView(MunicipalityScoped):
    write_capability = Capability.PLAN


class PopulationListView(_MunicipalityView, generics.ListAPIView):
    """Population series of the municipality (actual, official projection variants, Spielraum projections).

    POST a file (multipart ``file``, optional ``variant``) to import; 201 imported, 200 unchanged, 400
    rejected with line-numbered errors.
    """

    serializer_class = PopulationSeriesSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PopulationSeries.objects.none()
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


class _ScenarioView(_MunicipalityView):
    """The municipality's scenarios; the serializer checks names and references against it."""

    serializer_class = ScenarioSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Scenario.objects.none()
        return sel.scenarios_of(self.municipality)

    def get_serializer_context(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_serializer_context()
        return {**super().get_serializer_context(), "municipality": self.municipality}


class ScenarioListView(_ScenarioView, generics.ListCreateAPIView):
    """Scenarios of the municipality; POST creates one (the projection is not started: POST .../run/)."""

    @extend_schema(responses={201: ScenarioSerializer, 409: OpenApiTypes.OBJECT})
    def post(self, request, *args, **kwargs):
        try:
            return self.create(request, *args, **kwargs)
        except services.ScenarioConflict as exc:
            body = {
                "detail": str(exc),
                "current_revision": exc.current.revision,
                "current": ScenarioSerializer(exc.current, context=self.get_serializer_context()).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)

    def perform_create(self, serializer):
        try:
            values = {k: v for k, v in serializer.validated_data.items() if k != "revision"}
            serializer.instance = services.scenario_create(municipality=self.municipality, **values)
        except services.ScenarioConflict:
            raise  # answered by create() as 409 with the scenario that won
        except services.ProjectionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc


_CONFLICT = {409: OpenApiTypes.OBJECT}  # {"detail": ..., "current_revision": n}


@extend_schema_view(
    put=extend_schema(responses={**_CONFLICT, 200: ScenarioSerializer}),
    patch=extend_schema(responses={**_CONFLICT, 200: ScenarioSerializer}),
)
class ScenarioDetailView(_ScenarioView, generics.RetrieveUpdateDestroyAPIView):
    """One scenario; PATCH changes settings (stored results are removed), DELETE removes it."""

    lookup_url_kwarg = "scenario_id"

    def update(self, request, *args, **kwargs):
        try:
            return super().update(request, *args, **kwargs)
        except services.ScenarioConflict as exc:
            body = {"detail": str(exc), "current_revision": exc.current.revision}
            return Response(body, status=status.HTTP_409_CONFLICT)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        expected = values.pop("revision", None)
        try:
            serializer.instance = services.scenario_update(
                scenario=serializer.instance, expected_revision=expected, **values
            )
        except services.ScenarioConflict:
            raise  # answered by update() as 409
        except services.ProjectionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc

    def perform_destroy(self, instance):
        services.scenario_delete(scenario=instance)


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


_BASE = "municipalities/<slug:slug>/"
urlpatterns = [
    path(f"{_BASE}population/", PopulationListView.as_view(), name="api-population-list"),
    path(f"{_BASE}population/movements/", PopulationMovementsView.as_view(), name="api-population-movements"),
    path(f"{_BASE}population/projection/", PopulationProjectView.as_view(), name="api-population-project"),
    path(f"{_BASE}population/<int:series_id>/", PopulationDetailView.as_view(), name="api-population-detail"),
    path(f"{_BASE}scenarios/", ScenarioListView.as_view(), name="api-scenario-list"),
    path(f"{_BASE}scenarios/<int:scenario_id>/", ScenarioDetailView.as_view(), name="api-scenario-detail"),
    path(f"{_BASE}scenarios/<int:scenario_id>/run/", ScenarioRunView.as_view(), name="api-scenario-run"),
    path(
        f"{_BASE}scenarios/<int:scenario_id>/results/",
        ScenarioResultsView.as_view(),
        name="api-scenario-results",
    ),
    path("projection-batch/", ProjectionBatchView.as_view(), name="api-projection-batch"),
]
