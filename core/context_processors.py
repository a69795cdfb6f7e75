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
    if user.is_superuser:
        can_administrate, switcher = True, list(visible_municipalities(user).values("name", "slug"))
    else:
        # one query for the switcher and the administration link: the user's memberships
        rows = Membership.objects.filter(user=user).order_by("municipality__name", "municipality_id")
        memberships = list(rows.values("municipality__name", "municipality__slug", "role"))
        can_administrate = any(row["role"] == Role.ADMIN for row in memberships)
        switcher = [{"name": r["municipality__name"], "slug": r["municipality__slug"]} for r in memberships]
    return {
        "can_administrate": can_administrate,
        "nav_municipalities": switcher,
        "current_municipality": municipality,
        "nav_sections": nav,
    }
