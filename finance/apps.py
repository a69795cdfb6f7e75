from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """Budget data: imported budget exports, versions, the explorer."""

    name = "finance"
    verbose_name = _("Haushalt")

    def ready(self) -> None:
        from core.demo import register_demo_loader
        from core.navigation import register_overview_panel, register_section
        from finance.demo import load_finance_demo
        from finance.views import overview_panel_context

        register_section("finance", _("Haushalt"), "finance:index", order=20)
        register_overview_panel("finance", "finance/_overview_panel.html", overview_panel_context, order=20)
        register_demo_loader("finance", load_finance_demo, order=20)
