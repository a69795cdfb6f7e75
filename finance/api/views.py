"""REST endpoints of the budget data, nested under ``municipalities/<slug>/budget/``.

Every endpoint resolves the municipality through ``core.permissions`` (``MunicipalityAccess``: reading
needs VIEW, writing EDIT_BUDGET; another municipality's member gets 404) and scopes its queryset to it.
"""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import query_id
from core.api.serializers import JobSerializer
from core.permissions import Capability
from core.permissions import MunicipalityScoped as BaseMunicipalityScoped
from finance import explorer_cache, selectors, services
from finance.api.filters import BudgetLineFilter
from finance.api.serializers import (
    BudgetDatasetSerializer,
    BudgetLineSerializer,
    BudgetUploadSerializer,
    BudgetVersionDetailSerializer,
    BudgetVersionSerializer,
    ImportProfileSerializer,
    PreviewRequestSerializer,
    UploadCreateSerializer,
    mapping_from_json,
)
from finance.exports import version_fdp_response, version_ohh_response
from finance.models import (
    BudgetAccount,
    BudgetDataset,
    BudgetLine,
    BudgetProduct,
    BudgetUpload,
    BudgetVersion,
)

SLUG_PARAMETER = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="municipality")
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class MunicipalityScoped(BaseMunicipalityScoped):
    """Budget endpoints: writing needs ``edit_budget``."""

    write_capability = Capability.EDIT_BUDGET


