"""REST endpoints of the districts feature, under /api/v1/municipalities/<slug>/: districts (GeoJSON
boundary in the detail), indicators, the social index, offers. Reading needs VIEW, writing offers PLAN;
another municipality answers 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from rest_framework import generics, serializers

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
    path(f"{base}district-indicators/", IndicatorList.as_view(), name="district-api-indicators"),
    path(f"{base}social-index/", SocialIndexList.as_view(), name="district-api-social-index"),
    path(f"{base}offers/", OfferList.as_view(), name="district-api-offers"),
    path(f"{base}offers/<int:pk>/", OfferDetail.as_view(), name="district-api-offer"),
]
