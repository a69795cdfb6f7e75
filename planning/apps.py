from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """Population, projections, resilience checks, measures, coproduction models (the integrator).

    One Django app (app label ``planning``) organised by feature: ``planning/<feature>/`` each with the
    same skeleton; ``planning/models.py`` imports every feature's models so that Django finds them.
    """

    name = "planning"
    verbose_name = _("Planung")

    def ready(self) -> None:
        from core.demo import register_demo_loader
        from core.navigation import register_overview_panel, register_section
        from planning.districts.demo import load_districts_demo
        from planning.projection.demo import load_projection_demo
        from planning.projection.views import overview_panel_context as projection_panel
        from planning.resilience.services import resilience_demo_load
        from planning.resilience.views import overview_panel_context as resilience_panel

        register_section("planning", _("Planung"), "planning:index", order=30)
        register_section("districts", _("Sozialräume"), "planning:districts-map", order=35)
        register_overview_panel(
            "projection", "planning/projection/_overview_panel.html", projection_panel, order=50
        )
        register_overview_panel(
            "resilience", "planning/resilience/_overview_panel.html", resilience_panel, order=60
        )
        # Demo data after finance's budget (order 20); the resilience check needs the projection's data.
        register_demo_loader("projection", load_projection_demo, order=60)
        register_demo_loader("resilience", resilience_demo_load, order=70)
        # After the SWOT demo (order 60): the inner city's workshop is linked to its district.
        register_demo_loader("districts", load_districts_demo, order=65)

        from planning.setup_steps import register as register_setup_steps

        register_setup_steps()
