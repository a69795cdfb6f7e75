from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    """Registries of actors: welfare associations, clubs, businesses, citizens."""

    name = "stakeholders"
    verbose_name = _("Akteure")

    def ready(self) -> None:
        from core.navigation import register_section

        register_section("stakeholders", _("Akteure"), "stakeholders:index", order=50)
