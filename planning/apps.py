from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """Projections, resilience checks, measures, coproduction models (the integrator)."""

    name = "planning"
    verbose_name = _("Planung")

    def ready(self) -> None:
        from core.navigation import register_section
        from planning import resilience_setup
        from planning.districts import setup as districts_setup

        register_section("planning", _("Planung"), "planning:index", order=30)
        self._register_projection()
        resilience_setup.register()
        districts_setup.register()

    @staticmethod
    def _register_projection() -> None:
        """Overview panel (latest projection) and demo loader (after finance's demo budget)."""
        from core.demo import register_demo_loader
        from core.navigation import register_overview_panel
        from planning.demo import load_projection_demo
        from planning.views.projection import overview_panel_context

        register_overview_panel(
            "projection", "planning/projection/_overview_panel.html", overview_panel_context, order=50
        )
        register_demo_loader("projection", load_projection_demo, order=60)
