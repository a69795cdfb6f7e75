"""The demo installation: "Musterstadt" (NRW, about 60,000 inhabitants) with a user for every role.

Other apps add their demo data (budget, population, scenarios, a SWOT board) by registering a
loader: ``register_demo_loader("finance", load_finance_demo, order=20)``; ``demo_load`` runs them in
order. Every loader must be idempotent: the run command calls it on each start.
"""

from collections.abc import Callable

from django.db import transaction

from core.models import Municipality, Role
from core.services import membership_set, municipality_create_or_update

DEMO_SLUG = "musterstadt"
DEMO_PASSWORD = "spielraum-demo"  # noqa: S105 - published demo credential, demo data only
DEMO_USERS = {
    "admin": Role.ADMIN,
    "kaemmerei": Role.FINANCE,
    "planung": Role.PLANNER,
    "moderation": Role.FACILITATOR,
    "gast": Role.VIEWER,
}

_loaders: dict[str, tuple[int, Callable[[Municipality], None]]] = {}


def register_demo_loader(key: str, loader: Callable[[Municipality], None], *, order: int = 50) -> None:
    _loaders[key] = (order, loader)


def demo_load() -> Municipality:
    """Create or refresh the demo municipality, its users and every app's demo data."""
    with transaction.atomic():
        municipality, _ = municipality_create_or_update(
            slug=DEMO_SLUG,
            name="Musterstadt",
            ags="05999001",
            land="NW",
            kind=Municipality.Kind.KREISANGEHOERIGE_GEMEINDE,
            population=61240,
        )
        for username, role in DEMO_USERS.items():
            membership_set(
                municipality=municipality,
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                email=f"{username}@musterstadt.example",
            )
    for _order, loader in sorted(_loaders.values(), key=lambda item: item[0]):
        loader(municipality)
    return municipality
