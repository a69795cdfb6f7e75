"""Registers the districts feature with core: its navigation section and its demo loader.

Called once from ``PlanningConfig.ready()``; imports lazily so that loading this module touches no model.
"""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from core.demo import register_demo_loader
    from core.navigation import register_section
    from planning.districts.demo import load_districts_demo

    register_section("districts", _("Sozialräume"), "planning:districts-map", order=35)
    # After the SWOT demo (order 60): the inner city's workshop is linked to its district.
    register_demo_loader("districts", load_districts_demo, order=65)
