"""Social indicators of districts, the composite social index and the offers located in districts.

The district itself (``core.District``) lives in core so that stakeholders and SWOT boards can point at
it; everything computed or collected about districts lives here (docs/districts.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import District, Municipality, MunicipalityScopedQuerySet
from planning.districts.catalogue import shown, shown_group_label
from planning.engine.social_index import HIGHER_IS_BETTER, HIGHER_IS_WORSE, NEUTRAL

__all__ = ["Indicator", "IndicatorImport", "IndicatorValue", "Offer", "SocialIndexValue"]


class Indicator(models.Model):
    """A social indicator of one municipality: built in (SGB II quota, age groups ...) or defined by
    the planners (name, unit, direction, source). ``weight`` > 0 puts it into the social index
    (neutral indicators never enter it: a migration background, for instance, is no need by itself)."""

    class Direction(models.TextChoices):
        WORSE = HIGHER_IS_WORSE, _("höher ist ungünstiger")
        BETTER = HIGHER_IS_BETTER, _("höher ist günstiger")
        NEUTRAL = NEUTRAL, _("neutral (nicht im Index)")

    class Kind(models.TextChoices):
        SHARE = "share", _("Anteil/Quote (%)")
        COUNT = "count", _("Anzahl")
        VALUE = "value", _("sonstiger Wert")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="indicators")
    key = models.SlugField(_("Schlüssel"), max_length=60)
    name = models.CharField(_("Name"), max_length=200)
    unit = models.CharField(_("Einheit"), max_length=40, blank=True)
    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices, default=Kind.SHARE)
    direction = models.CharField(
        _("Richtung"), max_length=8, choices=Direction.choices, default=Direction.WORSE
    )
    weight = models.DecimalField(
        _("Gewicht im Sozialindex"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("Quelle"), max_length=300, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    age_group = models.CharField(_("Altersgruppe (für die Bevölkerungspyramide)"), max_length=20, blank=True)
    builtin = models.BooleanField(default=False, editable=False)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], name="indicator_key_unique")]
        verbose_name = _("Indikator")
        verbose_name_plural = _("Indikatoren")

    def __str__(self) -> str:
        return f"{self.label} ({self.unit_label})" if self.unit else self.label

    @property
    def label(self) -> str:
        """The name in the UI language (a built-in's stored German name translated)."""
        return shown(self.name)

    @property
    def unit_label(self) -> str:
        return shown(self.unit)

    @property
    def in_index(self) -> bool:
        return self.weight > 0 and self.direction != self.Direction.NEUTRAL


class IndicatorValue(models.Model):
    """The value of one indicator for one district in one year (missing values have no row)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    value = models.FloatField(_("Wert"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "indicator", "year"], name="indicator_value_unique")
        ]
        indexes = [models.Index(fields=["indicator", "year"])]
        verbose_name = _("Indikatorwert")
        verbose_name_plural = _("Indikatorwerte")

    def __str__(self) -> str:
        return f"{self.district} {self.indicator.key} {self.year}: {self.value}"


class IndicatorImport(models.Model):
    """A record of an indicator file that was imported (who, when, which file, how much)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="indicator_imports")
    filename = models.CharField(_("Datei"), max_length=255)
    rows = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)
    years = models.JSONField(default=list)
    indicators = models.JSONField(default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Indikatorimport")
        verbose_name_plural = _("Indikatorimporte")

    def __str__(self) -> str:
        return self.filename


class SocialIndexValue(models.Model):
    """The social index of a district in a year, with rank, change and profile group: computed by
    ``social_index_refresh`` from the indicator values and weights (never edited by hand)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="index_values")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    value = models.FloatField(_("Sozialindex"), null=True)
    rank = models.PositiveIntegerField(_("Rang"), null=True)
    coverage = models.FloatField(_("Abdeckung"), default=0)
    change = models.FloatField(_("Veränderung zum Vorjahr"), null=True)
    rank_change = models.IntegerField(_("Rangveränderung"), null=True)
    group = models.PositiveSmallIntegerField(_("Profilgruppe"), null=True)
    group_label = models.CharField(_("Profil"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "rank"]
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="social_index_unique")]
        verbose_name = _("Sozialindexwert")
        verbose_name_plural = _("Sozialindexwerte")

    def __str__(self) -> str:
        return f"{self.district} {self.year}: {self.value}"

    @property
    def group_label_shown(self) -> str:
        return shown_group_label(self.group_label)


class Offer(models.Model):
    """A social offer (Angebot) of some provider, placed in a district: by choosing the district, or
    by coordinates (longitude/latitude, WGS84), from which the district is found (point in polygon)."""

    class Kind(models.TextChoices):
        COUNSELLING = "beratung", _("Beratung")
        CHILDCARE = "kita", _("Kita / Familienzentrum")
        YOUTH = "jugend", _("Kinder- und Jugendarbeit")
        SENIORS = "senioren", _("Seniorenarbeit")
        EDUCATION = "bildung", _("Bildung")
        HEALTH = "gesundheit", _("Gesundheit")
        MEETING = "begegnung", _("Begegnung / Stadtteilarbeit")
        SPORT_CULTURE = "sport_kultur", _("Sport und Kultur")
        OTHER = "sonstiges", _("Sonstiges")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="offers")
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("Bezirk"),
    )
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    provider_name = models.CharField(_("Träger"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("Plätze / Kapazität"), null=True, blank=True)
    volunteer_hours = models.DecimalField(
        _("Ehrenamtsstunden je Jahr"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    lon = models.FloatField(
        _("Längengrad"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    lat = models.FloatField(
        _("Breitengrad"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")

    def __str__(self) -> str:
        return self.name
