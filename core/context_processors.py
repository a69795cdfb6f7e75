"""Template context for the base layout: the user's municipalities and the current one's sections."""

from django.urls import NoReverseMatch, reverse

from core.models import Membership, Role
from core.navigation import sections
from core.permissions import visible_municipalities


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
            try:
                url = reverse(section.url_name, kwargs={"slug": municipality.slug})
            except NoReverseMatch:
                continue
            nav.append(
                {
                    "key": section.key,
                    "label": section.label,
                    "url": url,
                    "active": request.path.startswith(url),
                }
            )
    return {
        "can_administrate": user.is_superuser
        or Membership.objects.filter(user=user, role=Role.ADMIN).exists(),
        "nav_municipalities": visible_municipalities(user).only("name", "slug"),
        "current_municipality": municipality,
        "nav_sections": nav,
    }
