from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    """Registries of actors: welfare associations, clubs, businesses, citizens; their assessments,
    relationships and the engagement log."""

    name = "stakeholders"
    verbose_name = _("Akteure")

    def ready(self) -> None:
        from core.demo import register_demo_loader
        from core.navigation import register_overview_panel, register_section
        from stakeholders.demo import load_stakeholder_demo
        from stakeholders.views import overview_panel_context

        register_section("stakeholders", _("Akteure"), "stakeholders:index", order=50)
        register_overview_panel(
            "stakeholders", "stakeholders/_overview_panel.html", overview_panel_context, order=50
        )
        register_demo_loader("stakeholders", load_stakeholder_demo, order=60)
