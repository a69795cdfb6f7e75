"""The API's filter backend: django-filter with every choice scoped to the request's municipality.

A ``ModelChoiceFilter`` (what ``filterset_fields = ["dataset"]`` makes of a foreign key) validates the
value against its queryset: over all rows, an unknown id answers 400 and another municipality's id 200,
an oracle for what exists elsewhere. This backend narrows every model-choice filter's queryset to the
objects the caller may see (the view's municipality, or all municipalities the user belongs to), so an
id from elsewhere is as unknown as an id that does not exist. Unknown enum values answer 400 (django-
filter validates ``ChoiceFilter`` values; ``raise_exception`` is on).
"""

from __future__ import annotations

from django.db import models
from django_filters import filters as df_filters
from django_filters.rest_framework import DjangoFilterBackend

from core.models import Municipality
from core.permissions import visible_municipalities


def _scope(queryset: models.QuerySet, request, view) -> models.QuerySet:
    model = queryset.model
    municipality = getattr(request, "municipality", None)
    allowed = (
        Municipality.objects.filter(pk=municipality.pk)
        if municipality is not None
        else visible_municipalities(request.user)
    )
    if model is Municipality:
        return queryset.filter(pk__in=allowed.values("pk"))
    try:
        model._meta.get_field("municipality")
    except Exception:
        # A model without a municipality (e.g. a user): no choices at all rather than an oracle.
        return queryset.none()
    return queryset.filter(municipality__in=allowed.values("pk"))


class MunicipalityFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` whose model-choice filters only know the caller's objects."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for flt in filterset.filters.values():
            if isinstance(flt, df_filters.ModelChoiceFilter | df_filters.ModelMultipleChoiceFilter):
                base = flt.get_queryset(request)
                if base is None:
                    field = flt.model._meta.get_field(flt.field_name.split("__")[0])
                    base = field.related_model._default_manager.all()
                flt.queryset = _scope(base.all(), request, view)
                flt.__dict__.pop("_field", None)
        return filterset
