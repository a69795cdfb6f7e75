"""REST endpoints of the districts feature, under /api/v1/municipalities/<slug>/: districts (GeoJSON
boundary in the detail), indicators, the social index, offers. Reading needs VIEW, writing offers PLAN;
another municipality answers 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import District
from core.permissions import Capability, MunicipalityScoped, capabilities_of
from planning.districts import services
from planning.districts.api.serializers import (
    DistrictDetailSerializer,
    DistrictSerializer,
    IndicatorSerializer,
    OfferSerializer,
    SocialIndexSerializer,
)
from planning.districts.forms import BoundaryImportForm, IndicatorImportForm
from planning.districts.models import Indicator, Offer, SocialIndexValue
from stakeholders.privacy import personal_visible


class DistrictList(MunicipalityScoped, generics.ListAPIView):
    """The municipality's districts (filter ``?level=``)."""

    serializer_class = DistrictSerializer
    queryset = District.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        rows = District.objects.filter(municipality=self.municipality).select_related("parent")
        level = self.request.query_params.get("level")
        return rows.filter(level=level) if level else rows


class DistrictDetail(MunicipalityScoped, generics.RetrieveAPIView):
    """A district with its boundary and the stakeholders placed in it (persons by name only for roles
    that may see persons, as in the stakeholder registry)."""

    serializer_class = DistrictDetailSerializer
    queryset = District.objects.none()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["personal"] = personal_visible(capabilities_of(self.request.user, self.municipality))
        return context

    def get_queryset(self):
        return District.objects.filter(municipality=self.municipality).select_related("parent")


def _form_errors(form) -> list[str]:
    return [
        f"{name}: {message}" if name != "__all__" else message
        for name, errs in form.errors.items()
        for message in errs
    ]


_UPLOAD_SCHEMA = {
    "request": {"multipart/form-data": OpenApiTypes.OBJECT},
    "responses": {201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
}


class DistrictImport(MunicipalityScoped, APIView):
    """Import district boundaries (multipart ``file``: GeoJSON in WGS84, or with ``format=list`` a CSV/XLSX
    list without geometry; ``level``, optional ``code_property``, ``name_property``, ``parent_property``).
    The same checks as the import page, all or nothing: 201 with the counts and warnings, or 400 with
    every reason (feature or line and reason) and nothing stored."""

    write_capability = Capability.PLAN
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(**_UPLOAD_SCHEMA)
    def post(self, request, slug: str):
        fields = {
            name: request.data.get(name, "") for name in BoundaryImportForm.base_fields if name != "file"
        }
        fields["format"] = fields["format"] or BoundaryImportForm.FORMAT_GEOJSON
        fields["level"] = fields["level"] or District.Level.SOZIALRAUM
        form = BoundaryImportForm(fields, request.FILES)
        if not form.is_valid():
            return Response({"errors": _form_errors(form), "warnings": []}, status=400)
        data = form.cleaned_data
        content = data["file"].read()
        try:
            result = services.districts_import_boundaries(
                municipality=self.municipality,
                content=content,
                as_list=data["format"] == BoundaryImportForm.FORMAT_LIST,
                level=data["level"],
                code_property=data["code_property"],
                name_property=data["name_property"],
                parent_property=data["parent_property"],
            )
        except services.DistrictImportError as exc:
            return Response({"errors": exc.messages, "warnings": exc.warnings}, status=400)
        return Response({**result, "level": data["level"]}, status=201)


class IndicatorValuesImport(MunicipalityScoped, APIView):
    """Import indicator values (multipart ``file``: CSV or XLSX, one row per district and year; optional
    ``sheet``). The same checks as the import page, all or nothing: 201 with the counts (the social
    index is recomputed), or 400 with every problem by line and column and nothing stored."""

    write_capability = Capability.PLAN
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(**_UPLOAD_SCHEMA)
    def post(self, request, slug: str):
        form = IndicatorImportForm({"sheet": request.data.get("sheet", "")}, request.FILES)
        if not form.is_valid():
            return Response({"errors": _form_errors(form)}, status=400)
        upload = form.cleaned_data["file"]
        try:
            record = services.indicator_values_import(
                municipality=self.municipality,
                source=upload.read(),
                filename=upload.name,
                user=request.user,
                sheet=form.cleaned_data["sheet"] or None,
            )
        except services.DistrictImportError as exc:
            return Response({"errors": exc.messages}, status=400)
        return Response(
            {"import": record.pk, "rows": record.rows, "values": record.values, "years": record.years},
            status=201,
        )


class IndicatorList(MunicipalityScoped, generics.ListAPIView):
    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.none()

    def get_queryset(self):
        return Indicator.objects.filter(municipality=self.municipality)


class SocialIndexList(MunicipalityScoped, generics.ListAPIView):
    """Social index, rank, change and profile group per district and year (filter ``?year=``)."""

    serializer_class = SocialIndexSerializer
    queryset = SocialIndexValue.objects.none()

    def get_queryset(self):
        rows = SocialIndexValue.objects.filter(district__municipality=self.municipality).select_related(
            "district"
        )
        year = self.request.query_params.get("year", "")
        return (
            rows.filter(year=int(year)) if year.isdigit() else rows.order_by("year", "rank", "district__code")
        )


class _OfferWrite:
    write_capability = Capability.PLAN
    serializer_class = OfferSerializer
    queryset = Offer.objects.none()

    def get_queryset(self):
        return Offer.objects.filter(municipality=self.municipality)

    def get_serializer_context(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_serializer_context()
        return {**super().get_serializer_context(), "municipality": self.municipality}

    def _save(self, serializer):
        offer = serializer.instance or Offer()
        for field, value in serializer.validated_data.items():
            setattr(offer, field, value)
        try:
            serializer.instance = services.offer_save(municipality=self.municipality, offer=offer)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc

    perform_create = perform_update = _save


class OfferList(MunicipalityScoped, _OfferWrite, generics.ListCreateAPIView):
    """Offers; POST places a new one (by ``district`` or by ``lon``/``lat``)."""


class OfferDetail(MunicipalityScoped, _OfferWrite, generics.RetrieveUpdateDestroyAPIView):
    def perform_destroy(self, instance):
        services.offer_delete(offer=instance)


base = "municipalities/<slug:slug>/"
urlpatterns = [
    path(f"{base}districts/", DistrictList.as_view(), name="district-api-list"),
    path(f"{base}districts/<int:pk>/", DistrictDetail.as_view(), name="district-api-detail"),
    path(f"{base}districts/import/", DistrictImport.as_view(), name="district-api-import"),
    path(
        f"{base}district-indicators/import/",
        IndicatorValuesImport.as_view(),
        name="district-api-indicator-import",
    ),
    path(f"{base}district-indicators/", IndicatorList.as_view(), name="district-api-indicators"),
    path(f"{base}social-index/", SocialIndexList.as_view(), name="district-api-social-index"),
    path(f"{base}offers/", OfferList.as_view(), name="district-api-offers"),
    path(f"{base}offers/<int:pk>/", OfferDetail.as_view(), name="district-api-offer"),
]
