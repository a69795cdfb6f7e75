"""Helpers shared by the management commands of all apps."""

from django.core.management.base import CommandError

from core.models import Municipality


def municipality_by_slug(slug: str) -> Municipality:
    """The municipality of a ``--municipality SLUG`` option, or a CommandError that names the slug."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise CommandError(f"municipality {slug!r} not found")
    return municipality
