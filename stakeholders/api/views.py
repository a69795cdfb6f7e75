"""REST endpoints of the stakeholder registry, nested under ``municipalities/<slug>/``.

Reading needs VIEW (persons' names and contacts only with PLAN, see ``stakeholders.privacy``), writing
PLAN, deleting a stakeholder MANAGE. A non-member gets 404, like everywhere (``core.permissions``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.revisions import RevisionedUpdateMixin
from core.permissions import Capability, MunicipalityScoped, can, capabilities_of
from stakeholders import selectors, services
from stakeholders.api.serializers import (
    AssessmentSerializer,
    EngagementCreateSerializer,
    EngagementDoneSerializer,
    EngagementSerializer,
    GridPointSerializer,
    RelationshipSerializer,
    SnapshotSerializer,
    StakeholderSerializer,
)
from stakeholders.methods import network
from stakeholders.models import Engagement, PersonAccess, Relationship, Stakeholder
from stakeholders.privacy import display_name, personal_visible

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="municipality")
DATE = OpenApiParameter("date", OpenApiTypes.DATE, description="as of this date (default: today)")
_CONFLICT = {409: OpenApiTypes.OBJECT}  # {"detail": ..., "current_revision": n}


def _invalid(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class _Scoped(MunicipalityScoped):
    write_capability = Capability.PLAN

    def _fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    @property
    def personal(self) -> bool:
        return personal_visible(capabilities_of(self.request.user, self.municipality))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not self._fake():
            context.update(municipality=self.municipality, personal=self.personal)
        return context


@extend_schema_view(
    list=extend_schema(
        parameters=[
            SLUG,
            *(OpenApiParameter(n, OpenApiTypes.STR) for n in ("q", "sector", "entity", "kind", "district")),
            *(OpenApiParameter(n, OpenApiTypes.STR) for n in ("attitude", "tag", "overdue")),
        ]
    ),
    update=extend_schema(parameters=[SLUG], responses={**_CONFLICT, 200: StakeholderSerializer}),
    partial_update=extend_schema(parameters=[SLUG], responses={**_CONFLICT, 200: StakeholderSerializer}),
)
@extend_schema(parameters=[SLUG])
class StakeholderViewSet(RevisionedUpdateMixin, _Scoped, viewsets.ModelViewSet):
    """Organisations and persons of the registry; search and filters as query parameters."""

    conflict_error = services.StakeholderConflict

    serializer_class = StakeholderSerializer

    def get_queryset(self):
        if self._fake():
            return Stakeholder.objects.none()
        return selectors.stakeholder_search(
            self.municipality, self.request.query_params, personal=self.personal
        )

    def retrieve(self, request, *args, **kwargs):
        stakeholder = self.get_object()
        if self.personal:
            services.person_access_record(
                stakeholder=stakeholder, user=request.user, action=PersonAccess.Action.VIEW
            )
        return Response(self.get_serializer(stakeholder).data)

    def perform_create(self, serializer):
        values = {k: v for k, v in serializer.validated_data.items() if k != "revision"}
        try:
            serializer.instance = services.stakeholder_create(
                municipality=self.municipality, user=self.request.user, **values
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        expected = values.pop("revision", None)
        try:
            serializer.instance = services.stakeholder_update(
                stakeholder=serializer.instance, expected_revision=expected, user=self.request.user, **values
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc

    def perform_destroy(self, instance):
        if not can(self.request.user, self.municipality, Capability.MANAGE):
            raise PermissionDenied
        services.stakeholder_delete(stakeholder=instance)

    @extend_schema(request=AssessmentSerializer, responses=AssessmentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def assessments(self, request, slug=None, pk=None):
        """The dated assessments (newest first); POST appends one (the history is never changed)."""
        stakeholder = self.get_object()
        if request.method == "POST":
            incoming = AssessmentSerializer(data=request.data, context=self.get_serializer_context())
            incoming.is_valid(raise_exception=True)
            try:
                created = services.assessment_add(
                    stakeholder=stakeholder, assessor=request.user, **incoming.validated_data
                )
            except DjangoValidationError as exc:
                raise _invalid(exc) from exc
            return Response(self._assessment(created), status=status.HTTP_201_CREATED)
        rows = stakeholder.assessments.select_related("assessor", "stakeholder")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([self._assessment(a) for a in page])

    def _assessment(self, assessment) -> dict:
        return AssessmentSerializer(assessment, context=self.get_serializer_context()).data

    @extend_schema(request=EngagementCreateSerializer, responses=EngagementSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def engagements(self, request, slug=None, pk=None):
        """The engagement log of the stakeholder; POST records a meeting, workshop, letter ..."""
        stakeholder = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            incoming = EngagementCreateSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            try:
                entry = services.engagement_log(
                    stakeholder=stakeholder, user=request.user, **incoming.validated_data
                )
            except DjangoValidationError as exc:
                raise _invalid(exc) from exc
            return Response(EngagementSerializer(entry, context=context).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(stakeholder.engagements.select_related("stakeholder"))
        return self.get_paginated_response(EngagementSerializer(page, many=True, context=context).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def record(self, request, slug=None, pk=None):
        """Art. 15/20 GDPR: everything held about a person, as JSON (needs PLAN; logged)."""
        stakeholder = self.get_object()
        if stakeholder.entity != Stakeholder.Entity.PERSON:
            raise ValidationError({"detail": "only persons have a personal record"})
        if not self.personal:
            raise PermissionDenied
        services.person_access_record(
            stakeholder=stakeholder, user=request.user, action=PersonAccess.Action.EXPORT_JSON
        )
        return Response(services.person_record(stakeholder))

    @extend_schema(request=None, responses=StakeholderSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, slug=None, pk=None):
        """Art. 17 GDPR: anonymise the person everywhere; aggregates stay (needs PLAN; logged)."""
        stakeholder = self.get_object()
        if stakeholder.entity != Stakeholder.Entity.PERSON:
            raise ValidationError({"detail": "only persons are erased; organisations are deleted"})
        erased = services.person_erase(stakeholder=stakeholder, user=request.user)
        return Response(self.get_serializer(erased).data)


@extend_schema(parameters=[SLUG])
class RelationshipViewSet(
    _Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Ties between stakeholders (kind, strength, direction, validity)."""

    serializer_class = RelationshipSerializer

    def get_queryset(self):
        if self._fake():
            return Relationship.objects.none()
        return (
            Relationship.objects.filter(municipality=self.municipality)
            .select_related("source", "target")
            .order_by("pk")
        )

    def perform_create(self, serializer):
        try:
            serializer.instance = services.relationship_create(**serializer.validated_data)
        except services.RegistryError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc

    def perform_destroy(self, instance):
        services.relationship_delete(relationship=instance)