@extend_schema(parameters=[SLUG_PARAMETER])
class DatasetViewSet(
    MunicipalityScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Budget datasets; DELETE removes a dataset with all its versions (needs edit_budget)."""

    serializer_class = BudgetDatasetSerializer

    def get_queryset(self):
        if self.schema_only:
            return BudgetDataset.objects.none()
        return (
            BudgetDataset.objects.filter(municipality=self.municipality)
            .annotate(version_count=Count("versions"))
            .order_by("name")
        )

    def perform_destroy(self, instance: BudgetDataset) -> None:
        services.dataset_delete(dataset=instance, actor=self.request.user)


@extend_schema(parameters=[SLUG_PARAMETER])
class VersionViewSet(
    MunicipalityScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Versions (one per imported file); the detail includes the mapping used and the totals."""

    filterset_fields = ["dataset"]

    def get_serializer_class(self):
        return BudgetVersionDetailSerializer if self.action == "retrieve" else BudgetVersionSerializer

    def get_queryset(self):
        if self.schema_only:
            return BudgetVersion.objects.none()
        return selectors.versions_of(self.municipality)

    def retrieve(self, request, *args, **kwargs):
        """The version with its totals, cached by version stamp (``finance.explorer_cache``)."""
        stamp = explorer_cache.version_stamp(self.municipality)
        key = explorer_cache.key("api-version", request, self.municipality, stamp, (kwargs.get("pk"),))
        tag = explorer_cache.etag(key)
        if (unchanged := explorer_cache.not_modified(request, tag)) is not None:
            return unchanged

        def build():
            version = self.get_object()
            version.totals = selectors.version_totals(version)
            return dict(self.get_serializer(version).data)

        return explorer_cache.finish(Response(explorer_cache.cached(key, build)), tag)

    def perform_destroy(self, instance: BudgetVersion) -> None:
        services.version_delete(version=instance, actor=self.request.user)

    @extend_schema(
        parameters=[ID_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        description="The version as the Offener Haushalt standard dataset (ohh_standard-datensatz.csv: "
        "comma, decimal point, the portal's header); header X-Lines-Left-Out counts the lines the format "
        "has no place for (commitments, kameral statements).",
    )
    @action(detail=True, methods=["get"], url_path="ohh")
    def ohh(self, request, *args, **kwargs):
        return version_ohh_response(self.get_object())

    @extend_schema(
        parameters=[ID_PARAMETER],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        description="The version as a Fiscal Data Package (ZIP: datapackage.json valid against the "
        "official fiscal profile, budget.csv).",
    )
    @action(detail=True, methods=["get"], url_path="fdp")
    def fdp(self, request, *args, **kwargs):
        return version_fdp_response(self.get_object())


@extend_schema(parameters=[SLUG_PARAMETER])
class LineViewSet(MunicipalityScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Budget lines of one version (default: the newest), filterable and paginated."""

    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter

    def get_queryset(self):
        if self.schema_only:
            return BudgetLine.objects.none()
        requested = query_id(self.request, "version")
        if requested is not None:
            version = get_object_or_404(BudgetVersion, pk=requested, municipality=self.municipality)
        else:
            version = selectors.default_version(
                list(BudgetVersion.objects.filter(municipality=self.municipality))
            )
            if version is None:
                return BudgetLine.objects.none()
        return BudgetLine.objects.filter(version_id=version.pk).order_by("id")

    def list(self, request, *args, **kwargs):
        """Lines of an immutable version: revalidated by ETag (the full query string and version stamp)."""
        stamp = explorer_cache.version_stamp(self.municipality)
        query = sorted(request.query_params.lists())
        tag = explorer_cache.etag(explorer_cache.key("api-lines", request, self.municipality, stamp, query))
        if (unchanged := explorer_cache.not_modified(request, tag)) is not None:
            return unchanged
        return explorer_cache.finish(self._list(), tag)

    def _list(self):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        versions = {line.version_id for line in page}
        context = self.get_serializer_context()
        context["product_names"] = {
            (v, code): name
            for v, code, name in BudgetProduct.objects.filter(
                version_id__in=versions, code__in={line.product_code for line in page}
            ).values_list("version_id", "code", "name")
        }
        context["account_names"] = {
            (v, code): name
            for v, code, name in BudgetAccount.objects.filter(
                version_id__in=versions, code__in={line.account_code for line in page}
            ).values_list("version_id", "code", "name")
        }
        return self.get_paginated_response(self.get_serializer_class()(page, many=True, context=context).data)


@extend_schema(parameters=[SLUG_PARAMETER])
class ProfileViewSet(MunicipalityScoped, viewsets.ModelViewSet):
    """Import profiles: saved mappings, reused for files with the same header fingerprint."""

    serializer_class = ImportProfileSerializer

    def get_queryset(self):
        if self.schema_only:
            return selectors.ImportProfile.objects.none()
        return selectors.profiles_of(self.municipality)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not self.schema_only:
            context["municipality"] = self.municipality
        return context

    def perform_create(self, serializer) -> None:
        mapping = serializer.validated_data["mapping"]
        serializer.save(
            municipality=self.municipality,
            created_by=self.request.user,
            header_fingerprint=mapping["header_fingerprint"],
        )

    def perform_update(self, serializer) -> None:
        mapping = serializer.validated_data.get("mapping", serializer.instance.mapping)
        serializer.save(header_fingerprint=mapping["header_fingerprint"])


UploadStartedSerializer = inline_serializer(
    "BudgetUploadStarted",
    fields={"job": JobSerializer(), "upload": BudgetUploadSerializer()},
)


@extend_schema(parameters=[SLUG_PARAMETER])
class UploadViewSet(
    MunicipalityScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Uploads: POST a file (multipart) to import it in the background; follow the returned job."""

    serializer_class = BudgetUploadSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if self.schema_only:
            return BudgetUpload.objects.none()
        return BudgetUpload.objects.filter(municipality=self.municipality).select_related(
            "job", "job__municipality"
        )

    @extend_schema(request=UploadCreateSerializer, responses={202: UploadStartedSerializer})
    def create(self, request, *args, **kwargs):
        incoming = UploadCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        mapping = mapping_from_json(data["mapping"]) if data.get("mapping") else None
        profile = None
        if data.get("profile"):
            profile = selectors.profiles_of(self.municipality).filter(name=data["profile"]).first()
            if profile is None:
                raise serializers.ValidationError({"profile": "no import profile with this name"})
        upload = services.budget_upload_create(
            municipality=self.municipality, file=data["file"], user=request.user
        )
        spec = services.ImportSpec(
            mapping=mapping,
            profile=profile,
            dataset_name=data["dataset"],
            label=data["label"],
            phase=data["phase"],
            status=data.get("status") or "draft",
            make_current=bool(data.get("make_current")),
            read=services.ReadOptions(data.get("encoding"), data.get("delimiter")),
        )
        job = services.budget_upload_start(
            upload=upload,
            spec=spec,
            profile_name=data["save_profile"] if mapping is not None else "",
            user=request.user,
        )
        job.refresh_from_db()
        upload.refresh_from_db()
        return Response(
            {"job": JobSerializer(job).data, "upload": BudgetUploadSerializer(upload).data},
            status=status.HTTP_202_ACCEPTED,
        )


class PreviewView(MunicipalityScoped, APIView):
    """Preview a file without storing anything: detection, mapping, first lines, totals, problems."""

    parser_classes = [MultiPartParser, FormParser]
    write_capability = Capability.EDIT_BUDGET

    @extend_schema(
        parameters=[SLUG_PARAMETER],
        request=PreviewRequestSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request, slug: str):
        incoming = PreviewRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        mapping = incoming.validated_data.get("mapping")
        result, profile = services.budget_preview(
            municipality=self.municipality,
            source=incoming.validated_data["file"],
            mapping=mapping_from_json(mapping) if mapping else None,
            encoding=incoming.validated_data.get("encoding"),
            delimiter=incoming.validated_data.get("delimiter"),
        )
        return Response({**result.to_dict(), "profile": profile.name if profile else None})
