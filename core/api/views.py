"""REST endpoints of the core app: municipalities, their members, background jobs."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import selectors
from core.api.serializers import (
    AuditEntrySerializer,
    JobSerializer,
    MembershipSerializer,
    MunicipalitySerializer,
)
from core.jobs import job_registered_kinds, jobs_fail_stale
from core.models import Job, Membership
from core.permissions import Capability, MunicipalityAccess, municipality_for, visible_municipalities
from core.services import selftest_start


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """The municipalities the caller belongs to."""

    serializer_class = MunicipalitySerializer
    permission_classes = [MunicipalityAccess]
    lookup_field = "slug"
    filterset_fields = ["land", "kind"]

    def get_queryset(self):
        return visible_municipalities(self.request.user).order_by("name")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["roles"] = dict(
            Membership.objects.filter(user=self.request.user).values_list("municipality_id", "role")
        )
        return context

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get"])
    def members(self, request, slug=None):
        municipality = municipality_for(request.user, slug, Capability.MANAGE)
        members = Membership.objects.filter(municipality=municipality).select_related("user")
        page = self.paginate_queryset(members.order_by("user__username"))
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def audit(self, request, slug=None):
        """The municipality's audit log, newest first (administrators)."""
        municipality = municipality_for(request.user, slug, Capability.MANAGE)
        page = self.paginate_queryset(selectors.audit_entries(municipality))
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def selftest(self, request, slug=None):
        """Start the worker self-test job (admins)."""
        municipality = municipality_for(request.user, slug, Capability.MANAGE)
        job = selftest_start(municipality=municipality, requested_by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def _job_kinds() -> list[tuple[str, str]]:
    return [(kind, kind) for kind in sorted(job_registered_kinds())]


class JobFilter(filters.FilterSet):
    municipality = filters.CharFilter(field_name="municipality__slug")
    kind = filters.ChoiceFilter(choices=_job_kinds)  # an unknown kind is a 400, not an empty list

    class Meta:
        model = Job
        fields = ["status", "kind", "municipality"]


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background jobs of the caller's municipalities: poll one to follow its progress."""

    serializer_class = JobSerializer
    filterset_class = JobFilter

    def retrieve(self, request, *args, **kwargs):
        # a poll of a job whose worker died ends it here too, whether or not a worker or beat sweeps
        job = self.get_object()
        if job.status == Job.Status.RUNNING and jobs_fail_stale() > 0:
            job.refresh_from_db()
        return Response(self.get_serializer(job).data)

    def get_queryset(self):
        return (
            Job.objects.visible_to(self.request.user).select_related("municipality").order_by("-created_at")
        )