@extend_schema_view(
    list=extend_schema(parameters=[SLUG, OpenApiParameter("overdue", OpenApiTypes.BOOL)]),
    partial_update=extend_schema(parameters=[SLUG], request=EngagementDoneSerializer),
)
@extend_schema(parameters=[SLUG])
class EngagementViewSet(
    _Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The engagement log of the municipality; ``?overdue=1`` lists overdue follow-ups; PATCH with
    ``done_on`` marks a follow-up done."""

    serializer_class = EngagementSerializer
    http_method_names = ["get", "patch", "options", "head"]

    def get_queryset(self):
        if self._fake():
            return Engagement.objects.none()
        rows = Engagement.objects.filter(municipality=self.municipality).select_related("stakeholder")
        if self.request.query_params.get("overdue"):
            rows = rows.overdue(timezone.localdate())
        return rows.order_by("-occurred_on", "-pk")

    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        incoming = EngagementDoneSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        done = services.engagement_complete(engagement=entry, done_on=incoming.validated_data.get("done_on"))
        return Response(self.get_serializer(done).data)


class _AnalysisView(_Scoped, APIView):
    def on(self):
        return selectors.parse_date(self.request.query_params.get("date"), timezone.localdate())


class GridView(_AnalysisView):
    """The power-interest grid as of ``date``, with the earlier position at ``compare``."""

    @extend_schema(
        parameters=[SLUG, DATE, OpenApiParameter("compare", OpenApiTypes.DATE)],
        responses=GridPointSerializer(many=True),
    )
    def get(self, request, slug: str):
        compare = selectors.parse_date(request.query_params.get("compare"))
        points = selectors.grid_points(self.municipality, request.query_params, on=self.on(), compare=compare)
        return Response(
            [
                {
                    "stakeholder": p["stakeholder"].pk,
                    "name": display_name(p["stakeholder"], self.personal),
                    "sector": p["stakeholder"].sector,
                    "influence": p["influence"],
                    "interest": p["interest"],
                    "quadrant": p["quadrant"],
                    "salience": p["salience"],
                    "strategy": p["strategy"],
                    "assessed_on": p["assessed_on"],
                    "moved_from": p["from"],
                }
                for p in points
            ]
        )


class NetworkView(_AnalysisView):
    """Network measures and brokerage of the graph of ``date``: the stored snapshot of that date if there
    is one, else computed now; POST computes and stores a snapshot (PLAN)."""

    @extend_schema(parameters=[SLUG, DATE], responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str):
        on = self.on()
        snapshot = selectors.snapshot_for(self.municipality, on)
        if snapshot is not None:
            return Response({"stored": True, **SnapshotSerializer(snapshot).data})
        groups, arcs = selectors.network_at(self.municipality, on)
        result = network.analyse(groups, arcs)
        return Response(
            {
                "stored": False,
                "graph_date": on,
                "nodes": result.nodes,
                "edges": result.edges,
                "measures": {str(k): v for k, v in result.measures.items()},
                "brokerage": {
                    **{str(k): v for k, v in result.brokerage.items()},
                    "_total": result.brokerage_totals,
                },
            }
        )

    @extend_schema(parameters=[SLUG, DATE], request=None, responses={201: SnapshotSerializer})
    def post(self, request, slug: str):
        snapshot = services.network_snapshot_create(
            municipality=self.municipality, on=self.on(), user=request.user
        )
        return Response(SnapshotSerializer(snapshot).data, status=status.HTTP_201_CREATED)


class ResourcesView(_AnalysisView):
    """What the third sector, informal sector and market could contribute, valued at the shadow wage
    of ``date``."""

    @extend_schema(parameters=[SLUG, DATE], responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str):
        overview = selectors.resource_overview(self.municipality, self.on(), request.query_params)
        wage = overview["wage"]

        def plain(bucket: dict) -> dict:
            return {
                k: (str(v) if v is not None and not isinstance(v, int | str) else v)
                for k, v in bucket.items()
            }

        return Response(
            {
                "date": overview["on"],
                "shadow_wage": None
                if wage is None
                else {
                    "eur_per_hour": str(wage.eur_per_hour),
                    "valid_from": wage.valid_from,
                    "source": wage.source,
                },
                "by_district_and_sector": [plain(b) for b in overview["by_place"]],
                "by_kind": [plain(b) for b in overview["by_kind"]],
                "total": plain(overview["total"]),
            }
        )
