from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SwotConfig(AppConfig):
    """Live SWOT boards for workshops, TOWS strategies."""

    name = "swot"
    verbose_name = _("SWOT-Workshops")

    def ready(self) -> None:
        from core.demo import register_demo_loader
        from core.navigation import register_section
        from swot.demo import load_swot_demo

        register_section("swot", _("SWOT-Workshops"), "swot:index", order=40)
        register_demo_loader("swot", load_swot_demo, order=60)
