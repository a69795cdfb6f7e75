"""The first-run checklist of a new municipality (shown on its overview until every step is done).

Registered here because planning is the integrator that may read every app: a budget (finance), the
opening balance sheet, the population and a scenario (planning).
"""

from django.utils.translation import gettext_lazy as _

from core.navigation import SetupStep, register_setup_step
from core.permissions import Capability


def _has_budget(municipality) -> bool:
    from finance.models import BudgetVersion

    return BudgetVersion.objects.filter(municipality=municipality).exists()


def _has_balance_sheet(municipality) -> bool:
    from planning.resilience.models import BalanceSheet

    return BalanceSheet.objects.filter(municipality=municipality).exists()


def _has_population(municipality) -> bool:
    from planning.population.models import PopulationSeries

    return PopulationSeries.objects.filter(municipality=municipality).exists()


def _has_scenario(municipality) -> bool:
    from planning.projection.models import Scenario

    return Scenario.objects.filter(municipality=municipality).exists()


def register() -> None:
    steps = [
        ("budget", _("Haushalt importieren"), "finance:upload", _has_budget, Capability.EDIT_BUDGET,
         _("CSV- oder XLSX-Export Ihres Finanzverfahrens hochladen.")),
        ("balance", _("Eröffnungsbilanz eintragen"), "planning:balance-sheets", _has_balance_sheet,
         Capability.PLAN,
         _("Eigenkapital, Ausgleichsrücklage und allgemeine Rücklage zum 1. Januar.")),
        ("population", _("Bevölkerung importieren"), "planning:population-index", _has_population,
         Capability.PLAN,
         _("Bevölkerung nach Altersgruppen, z. B. GENESIS-Tabelle 12411-0012.")),
        ("scenario", _("Szenario anlegen"), "planning:scenario-create", _has_scenario, Capability.PLAN,
         _("Annahmen zu Preisen, Löhnen und Bevölkerung; daraus rechnet die Projektion.")),
    ]  # fmt: skip
    for order, (key, label, url_name, done, capability, help_text) in enumerate(steps, start=1):
        register_setup_step(SetupStep(key, label, url_name, done, order * 10, capability, help_text))
