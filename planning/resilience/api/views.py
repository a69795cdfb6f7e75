"""REST endpoints for balance sheets and resilience checks, under /api/v1/municipalities/<slug>/.

Reading needs the VIEW capability, writing and starting checks PLAN (``MunicipalityAccess`` with
``write_capability``); another municipality answers 404. Money is given as decimal strings in EUR.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import query_choice, query_year
from core.files import MaxFileSize
from core.permissions import Capability, MunicipalityScoped
from planning.engine.stress import PRESETS
from planning.resilience import indicators as indicator_selectors
from planning.resilience import selectors, services
from planning.resilience.api.serializers import (
    BalanceSheetSerializer,
    ResilienceJobSerializer,
    ResilienceRunCreateSerializer,
    ResilienceRunDetailSerializer,
    ResilienceRunSerializer,
)
from planning.resilience.models import BalanceSheet

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
    """Opening balance sheets (GET); POST creates the sheet of ``year`` (201; 409 if it exists)."""

    serializer_class = BalanceSheetSerializer

    def municipality_queryset(self):
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
        try:
            MaxFileSize()(upload)
        except DjangoValidationError as exc:
            return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        outcome = services.balance_sheets_import(
            municipality=self.municipality, source=upload.read(), user=request.user
        )
        return Response(outcome.to_json(), status=200 if outcome.ok else 400)


class ResilienceRunList(_MunicipalityView, generics.ListAPIView):
    """Stored checks (GET, newest first); POST starts a check as a background job (202)."""

    serializer_class = ResilienceRunSerializer

    def municipality_queryset(self):
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

    serializer_class = ResilienceRunDetailSerializer

    def municipality_queryset(self):
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
