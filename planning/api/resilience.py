"""REST endpoints for balance sheets and resilience checks, under /api/v1/municipalities/<slug>/.

Reading needs the VIEW capability, writing and starting checks PLAN (``MunicipalityAccess`` with
``write_capability``); another municipality answers 404. Money is given as decimal strings in EUR.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import bounded_float, bounded_int, query_choice, query_year, year_field
from core.api.serializers import JobSerializer
from core.permissions import Capability, MunicipalityScoped
from planning.engine.stress import PRESETS
from planning.models.resilience import BalanceSheet, ResilienceRun
from planning.selectors import resilience as selectors
from planning.selectors import resilience_indicators as indicator_selectors
from planning.services import resilience as services

# --------------------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------------------


class BalanceSheetSerializer(serializers.ModelSerializer):
    """Opening balance sheet of a year; rates as shares (0.025 = 2.5 %)."""

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
    # percent and growth_pp in percent (points), absolute in EUR per year (issue 14 item 8)
    value = bounded_float(min_value=-1e12, max_value=1e12)
    years = serializers.ListField(child=year_field(), required=False, max_length=100)
    year_offset = bounded_int(required=False, min_value=0, max_value=100)
    duration = bounded_int(required=False, allow_null=True, min_value=1, max_value=100)
    share = serializers.FloatField(required=False, min_value=0, max_value=1)
    label = serializers.CharField(required=False, allow_blank=True, max_length=200)

    _PERCENT_RANGE = (-100.0, 1000.0)

    def validate(self, attrs):
        low, high = self._PERCENT_RANGE
        if attrs["kind"] in ("percent", "growth_pp") and not low <= attrs["value"] <= high:
            raise serializers.ValidationError(
                {"value": [f"Für „{attrs['kind']}“ sind {low:g} bis {high:g} Prozent(punkte) möglich."]}
            )
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


# --------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------


class _MunicipalityView(MunicipalityScoped):
    write_capability = Capability.PLAN


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in services.BALANCE_FIELDS}


def _error(exc: Exception) -> Response:
    if isinstance(exc, DjangoValidationError) and hasattr(exc, "message_dict"):
        return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


def _conflict(exc: services.BalanceSheetConflict) -> Response:
    body = {
        "detail": str(exc),
        "current_revision": exc.current.revision,
        "current": BalanceSheetSerializer(exc.current).data,
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


class BalanceSheetList(_MunicipalityView, generics.ListAPIView):
    """Opening balance sheets (GET); POST creates or updates the sheet of ``year`` (201 / 200)."""

    queryset = BalanceSheet.objects.none()  # for the schema; requests use get_queryset
    serializer_class = BalanceSheetSerializer

    def get_queryset(self):
        return selectors.balance_sheets_of(self.municipality)

    @extend_schema(
        request=BalanceSheetSerializer,
        responses={201: BalanceSheetSerializer, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request, slug: str):
        serializer = BalanceSheetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sheet, created = services.balance_sheet_set(
                municipality=self.municipality,
                year=serializer.validated_data["year"],
                values=_values(serializer.validated_data),
                user=request.user,
                source=BalanceSheet.Source.API,
                # the list creates: "I saw no sheet of this year" (an existing one is a 409, not overwritten)
                expected_revision=0,
            )
        except services.BalanceSheetConflict as exc:
            return _conflict(exc)
        except (services.ResilienceInputError, DjangoValidationError, ValueError) as exc:
            return _error(exc)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(BalanceSheetSerializer(sheet).data, status=code)


_CONFLICT = {409: OpenApiTypes.OBJECT}  # {"detail": ..., "current_revision": n}


@extend_schema_view(
    put=extend_schema(
        request=BalanceSheetSerializer,
        responses={**_CONFLICT, 200: BalanceSheetSerializer, 201: BalanceSheetSerializer},
    ),
    patch=extend_schema(
        request=BalanceSheetSerializer,
        responses={**_CONFLICT, 200: BalanceSheetSerializer, 201: BalanceSheetSerializer},
    ),
)
class BalanceSheetDetail(_MunicipalityView, generics.GenericAPIView):
    """One year's opening balance sheet: GET, PUT/PATCH (fields not sent keep their value), DELETE."""

    queryset = BalanceSheet.objects.none()  # for the schema; requests use get_queryset
    serializer_class = BalanceSheetSerializer

    def get_object(self) -> BalanceSheet:
        return get_object_or_404(selectors.balance_sheets_of(self.municipality), year=self.kwargs["year"])

    def get(self, request, slug: str, year: int):
        return Response(BalanceSheetSerializer(self.get_object()).data)

    def put(self, request, slug: str, year: int):
        data = request.data.copy()
        data["year"] = year
        serializer = BalanceSheetSerializer(data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            sheet, created = services.balance_sheet_set(
                municipality=self.municipality,
                year=year,
                values=_values(serializer.validated_data),
                user=request.user,
                source=BalanceSheet.Source.API,
                expected_revision=serializer.validated_data.get("revision"),
            )
        except services.BalanceSheetConflict as exc:
            return _conflict(exc)
        except services.BalanceSheetDeleted as exc:
            return Response({"detail": str(exc), "current_revision": None}, status=status.HTTP_409_CONFLICT)
        except (services.ResilienceInputError, DjangoValidationError, ValueError) as exc:
            return _error(exc)
        return Response(BalanceSheetSerializer(sheet).data, status=201 if created else 200)

    def patch(self, request, slug: str, year: int):
        return self.put(request, slug, year)

    def delete(self, request, slug: str, year: int):
        services.balance_sheet_delete(balance_sheet=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class BalanceSheetImport(_MunicipalityView, APIView):
    """Import opening balance sheets from a CSV or XLSX file (field ``file``), all or nothing."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("BalanceSheetImportRequest", {"file": serializers.FileField()}),
        responses={
            200: inline_serializer(
                "BalanceSheetImportResult",
                {
                    "status": serializers.CharField(),
                    "years": serializers.ListField(child=serializers.IntegerField()),
                    "errors": serializers.ListField(child=serializers.CharField()),
                },
            )
        },
    )
    def post(self, request, slug: str):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"detail": "file is required"}, status=status.HTTP_400_BAD_REQUEST)
        outcome = services.balance_sheets_import(
            municipality=self.municipality, source=upload.read(), user=request.user
        )
        return Response(outcome.to_json(), status=200 if outcome.ok else 400)


class ResilienceRunList(_MunicipalityView, generics.ListAPIView):
    """Stored checks (GET, newest first); POST starts a check as a background job (202)."""

    queryset = ResilienceRun.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ResilienceRunSerializer

    def get_queryset(self):
        return selectors.runs_of(self.municipality)

    @extend_schema(request=ResilienceRunCreateSerializer, responses={202: ResilienceJobSerializer})
    def post(self, request, slug: str):
        serializer = ResilienceRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            run = services.resilience_run_start(
                municipality=self.municipality,
                user=request.user,
                budget_version=data.get("budget_version") or None,
                scenario=data.get("scenario") or None,
                stress_preset=data["stress"],
                stress_params=data["stress_params"],
                shocks=[dict(s) for s in data["shocks"]],
                n_paths=data["paths"],
                seed=data["seed"],
            )
        except services.ResilienceInputError as exc:
            return _error(exc)
        job = run.job
        job.refresh_from_db()
        job.run = run.pk
        return Response(ResilienceJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ResilienceRunDetail(_MunicipalityView, generics.RetrieveAPIView):
    """One stored check with its documented JSON (``summary``), inputs and full result."""

    queryset = ResilienceRun.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ResilienceRunDetailSerializer

    def get_queryset(self):
        return selectors.runs_of(self.municipality)


_SOURCE_PARAMS = [
    OpenApiParameter(
        "version", str, description="budget version id or name (default: latest with plan years)"
    ),
    OpenApiParameter("scenario", str, description="projection scenario name or id"),
]


class StressPresetList(_MunicipalityView, APIView):
    """The stress presets and the groups of the current plan that own shocks can target."""

    @extend_schema(parameters=_SOURCE_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug: str):
        presets = [
            {"id": p.id, "name": p.name_de, "description": p.description_de, "defaults": p.defaults}
            for p in PRESETS.values()
        ]
        groups: list[dict[str, str]] = []
        try:
            inputs = selectors.resilience_inputs(
                municipality=self.municipality,
                budget_version=request.query_params.get("version") or None,
                scenario=request.query_params.get("scenario") or None,
            )
            groups = [{"code": g.code, "name": g.name, "kind": g.kind} for g in inputs.base.groups]
        except selectors.ResilienceInputError:
            pass
        return Response({"presets": presets, "groups": groups})


def _indicator_value(value: Any) -> dict[str, Any]:
    return {"value": value.value, "reason": value.reason}


class IndicatorTable(_MunicipalityView, APIView):
    """NKF indicators per year (actual, plan or projection) with their formulas."""

    @extend_schema(parameters=_SOURCE_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug: str):
        municipality = self.municipality
        inputs = path = None
        error = None
        try:
            inputs = selectors.resilience_inputs(
                municipality=municipality,
                budget_version=request.query_params.get("version") or None,
                scenario=request.query_params.get("scenario") or None,
            )
            _result, _base, path = services.resilience_evaluate(inputs)
        except selectors.ResilienceInputError as exc:
            error = str(exc)
        table = indicator_selectors.indicator_table(municipality, inputs=inputs, path=path)
        return Response(
            {
                "indicators": [
                    {
                        "id": s.id,
                        "name": s.name_de,
                        "formula": s.formula_de,
                        "unit": s.unit,
                        "better": s.better_when,
                    }
                    for s in table["specs"]
                ],
                "years": [
                    {
                        "year": c.year,
                        "phase": c.phase,
                        "values": {k: _indicator_value(v) for k, v in c.values.items()},
                    }
                    for c in table["columns"]
                ],
                "notes": table["notes"] + ([error] if error else []),
            }
        )


class Comparison(_MunicipalityView, APIView):
    """Indicators and per-capita figures across the municipalities the caller may see, ranked."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("phase", str, enum=["plan", "actual"]),
            OpenApiParameter("metric", str, description="indicator or per-capita id to rank by"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug: str):
        table = indicator_selectors.comparison_table(
            user=request.user,
            municipality=self.municipality,
            year=query_year(request),
            phase=query_choice(request, "phase", ("plan", "actual"), default="plan"),
            metric=request.query_params.get("metric", ""),
        )
        rows = [
            {
                "municipality": r["municipality"].slug,
                "name": r["municipality"].name,
                "population": r["municipality"].population,
                "rank": r["rank"],
                "value": r["value"],
                "indicators": {k: v.value for k, v in r.get("indicators", {}).items()},
                "per_capita": r.get("per_capita", {}),
            }
            for r in table["rows"]
        ]
        return Response(
            {"year": table["year"], "phase": table["phase"], "metric": table["metric"], "rows": rows}
        )


base = "municipalities/<slug:slug>/"
urlpatterns = [
    path(f"{base}balance-sheets/", BalanceSheetList.as_view(), name="balance-sheet-api-list"),
    path(f"{base}balance-sheets/import/", BalanceSheetImport.as_view(), name="balance-sheet-api-import"),
    path(f"{base}balance-sheets/<int:year>/", BalanceSheetDetail.as_view(), name="balance-sheet-api-detail"),
    path(f"{base}resilience/runs/", ResilienceRunList.as_view(), name="resilience-api-runs"),
    path(f"{base}resilience/runs/<int:pk>/", ResilienceRunDetail.as_view(), name="resilience-api-run"),
    path(f"{base}resilience/presets/", StressPresetList.as_view(), name="resilience-api-presets"),
    path(f"{base}resilience/indicators/", IndicatorTable.as_view(), name="resilience-api-indicators"),
    path(f"{base}resilience/comparison/", Comparison.as_view(), name="resilience-api-comparison"),
]
