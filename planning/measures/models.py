"""Measures (Maßnahmen) with their yearly budget effects and indicators (Ziele und Kennzahlen).

Planning owns measures. A TOWS strategy of a SWOT board can become a measure: ``source_strategy`` keeps
the link to the strategy, ``swot_measure`` to the read-only measure record swot kept before planning
owned measures (the swot list stays as it is; planning adopts a swot measure by copying it once and
linking it). ``district`` is the district (core.District) the measure targets, if any.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Municipality, MunicipalityScopedQuerySet
from planning.engine.measures import Effect as EngineEffect
from planning.engine.measures import EffectKind

__all__ = ["Measure", "MeasureEffect", "MeasureIndicator", "MeasureIndicatorActual"]

MONEY = {"max_digits": 16, "decimal_places": 2}
VALUE = {"max_digits": 18, "decimal_places": 4}


class MeasureQuerySet(MunicipalityScopedQuerySet):
    def active(self) -> MeasureQuerySet:
        """Measures that count in a projection: everything except stopped ones."""
        return self.exclude(status=Measure.Status.STOPPED)


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Geplant")
        RUNNING = "running", _("Läuft")
        DONE = "done", _("Abgeschlossen")
        STOPPED = "stopped", _("Gestoppt")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("Titel"), max_length=200)
    goal = models.TextField(_("Ziel"), blank=True)
    owner = models.CharField(_("Verantwortlich"), max_length=200, blank=True)
    deadline = models.DateField(_("Frist"), null=True, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    area = models.CharField(_("Produktbereich"), max_length=2, blank=True)
    product_code = models.CharField(_("Haushaltsprodukt"), max_length=40, blank=True)
    account_group = models.CharField(_("Kontengruppe"), max_length=2, blank=True)
    district = models.ForeignKey(
        "core.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planning_measures",
        verbose_name=_("Sozialraum"),
    )
    source_strategy = models.ForeignKey(
        "swot.Strategy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planning_measures",
        verbose_name=_("TOWS-Strategie"),
    )
    swot_measure = models.OneToOneField(
        "swot.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planning_measure",
        verbose_name=_("Maßnahme aus der SWOT-Liste"),
    )
    revision = models.PositiveIntegerField(_("Revision"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "title"], name="planning_measure_title_unique")
        ]
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.deadline < timezone.localdate()
            and self.status in (self.Status.PLANNED, self.Status.RUNNING)
        )

    def engine_effects(self) -> list[EngineEffect]:
        return [effect.as_engine() for effect in self.effects.all()]


class MeasureEffect(models.Model):
    """One yearly effect: extra revenue, lower or higher expenses; one-off or recurring from a year."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="effects")
    kind = models.CharField(
        _("Art"),
        max_length=16,
        choices=[
            (EffectKind.EXTRA_REVENUE.value, _("Mehreinnahme")),
            (EffectKind.LOWER_EXPENSE.value, _("Minderausgabe")),
            (EffectKind.HIGHER_EXPENSE.value, _("Mehrausgabe")),
        ],
    )
    amount = models.DecimalField(_("Betrag (EUR/Jahr)"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    start_year = models.SmallIntegerField(_("ab Jahr"))
    recurring = models.BooleanField(_("jährlich wiederkehrend"), default=True)
    end_year = models.SmallIntegerField(_("bis Jahr"), null=True, blank=True)
    account_group = models.CharField(_("Kontengruppe"), max_length=2, blank=True)
    note = models.CharField(_("Erläuterung"), max_length=300, blank=True)

    class Meta:
        ordering = ["start_year", "pk"]
        verbose_name = _("Wirkung")
        verbose_name_plural = _("Wirkungen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ab {self.start_year}"

    def as_engine(self) -> EngineEffect:
        m = self.measure
        area = m.area or (m.product_code[:2] if m.product_code else "")
        return EngineEffect(
            kind=EffectKind(self.kind),
            amount=self.amount,
            start_year=self.start_year,
            recurring=self.recurring,
            end_year=self.end_year,
            area=area,
            product_group=m.product_code[:3] if m.product_code else "",
            product_code=m.product_code,
            account_group=self.account_group or m.account_group,
        )


class MeasureIndicator(models.Model):
    """An indicator of a measure (KGSt: input, output, outcome, impact) with targets per year."""

    class Kind(models.TextChoices):
        INPUT = "input", _("Input")
        OUTPUT = "output", _("Output")
        OUTCOME = "outcome", _("Outcome")
        IMPACT = "impact", _("Impact")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("höher ist besser")
        LOWER = "lower", _("niedriger ist besser")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("Kennzahl"), max_length=200)
    kind = models.CharField(_("Typ"), max_length=8, choices=Kind.choices, default=Kind.OUTPUT)
    unit = models.CharField(_("Einheit"), max_length=40, blank=True)
    direction = models.CharField(
        _("Richtung"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline = models.DecimalField(_("Ausgangswert"), **VALUE, null=True, blank=True)
    baseline_year = models.SmallIntegerField(_("Ausgangsjahr"), null=True, blank=True)
    targets = models.JSONField(_("Zielwerte je Jahr"), default=dict, blank=True)  # {"2027": "120"}

    class Meta:
        ordering = ["measure", "kind", "name"]
        verbose_name = _("Kennzahl")
        verbose_name_plural = _("Kennzahlen")

    def __str__(self) -> str:
        return self.name


class MeasureIndicatorActual(models.Model):
    """An actual value of an indicator on a date (entered or imported)."""

    indicator = models.ForeignKey(MeasureIndicator, on_delete=models.CASCADE, related_name="actuals")
    date = models.DateField(_("Datum"))
    value = models.DecimalField(_("Istwert"), **VALUE)
    note = models.CharField(_("Quelle/Notiz"), max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="planning_indicator_actual_unique")
        ]
        verbose_name = _("Istwert")
        verbose_name_plural = _("Istwerte")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.date}: {self.value}"
