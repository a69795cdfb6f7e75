"""Scenarios, cost profiles (age profiles), task types and projection results.

Projection results are stored per scenario and budget item (product x account group x direction), the
whole horizon in one row as arrays of exact cents and ratios (``ProjectionItem``); the yearly totals per
scenario are rows of ``ProjectionYear``.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Municipality, MunicipalityScopedQuerySet
from planning.engine.task_types import TaskType
from planning.population.models import PopulationSeries

__all__ = [
    "AgeProfile",
    "ProjectionItem",
    "ProjectionYear",
    "Scenario",
    "TaskTypeAssignment",
]

RATE_DIGITS = {"max_digits": 7, "decimal_places": 5}  # fractions: 0.02000 = 2 %
MONEY_DIGITS = {"max_digits": 20, "decimal_places": 2}


class ProfileLevel(models.TextChoices):
    """What a cost profile or a task type is assigned to; the most specific assignment wins."""

    PRODUCT = "product", _("Produkt")
    PRODUCT_GROUP = "product_group", _("Produktgruppe")
    ACCOUNT_GROUP = "account_group", _("Kontengruppe")
    AREA = "area", _("Produktbereich")


class AgeProfile(models.Model):
    """The demographic driver (age cost profile) of a product, product group, account group or product
    area, set by the planner.

    Either ``target_group`` (a key of ``planning.engine.projection.TARGET_GROUPS``: kita, jugend,
    senioren, gesamt, keine, ...), or ``shares`` (a mix of target groups, {"senioren": 0.3, ...}), or
    ``weights`` (a table of relative per-capita weights by age band label, {"0-2": 1.0, "3-5": 0.8});
    the first one set is used. ``persistence`` (Kostenremanenz) overrides the area's default when set.
    Without an assignment the engine's defaults per NRW product area and account group apply.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="age_profiles")
    level = models.CharField(_("Ebene"), max_length=16, choices=ProfileLevel.choices)
    code = models.CharField(_("Schlüssel"), max_length=40)
    target_group = models.CharField(_("Zielgruppe"), max_length=20, blank=True)
    shares = models.JSONField(_("Mischung von Zielgruppen"), default=dict, blank=True)
    weights = models.JSONField(_("Gewichte nach Altersgruppe"), default=dict, blank=True)
    persistence = models.DecimalField(
        _("Kostenremanenz"),
        **RATE_DIGITS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    note = models.CharField(_("Begründung"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "level", "code"], name="planning_age_profile_unique"
            )
        ]
        verbose_name = _("Altersprofil")
        verbose_name_plural = _("Altersprofile")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.code}: {self.driver_key}"

    @property
    def driver_key(self) -> str:
        """Short name of the driver: the target group, "mix" or "table"."""
        if self.target_group:
            return self.target_group
        if self.shares:
            return "mix"
        return "table" if self.weights else "keine"


