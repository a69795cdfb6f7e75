"""Registers the resilience checks with core: the overview panel and the demo loader.

Called once from ``PlanningConfig.ready()``; imports lazily so that loading this module touches no model.
"""


def register() -> None:
    from core.demo import register_demo_loader
    from core.navigation import register_overview_panel
    from planning.services.resilience import resilience_demo_load
    from planning.views.resilience import overview_panel_context

    register_overview_panel(
        "resilience", "planning/resilience/_overview_panel.html", overview_panel_context, order=60
    )
    # After finance (budget, order 20) and projection (order 60): the demo check needs their data.
    register_demo_loader("resilience", resilience_demo_load, order=70)
