"""Population by municipality, year and age band: series of counts, movements (births, deaths, moves)
and migration by age.

Counts are stored by (series, year, age band) with the band as ``[age_lo, age_hi)`` in completed years
(``age_hi`` NULL: open top band), the convention of ``planning.engine.population``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Municipality, MunicipalityScopedQuerySet
from planning.engine.population import (
    AgeBand,
)

__all__ = ["MigrationCount", "PopulationCount", "PopulationMovement", "PopulationSeries"]


class PopulationSeriesQuerySet(MunicipalityScopedQuerySet):
    def projections(self) -> PopulationSeriesQuerySet:
        """Official or Spielraum projections (what a scenario may use), not the actual population."""
        return self.exclude(kind=PopulationSeries.Kind.ACTUAL)


class PopulationSeries(models.Model):
    """Population by age band and year of one municipality: the actual population (Bestand, one per
    municipality), an imported official projection variant, or a cohort-component projection variant
    made by Spielraum (low / main / high).

    ``assumptions`` keeps what a Spielraum projection was computed with (fertility and mortality factors,
    net migration, whether they were estimated from the municipality's own history) and ``calibration``
    what the estimate found, so the page can explain the projection.
    """

    class Kind(models.TextChoices):
        ACTUAL = "actual", _("Bevölkerungsstand")
        OFFICIAL = "official", _("Amtliche Vorausberechnung")
        COHORT = "cohort", _("Spielraum-Projektion")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="population_series")
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    variant = models.CharField(_("Variante"), max_length=40, blank=True)
    base_year = models.SmallIntegerField(_("Basisjahr"), null=True, blank=True)
    source_name = models.CharField(_("Quelle"), max_length=255, blank=True)
    checksum = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64, blank=True)
    assumptions = models.JSONField(_("Annahmen"), default=dict, blank=True)
    calibration = models.JSONField(_("Kalibrierung"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PopulationSeriesQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "variant"], name="planning_population_series_unique"
            )
        ]
        verbose_name = _("Bevölkerungsreihe")
        verbose_name_plural = _("Bevölkerungsreihen")

    VARIANT_LABELS = {"main": _("Hauptvariante"), "low": _("niedrige Variante"), "high": _("hohe Variante")}

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """Display name, e.g. "Spielraum-Projektion: Hauptvariante"."""
        if self.kind == self.Kind.ACTUAL:
            return str(self.get_kind_display())
        variant = self.VARIANT_LABELS.get(self.variant, self.variant)
        return f"{self.get_kind_display()}: {variant}"


class PopulationCount(models.Model):
    """Persons of one age band ``[age_lo, age_hi)`` in one year (31.12.) of a series; projected counts
    may be fractional."""

    series = models.ForeignKey(PopulationSeries, on_delete=models.CASCADE, related_name="counts")
    year = models.SmallIntegerField(_("Jahr"))
    age_lo = models.PositiveSmallIntegerField(_("Alter von"))
    age_hi = models.PositiveSmallIntegerField(_("Alter bis unter"), null=True, blank=True)
    count = models.FloatField(_("Anzahl"))

    class Meta:
        ordering = ["series", "year", "age_lo"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "age_lo"], name="planning_population_count_unique"
            )
        ]
        verbose_name = _("Bevölkerungszahl")
        verbose_name_plural = _("Bevölkerungszahlen")

    def __str__(self) -> str:
        return f"{self.year} {self.band.label}: {self.count:g}"

    @property
    def band(self) -> AgeBand:
        return AgeBand(self.age_lo, self.age_hi)


class PopulationMovement(models.Model):
    """Births, deaths, in- and out-migration across the municipal boundary in one calendar year
    (Lebendgeborene, Gestorbene, Zuzüge, Fortzüge; GENESIS "Bevölkerungsbewegung")."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="population_movements"
    )
    year = models.SmallIntegerField(_("Jahr"))
    births = models.PositiveIntegerField(_("Lebendgeborene"))
    deaths = models.PositiveIntegerField(_("Gestorbene"))
    in_migration = models.PositiveIntegerField(_("Zuzüge"))
    out_migration = models.PositiveIntegerField(_("Fortzüge"))
    source_name = models.CharField(_("Quelle"), max_length=255, blank=True)

    class Meta:
        ordering = ["municipality", "year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="planning_movement_unique")
        ]
        verbose_name = _("Bevölkerungsbewegung")
        verbose_name_plural = _("Bevölkerungsbewegungen")

    def __str__(self) -> str:
        return f"{self.year}: +{self.births} -{self.deaths} / +{self.in_migration} -{self.out_migration}"

    @property
    def net_migration(self) -> int:
        """Wanderungssaldo."""
        return self.in_migration - self.out_migration


class MigrationCount(models.Model):
    """Zuzüge (``direction="in"``) or Fortzüge (``"out"``) of one age band in one year
    (GENESIS 12711-0011 / -0012)."""

    class Direction(models.TextChoices):
        IN = "in", _("Zuzüge")
        OUT = "out", _("Fortzüge")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="migration_counts")
    direction = models.CharField(_("Richtung"), max_length=3, choices=Direction.choices)
    year = models.SmallIntegerField(_("Jahr"))
    age_lo = models.PositiveSmallIntegerField(_("Alter von"))
    age_hi = models.PositiveSmallIntegerField(_("Alter bis unter"), null=True, blank=True)
    count = models.FloatField(_("Anzahl"))

    class Meta:
        ordering = ["municipality", "direction", "year", "age_lo"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "direction", "year", "age_lo"], name="planning_migration_count_unique"
            )
        ]
        verbose_name = _("Wanderung nach Alter")
        verbose_name_plural = _("Wanderungen nach Alter")

    def __str__(self) -> str:
        return f"{self.direction} {self.year} {AgeBand(self.age_lo, self.age_hi).label}: {self.count:g}"