class TaskTypeAssignment(models.Model):
    """The task type (Aufgabenart, seed Tabelle 1) of a product, product group or product area in one
    municipality, overriding the engine's NRW defaults."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="task_types")
    level = models.CharField(_("Ebene"), max_length=16, choices=ProfileLevel.choices)
    code = models.CharField(_("Schlüssel"), max_length=40)
    task_type = models.CharField(
        _("Aufgabenart"), max_length=32, choices=[(t.value, t.value) for t in TaskType]
    )
    note = models.CharField(_("Begründung"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "level", "code"], name="planning_task_type_unique"
            )
        ]
        verbose_name = _("Aufgabenart")
        verbose_name_plural = _("Aufgabenarten")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.code}: {self.task_type}"


def _default_revenue_growth() -> dict[str, float]:
    return {"40": 0.03}


class ScenarioQuerySet(MunicipalityScopedQuerySet):
    def computed(self) -> ScenarioQuerySet:
        return self.exclude(computed_at=None)


class Scenario(models.Model):
    """A status-quo projection set-up: base year and budget version, population variant, horizon and
    the price assumptions (defaults documented in docs/projection-method.md).

    Rates are fractions (0.02 = 2 % a year). ``revenue_growth`` maps NKF revenue account groups to their
    nominal growth ({"40": 0.03}: Steuern). ``interest_rate`` is the average rate on debt; the status-quo
    projection keeps today's debt and therefore today's interest expense (group 55) nominally constant,
    the resilience checks apply the rate to new borrowing. ``cost_persistence`` (Kostenremanenz), when
    set, replaces the per-area defaults for every expense item.
    """

    class BasePhase(models.TextChoices):
        PLAN = "plan", _("Plan")
        ACTUAL = "actual", _("Ist")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("Name"), max_length=120)
    description = models.TextField(_("Beschreibung"), blank=True)
    budget_version = models.ForeignKey(
        "finance.BudgetVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Haushaltsversion"),
    )
    base_year = models.SmallIntegerField(_("Basisjahr"))
    base_phase = models.CharField(_("Basisphase"), max_length=10, choices=BasePhase.choices, default="plan")
    population = models.ForeignKey(
        PopulationSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenarios",
        verbose_name=_("Bevölkerungsvariante"),
    )
    horizon = models.PositiveSmallIntegerField(
        _("Horizont (Jahre)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    inflation = models.DecimalField(_("Preissteigerung"), **RATE_DIGITS, default=Decimal("0.02"))
    wage_growth = models.DecimalField(_("Lohnsteigerung"), **RATE_DIGITS, default=Decimal("0.03"))
    revenue_growth = models.JSONField(_("Wachstum der Ertragsgruppen"), default=_default_revenue_growth)
    interest_rate = models.DecimalField(_("Zinssatz"), **RATE_DIGITS, default=Decimal("0.03"))
    cost_persistence = models.DecimalField(
        _("Kostenremanenz"),
        **RATE_DIGITS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: +1 on every change; an edit based on an older revision is refused.
    revision = models.PositiveIntegerField(_("Revision"), default=1)
    # Take the adopted medium-term plan years as given and project from the last plan year on
    # (planning/engine/plan_years.py); False: project everything from the base year (labelled option).
    continue_plan = models.BooleanField(_("Mittelfristige Planung übernehmen"), default=True)
    computed_at = models.DateTimeField(_("Berechnet"), null=True, blank=True)
    computation = models.JSONField(_("Berechnungsgrundlagen"), default=dict, blank=True)
    # Measures whose effects this scenario adds to the status quo (planning/measures; stopped ones skip).
    measures = models.ManyToManyField(
        "planning.Measure", blank=True, related_name="scenarios", verbose_name=_("Maßnahmen")
    )

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="planning_scenario_name_unique"),
            models.CheckConstraint(
                condition=models.Q(horizon__gte=1, horizon__lte=30), name="planning_scenario_horizon_range"
            ),
        ]
        verbose_name = _("Szenario")
        verbose_name_plural = _("Szenarien")

    def __str__(self) -> str:
        return self.name

    @property
    def last_year(self) -> int:
        return self.base_year + self.horizon

    @property
    def years(self) -> list[int]:
        return list(range(self.base_year, self.last_year + 1))

    def growth_rates(self) -> dict[str, float]:
        """The price assumptions as plain floats, as the engine takes them."""
        return {
            "inflation": float(self.inflation),
            "wage_growth": float(self.wage_growth),
            "interest_rate": float(self.interest_rate),
            **{f"revenue_{k}": float(v) for k, v in (self.revenue_growth or {}).items()},
        }


class ProjectionYear(models.Model):
    """Totals of one projected year of a scenario: population, general price index, revenue, expense
    and balance (Ergebnis: revenue - expense), in nominal EUR."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="projection_years")
    year = models.SmallIntegerField(_("Jahr"))
    population = models.FloatField(_("Einwohner"))
    price_index = models.FloatField(_("Preisindex"))
    revenue = models.DecimalField(_("Erträge"), **MONEY_DIGITS)
    expense = models.DecimalField(_("Aufwendungen"), **MONEY_DIGITS)
    balance = models.DecimalField(_("Saldo"), **MONEY_DIGITS)

    class Meta:
        ordering = ["scenario", "year"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "year"], name="planning_projection_year_unique")
        ]
        verbose_name = _("Projektionsjahr")
        verbose_name_plural = _("Projektionsjahre")

    def __str__(self) -> str:
        return f"{self.scenario_id} {self.year}: {self.balance}"


class ProjectionItem(models.Model):
    """The projected path of one budget item (product x account group x direction) of a scenario: one row
    per item holding every year from ``first_year`` on, with what explains it: the driver (target group
    key, "mix", "table" or "keine") and per year the demographic ratio driver(t) / driver(base year).

    ``cents`` are the amounts as exact integer cents and ``ratios`` the ratios, each a packed
    little-endian array (int64, float64) of one value per year, so a scenario of 300 items over 31 years
    is 300 rows instead of 9,300 (the NRW batch: 118,800 instead of 3.7 million). The same
    ``BinaryField`` serves PostgreSQL (``bytea``) and SQLite (``BLOB``); the selectors decode a
    scenario's rows into one numpy array (``cents_matrix``) and aggregate there.

    Written only by the projection service (binary COPY on PostgreSQL), in the transaction that first
    locks its scenario; like ``finance.BudgetLine`` it has no database foreign-key constraint (the
    deferred per-row check cost store time in the NRW batch). Deleting a scenario still removes its rows
    (the service and Django's cascade).
    """

    CENTS_DTYPE = np.dtype("<i8")
    RATIO_DTYPE = np.dtype("<f8")

    scenario = models.ForeignKey(
        Scenario,
        on_delete=models.CASCADE,
        related_name="projection_items",
        db_constraint=False,  # see the class docstring
    )
    area = models.CharField(_("Produktbereich"), max_length=2, blank=True)
    product_group = models.CharField(_("Produktgruppe"), max_length=5, blank=True)
    product_code = models.CharField(_("Produkt"), max_length=40, blank=True)
    account_group = models.CharField(_("Kontengruppe"), max_length=2, blank=True)
    direction = models.CharField(_("Richtung"), max_length=10)
    driver = models.CharField(_("Treiber"), max_length=20, blank=True)
    first_year = models.SmallIntegerField(_("Erstes Jahr"))
    cents = models.BinaryField(_("Beträge (Cent, je Jahr)"))
    ratios = models.BinaryField(_("Demografische Faktoren (je Jahr)"))

    class Meta:
        verbose_name = _("Projektionsergebnis")
        verbose_name_plural = _("Projektionsergebnisse")

    def __str__(self) -> str:
        return f"{self.product_code}/{self.account_group} {self.direction} ab {self.first_year}"

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.first_year + len(self.cents) // 8))

    @property
    def cents_array(self) -> np.ndarray:
        return np.frombuffer(self.cents, dtype=self.CENTS_DTYPE)

    @property
    def ratio_array(self) -> np.ndarray:
        return np.frombuffer(self.ratios, dtype=self.RATIO_DTYPE)
