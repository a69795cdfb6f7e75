"""Coproduced services (a facility such as a socio-cultural centre), their alternative organisation and
financing models, and the dated parameter registry (discount rate, minimum wage, allowances).

The arithmetic is planning/engine/coproduction.py (docs/coproduction-method.md); these models hold the
inputs. Yearly amounts are JSON maps {"2026": "180000.00"} (strings: exact decimals). A source's partner
is an organisation of the stakeholders registry (``FundingSource.stakeholder``) or, where the actor is not
in the registry, a free-text name.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Municipality, MunicipalityScopedQuerySet
from planning.engine.coproduction import SourceKind

__all__ = ["DatedParameter", "Facility", "FinancingModel", "FundingSource", "ParameterChange"]


class DatedParameter(models.Model):
    """One value of a rate that changes over time, valid from a date, with its source.

    The shadow wage of a volunteer hour (key ``minimum_wage``) is not stored here: its one registry is
    ``stakeholders.ShadowWage`` (installation defaults plus the municipality's own rates), which the
    registry page and API show and write under this key (services.parameter_set), audited here."""

    class Key(models.TextChoices):
        DISCOUNT_RATE = "discount_rate", _("Kalkulationszinssatz (Bruchteil, 0,009 = 0,9 %)")
        MINIMUM_WAGE = "minimum_wage", _("Mindestlohn (EUR/Stunde, Schattenpreis der Ehrenamtsstunde)")
        EHRENAMTSPAUSCHALE = "ehrenamtspauschale", _("Ehrenamtspauschale (EUR/Jahr)")
        UEBUNGSLEITERPAUSCHALE = "uebungsleiterpauschale", _("Übungsleiterpauschale (EUR/Jahr)")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="dated_parameters")
    key = models.CharField(_("Parameter"), max_length=32, choices=Key.choices)
    valid_from = models.DateField(_("gültig ab"))
    value = models.DecimalField(_("Wert"), max_digits=14, decimal_places=4)
    source = models.CharField(_("Quelle"), max_length=300)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        ordering = ["key", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key", "valid_from"], name="planning_dated_parameter_unique"
            )
        ]
        verbose_name = _("Datierter Parameter")
        verbose_name_plural = _("Datierte Parameter")

    def __str__(self) -> str:
        return f"{self.key} {self.valid_from}: {self.value}"


class ParameterChange(models.Model):
    """Audit trail of the registry: who set, changed or removed which value when."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    valid_from = models.DateField()
    old_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.key} {self.valid_from}: {self.old_value} -> {self.new_value}"


class Facility(models.Model):
    """A facility or service provided in coproduction, compared in alternative models."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="facilities")
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    first_year = models.SmallIntegerField(_("erstes Jahr"))
    horizon = models.PositiveSmallIntegerField(_("Jahre"), default=10)
    #: what the municipal budget pays per year providing the service alone (public sector comparator)
    baseline = models.JSONField(_("Kosten in Eigenregie je Jahr"), default=dict, blank=True)
    product_code = models.CharField(_("Haushaltsprodukt"), max_length=40, blank=True)
    source_strategy = models.ForeignKey(
        "swot.Strategy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="planning_facility_unique")
        ]
        verbose_name = _("Einrichtung")
        verbose_name_plural = _("Einrichtungen")

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.first_year + self.horizon))


class FinancingModel(models.Model):
    """One organisational and financing model of a facility."""

    class Form(models.TextChoices):
        MUNICIPAL = "municipal", _("Kommunaler Eigenbetrieb / Regiebetrieb")
        ASSOCIATION = "association", _("Eingetragener Verein")
        GGMBH = "ggmbh", _("Gemeinnützige GmbH")
        COOPERATIVE = "cooperative", _("Genossenschaft")
        JOINT = "joint", _("Zweckverband / Trägerverbund")

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(_("Name"), max_length=200)
    form = models.CharField(_("Organisationsform"), max_length=16, choices=Form.choices)
    running_costs = models.JSONField(_("laufende Kosten je Jahr"), default=dict, blank=True)
    one_off_costs = models.JSONField(_("einmalige Kosten je Jahr"), default=dict, blank=True)
    synergies = models.JSONField(_("Synergien je Jahr"), default=dict, blank=True)
    note = models.TextField(_("Erläuterung"), blank=True)
    chosen = models.BooleanField(_("gewählt"), default=False)
    measure = models.OneToOneField(
        "planning.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="financing_model",
        verbose_name=_("Maßnahme"),
    )

    class Meta:
        ordering = ["facility", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "name"], name="planning_financing_model_unique")
        ]
        verbose_name = _("Finanzierungsmodell")
        verbose_name_plural = _("Finanzierungsmodelle")

    def __str__(self) -> str:
        return self.name


class FundingSource(models.Model):
    """A financing source or contribution of a model (cash, in kind, volunteer hours, grants ...)."""

    model = models.ForeignKey(FinancingModel, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(
        _("Art"),
        max_length=20,
        choices=[
            (SourceKind.MUNICIPAL_BUDGET.value, _("Kommunaler Haushalt")),
            (SourceKind.GRANT.value, _("Fördermittel (Land/Bund/EU)")),
            (SourceKind.PPP_FEE.value, _("ÖPP-Entgelt")),
            (SourceKind.SPONSORING.value, _("Sponsoring")),
            (SourceKind.DONATIONS.value, _("Spenden")),
            (SourceKind.CROWDFUNDING.value, _("Crowdfunding")),
            (SourceKind.FEES.value, _("Entgelte")),
            (SourceKind.PARTNER_CASH.value, _("Geldbeitrag eines Partners")),
            (SourceKind.PARTNER_IN_KIND.value, _("Sachleistung eines Partners (Räume, Personal)")),
            (SourceKind.VOLUNTEER_HOURS.value, _("Ehrenamtsstunden")),
        ],
    )
    partner = models.CharField(_("Partner"), max_length=200, blank=True)
    #: the partner as an organisation of the registry (same municipality); ``partner`` keeps its name, so a
    #: deleted stakeholder leaves the name behind. Persons are not linked: a committee paper names no one.
    stakeholder = models.ForeignKey(
        "stakeholders.Stakeholder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Akteur"),
    )
    amounts = models.JSONField(_("Beträge je Jahr"), default=dict, blank=True)
    hours = models.JSONField(_("Stunden je Jahr"), default=dict, blank=True)
    end_year = models.SmallIntegerField(_("Förderung bis Jahr"), null=True, blank=True)

    class Meta:
        ordering = ["model", "pk"]
        verbose_name = _("Finanzierungsquelle")
        verbose_name_plural = _("Finanzierungsquellen")

    def __str__(self) -> str:
        return self.name

    @property
    def partner_name(self) -> str:
        """The partner as shown and as the dependence check counts it: the registry's name if linked."""
        return self.stakeholder.name if self.stakeholder_id and self.stakeholder else self.partner


def year_map(data: dict) -> dict[int, Decimal]:
    """{"2026": "1.5"} -> {2026: Decimal("1.5")}."""
    return {int(k): Decimal(str(v)) for k, v in (data or {}).items()}
