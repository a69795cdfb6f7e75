"""Balance sheets and resilience checks.

``BalanceSheet`` holds the opening values of a year (Eröffnungswerte: what the balance sheet of
31 December of the previous year shows). ``ResilienceRun`` stores one check: its inputs (source,
balance sheet, stress, seed), the deterministic reserve path and, with Monte Carlo paths, the fan
charts and trigger probabilities, as JSON; ``ResilienceRunYear`` repeats the per-year key figures as
rows so lists and the overview panel need no JSON parsing.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Municipality, MunicipalityScopedQuerySet

__all__ = ["BalanceSheet", "ResilienceRun", "ResilienceRunYear"]

MONEY = {"max_digits": 17, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}


class BalanceSheetQuerySet(MunicipalityScopedQuerySet):
    """Balance sheets: ``for_municipality`` from the core base."""


class BalanceSheet(models.Model):
    """Opening balance sheet of a municipality for one year (values at 1 January, in EUR).

    Only the positions the resilience checks need: equity and its reserves (GO NRW § 75), the
    balance-sheet total (Eigenkapitalquote), loans and their interest (interest shock, effective debt)
    and pension provisions. ``equity`` may be left empty: it is then the sum of the two reserves.
    """

    class Source(models.TextChoices):
        FORM = "form", _("Formular")
        API = "api", _("API")
        CSV = "csv", _("CSV-Import")
        CLI = "cli", _("Kommandozeile")
        DEMO = "demo", _("Demodaten")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="balance_sheets")
    year = models.SmallIntegerField(
        _("Jahr"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )  # opening values of this year
    equity = models.DecimalField(_("Eigenkapital"), null=True, blank=True, **MONEY)
    equalisation_reserve = models.DecimalField(  # Ausgleichsrücklage
        _("Ausgleichsrücklage"), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    general_reserve = models.DecimalField(  # allgemeine Rücklage
        _("Allgemeine Rücklage"), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    balance_sheet_total = models.DecimalField(_("Bilanzsumme"), null=True, blank=True, **MONEY)
    investment_loans = models.DecimalField(
        _("Investitionskredite"), default=Decimal(0), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    investment_loans_rate = models.DecimalField(
        _("Zinssatz Investitionskredite"),
        default=Decimal(0),
        help_text=_("Durchschnittlicher Zinssatz als Anteil, z. B. 0,025 für 2,5 %"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        **RATE,
    )
    variable_rate_share = models.DecimalField(
        _("Anteil variabel verzinst"),
        default=Decimal(0),
        help_text=_("Anteil der Investitionskredite mit variablem Zins oder anstehender Umschuldung"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        **RATE,
    )
    liquidity_loans = models.DecimalField(
        _("Liquiditätskredite"), default=Decimal(0), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    liquidity_loans_rate = models.DecimalField(
        _("Zinssatz Liquiditätskredite"),
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        **RATE,
    )
    pension_provisions = models.DecimalField(_("Pensionsrückstellungen"), null=True, blank=True, **MONEY)
    source = models.CharField(_("Quelle"), max_length=8, choices=Source.choices, default=Source.FORM)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)
    # Optimistic concurrency: +1 on every change; an edit based on an older revision is refused.
    revision = models.PositiveIntegerField(_("Revision"), default=1)

    objects = BalanceSheetQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="planning_balance_sheet_year_unique"
            )
        ]
        verbose_name = _("Eröffnungsbilanz")
        verbose_name_plural = _("Eröffnungsbilanzen")

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"

    @property
    def total_equity(self) -> Decimal:
        """Eigenkapital: as entered, or Ausgleichsrücklage + allgemeine Rücklage when not entered."""
        if self.equity is not None:
            return self.equity
        return self.equalisation_reserve + self.general_reserve

    @property
    def other_equity(self) -> Decimal:
        """Equity that is neither of the two reserves (Sonderrücklagen, Ergebnisvortrag); may be < 0."""
        return self.total_equity - self.equalisation_reserve - self.general_reserve

    @property
    def total_debt(self) -> Decimal:
        """Investitions- plus Liquiditätskredite (a simple proxy of the Effektivverschuldung)."""
        return self.investment_loans + self.liquidity_loans


class ResilienceRunQuerySet(MunicipalityScopedQuerySet):
    def succeeded(self) -> ResilienceRunQuerySet:
        return self.filter(status=ResilienceRun.Status.SUCCEEDED)

    def with_monte_carlo(self) -> ResilienceRunQuerySet:
        return self.filter(n_paths__gt=0)


class ResilienceRun(models.Model):
    """One resilience check of a municipality, reproducible from what it stores.

    ``inputs`` keeps the opening balances, years, groups and planned amounts that went in, so a run
    stays readable after its budget version or balance sheet changed; ``seed`` and ``n_paths`` make
    the Monte Carlo part reproducible bit for bit. ``result`` holds the deterministic path
    (``deterministic``), the stress test (``stress``) and the Monte Carlo summary (``monte_carlo``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Wartet")
        RUNNING = "running", _("Läuft")
        SUCCEEDED = "succeeded", _("Erfolgreich")
        FAILED = "failed", _("Fehlgeschlagen")

    class SourceKind(models.TextChoices):
        BUDGET_VERSION = "budget_version", _("Haushaltsversion (Planjahre)")
        SCENARIO = "scenario", _("Projektionsszenario")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="resilience_runs")
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    source_kind = models.CharField(_("Quelle"), max_length=16, choices=SourceKind.choices)
    budget_version = models.ForeignKey(
        "finance.BudgetVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scenario = models.ForeignKey(
        "planning.Scenario", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_label = models.CharField(_("Quelle (Bezeichnung)"), max_length=300, blank=True)
    balance_sheet = models.ForeignKey(
        BalanceSheet, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    stress_preset = models.CharField(_("Stressszenario"), max_length=40, blank=True)
    stress_params = models.JSONField(_("Parameter des Stressszenarios"), default=dict, blank=True)
    shocks = models.JSONField(_("Eigene Schocks"), default=list, blank=True)
    n_paths = models.PositiveIntegerField(_("Pfade"), default=0)  # 0 = deterministic only
    seed = models.BigIntegerField(_("Startwert (Seed)"), default=0)
    inputs = models.JSONField(_("Eingaben"), default=dict, blank=True)
    result = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    message = models.TextField(_("Meldung"), blank=True)
    hsk_required = models.BooleanField(_("HSK erforderlich"), null=True)
    first_trigger_year = models.SmallIntegerField(_("Erstes Auslösejahr"), null=True, blank=True)
    first_year_hsk_likely = models.SmallIntegerField(_("HSK wahrscheinlich ab"), null=True, blank=True)
    probability_within_5_years = models.FloatField(_("Wahrscheinlichkeit in 5 Jahren"), null=True, blank=True)
    main_driver = models.CharField(_("Größter Risikotreiber"), max_length=20, blank=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    finished_at = models.DateTimeField(_("Fertig"), null=True, blank=True)

    objects = ResilienceRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "status", "-created_at"], name="planning_res_run_latest")
        ]
        verbose_name = _("Resilienzprüfung")
        verbose_name_plural = _("Resilienzprüfungen")

    def __str__(self) -> str:
        return f"{self.municipality} #{self.pk} ({self.source_label})"

    def get_absolute_url(self) -> str:
        return reverse("planning:resilience-run", kwargs={"slug": self.municipality.slug, "run_id": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def probability_within_5_years_percent(self) -> float | None:
        return None if self.probability_within_5_years is None else self.probability_within_5_years * 100

    @property
    def has_monte_carlo(self) -> bool:
        return bool(self.result.get("monte_carlo"))


class ResilienceRunYear(models.Model):
    """Key figures of one year of a run: the deterministic path and, with Monte Carlo, the
    probability of any trigger in that year and within the years up to it."""

    run = models.ForeignKey(ResilienceRun, on_delete=models.CASCADE, related_name="years")
    year = models.SmallIntegerField(_("Jahr"))
    annual_result = models.DecimalField(_("Jahresergebnis"), **MONEY)
    equalisation_reserve_end = models.DecimalField(_("Ausgleichsrücklage Ende"), **MONEY)
    general_reserve_end = models.DecimalField(_("Allgemeine Rücklage Ende"), **MONEY)
    equity_end = models.DecimalField(_("Eigenkapital Ende"), **MONEY)
    status = models.CharField(_("Status"), max_length=40)
    triggers = models.JSONField(_("Auslöser"), default=list, blank=True)
    probability_any = models.FloatField(_("Wahrscheinlichkeit (Jahr)"), null=True, blank=True)
    probability_cumulative = models.FloatField(_("Wahrscheinlichkeit (kumuliert)"), null=True, blank=True)

    class Meta:
        ordering = ["run", "year"]
        constraints = [models.UniqueConstraint(fields=["run", "year"], name="planning_res_run_year_unique")]
        verbose_name = _("Jahr einer Resilienzprüfung")
        verbose_name_plural = _("Jahre einer Resilienzprüfung")

    def __str__(self) -> str:
        return f"{self.run_id} {self.year}"
