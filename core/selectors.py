"""Read queries of the core app."""

from core.models import Job, Membership, Municipality


def members_of(municipality: Municipality):
    return (
        Membership.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("role", "user__username")
    )


def recent_jobs(municipality: Municipality, limit: int = 5):
    return Job.objects.filter(municipality=municipality).order_by("-created_at")[:limit]
