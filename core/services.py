"""Write operations of the core app: municipalities, memberships, the worker self-test."""

from django.contrib.auth import get_user_model
from django.db import transaction

from core.jobs import job_start
from core.models import Job, Membership, Municipality


@transaction.atomic
def municipality_create_or_update(
    *, slug: str, name: str, ags: str, land: str, kind: str | None = None, population: int | None = None
) -> tuple[Municipality, bool]:
    """Create the municipality, or update the given fields of an existing one with that slug.

    Validates everything (AGS format, AGS matches Land) before writing; raises ValidationError.
    """
    municipality = Municipality.objects.select_for_update().filter(slug=slug).first()
    created = municipality is None
    if created:
        municipality = Municipality(slug=slug)
    municipality.name = name
    municipality.ags = ags
    municipality.land = land
    if kind is not None:
        municipality.kind = kind
    if population is not None:
        municipality.population = population
    municipality.full_clean()
    municipality.save()
    return municipality, created


@transaction.atomic
def membership_set(
    *, municipality: Municipality, username: str, role: str, password: str | None = None, email: str = ""
) -> Membership:
    """Give a user (created if missing) a role in the municipality; an existing role is replaced."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email})
    if created or password:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership, _ = Membership.objects.update_or_create(
        user=user, municipality=municipality, defaults={"role": role}
    )
    return membership


def selftest_start(
    *, municipality: Municipality | None, requested_by, steps: int = 5, step_seconds: float = 0.5
) -> Job:
    """Start the worker self-test job (admins check that background processing works end to end)."""
    return job_start(
        "core.selftest",
        municipality=municipality,
        requested_by=requested_by,
        params={"steps": steps, "step_seconds": step_seconds},
    )
