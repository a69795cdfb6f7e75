"""Write operations of the core app: municipalities and memberships."""

from django.contrib.auth import get_user_model
from django.db import transaction

from core.models import Membership, Municipality


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
