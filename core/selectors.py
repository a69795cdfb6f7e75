"""Read queries of the core app."""

from core.models import AuditEntry, Invitation, Job, Membership, Municipality


def members_of(municipality: Municipality):
    return (
        Membership.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("role", "user__username")
    )


def recent_jobs(municipality: Municipality, limit: int = 5):
    return Job.objects.filter(municipality=municipality).order_by("-created_at")[:limit]


def open_invitations(municipality: Municipality):
    return Invitation.objects.filter(municipality=municipality).open().select_related("created_by")


def audit_entries(municipality: Municipality):
    """The municipality's audit log, newest first."""
    return AuditEntry.objects.filter(municipality=municipality).order_by("-created_at", "-id")
