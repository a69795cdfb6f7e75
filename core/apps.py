from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Kern")

    def ready(self) -> None:
        from core.navigation import register_section
        from core.permissions import Capability

        register_section(
            "administration", _("Verwaltung"), "municipality-admin", order=90, capability=Capability.MANAGE
        )
