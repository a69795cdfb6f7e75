"""Template context for the base layout: the user's municipalities and the current one's sections."""

import functools

from django.db.models import QuerySet
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from core import compiled
from core.models import Membership, Role
from core.navigation import sections
from core.permissions import visible_municipalities

_USER = -7_000_003  # stands for the user's id while the query is compiled


def _memberships() -> QuerySet:
    """(municipality name, slug, role) of a user's memberships, by name."""
    rows = Membership.objects.filter(user_id=_USER).order_by("municipality__name", "municipality_id")
    return rows.values_list("municipality__name", "municipality__slug", "role")


@functools.lru_cache(maxsize=4096)
def _section_url(_prefix: str, _urlconf, url_name: str, slug: str) -> str | None:
    """A section's URL for a municipality; the same for the life of the process (every page asks)."""
    try:
        return reverse(url_name, kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    municipality = getattr(request, "municipality", None)
    nav = []
    if municipality is not None:
        capabilities = getattr(request, "capabilities", frozenset())
        for section in sections():
            if section.capability not in capabilities:
                continue
            url = _section_url(get_script_prefix(), get_urlconf(), section.url_name, municipality.slug)
            if url is None:
                continue
            nav.append(
                {
                    "key": section.key,
                    "label": section.label,
                    "url": url,
                    "active": request.path.startswith(url),
                }
            )
    if user.is_superuser:
        can_administrate, switcher = True, list(visible_municipalities(user).values("name", "slug"))
    else:
        # one query (compiled once per process) for the switcher and the administration link
        memberships = compiled.fetch(_memberships, [_USER], [user.pk])
        can_administrate = any(role == Role.ADMIN for _name, _slug, role in memberships)
        switcher = [{"name": name, "slug": slug} for name, slug, _role in memberships]
    return {
        "can_administrate": can_administrate,
        "nav_municipalities": switcher,
        "current_municipality": municipality,
        "nav_sections": nav,
    }
