"""The stakeholder registry: organisations and persons, their dated assessments, relationships,
the engagement log, network snapshots, the dated shadow wage and the access log of personal records.

Persons are personal data (GDPR): their record carries the legal basis, purpose, consent and retention
date; ``erased_at`` marks a record anonymised under Art. 17 (``stakeholders.services.gdpr``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import District, Municipality
from stakeholders.methods.grid import quadrant_of
from stakeholders.methods.salience import salience_class

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Sector(models.TextChoices):
    PUBLIC = "public", _("Öffentlicher Sektor")
    THIRD = "third", _("Dritter Sektor")
    INFORMAL = "informal", _("Informeller Sektor")
    MARKET = "market", _("Markt")


class StakeholderQuerySet(models.QuerySet):
    def for_municipality(self, municipality: Municipality) -> StakeholderQuerySet:
        return self.filter(municipality=municipality)

    def organisations(self) -> StakeholderQuerySet:
        return self.filter(entity=Stakeholder.Entity.ORGANISATION)

    def persons(self) -> StakeholderQuerySet:
        return self.filter(entity=Stakeholder.Entity.PERSON)

    def retention_due(self, on: dt.date) -> StakeholderQuerySet:
        """Persons (not yet erased) whose retention date is reached on ``on``."""
        return self.persons().filter(erased_at=None, retention_until__lte=on)


class Stakeholder(models.Model):
    """An actor of the municipality's social planning: an organisation (a department, a welfare
    association, a club, a business ...) or an individual person (then personal data under the GDPR).

    ``district`` places the actor in one of the municipality's districts (``core.District``): chosen, or
    found from ``lon``/``lat`` (WGS84) by point in polygon (``core.geo``). ``district_note`` keeps a place
    name that matches no district (from the time the district was free text, or an import), visible
    until someone assigns the district.
    ``revision`` goes up with every saved change (optimistic concurrency, like scenarios).
    """

    class Entity(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Person")

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Fachbereich / Amt")
        WELFARE = "welfare", _("Wohlfahrtsverband")
        CLUB = "club", _("Verein")
        FOUNDATION = "foundation", _("Stiftung")
        CHURCH = "church", _("Kirche / Religionsgemeinschaft")
        BUSINESS = "business", _("Unternehmen")
        INITIATIVE = "initiative", _("Bürgerinitiative")
        POLITICAL = "political", _("Politisches Gremium")
        NEIGHBOURHOOD = "neighbourhood", _("Quartiersmanagement")
        CITIZEN = "citizen", _("Bürgerin / Bürger")
        OTHER = "other", _("Sonstige")

    class Attitude(models.TextChoices):
        SUPPORTIVE = "supportive", _("unterstützend")
        NEUTRAL = "neutral", _("neutral")
        OPPOSED = "opposed", _("ablehnend")

    class LegalBasis(models.TextChoices):
        # Art. 6 (1) GDPR
        CONSENT = "a", _("Einwilligung (Art. 6 Abs. 1 lit. a)")
        CONTRACT = "b", _("Vertrag (Art. 6 Abs. 1 lit. b)")
        OBLIGATION = "c", _("Rechtliche Verpflichtung (Art. 6 Abs. 1 lit. c)")
        VITAL = "d", _("Lebenswichtige Interessen (Art. 6 Abs. 1 lit. d)")
        PUBLIC_TASK = "e", _("Öffentliche Aufgabe (Art. 6 Abs. 1 lit. e)")
        LEGITIMATE = "f", _("Berechtigtes Interesse (Art. 6 Abs. 1 lit. f)")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="stakeholders")
    entity = models.CharField(_("Typ"), max_length=12, choices=Entity.choices, default=Entity.ORGANISATION)
    name = models.CharField(_("Name"), max_length=200)
    sector = models.CharField(_("Sektor"), max_length=10, choices=Sector.choices)
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholders",
        verbose_name=_("Sozialraum"),
    )
    district_note = models.CharField(
        _("Ort ohne Sozialraum"),
        max_length=120,
        blank=True,
        help_text=_("Eine frühere Ortsangabe, die keinem Bezirk der Kommune entspricht"),
    )
    lon = models.FloatField(
        _("Längengrad"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    lat = models.FloatField(
        _("Breitengrad"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    tags = models.JSONField(_("Schlagworte"), default=list, blank=True)
    # contacts (for a person: personal data)
    contact_person = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=60, blank=True)
    address = models.CharField(_("Anschrift"), max_length=300, blank=True)
    website = models.URLField(_("Website"), blank=True)
    interests = models.TextField(_("Interessen"), blank=True)
    expectations = models.TextField(_("Erwartungen"), blank=True)
    attitude = models.CharField(
        _("Haltung"), max_length=12, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    # what they could bring (Ressourcen)
    volunteer_hours = models.PositiveIntegerField(_("Ehrenamtsstunden pro Jahr"), default=0)
    money = models.DecimalField(_("Geld pro Jahr (EUR)"), max_digits=14, decimal_places=2, default=0)
    rooms = models.CharField(_("Räume"), max_length=300, blank=True)
    staff = models.DecimalField(_("Personal (Vollzeitstellen)"), max_digits=7, decimal_places=2, default=0)
    expertise = models.TextField(_("Expertise"), blank=True)
    notes = models.TextField(_("Notizen"), blank=True)
    # GDPR (persons only)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=1, choices=LegalBasis.choices, blank=True)
    purpose = models.CharField(_("Zweck der Verarbeitung"), max_length=300, blank=True)
    consent_given_on = models.DateField(_("Einwilligung erteilt am"), null=True, blank=True)
    consent_scope = models.CharField(_("Umfang der Einwilligung"), max_length=300, blank=True)
    consent_withdrawn_on = models.DateField(_("Einwilligung widerrufen am"), null=True, blank=True)
    retention_until = models.DateField(_("Aufbewahren bis"), null=True, blank=True)
    erased_at = models.DateTimeField(_("Anonymisiert am"), null=True, blank=True)

    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StakeholderQuerySet.as_manager()

    # fields that hold personal data of a person (blanked on erasure, hidden from viewers)
    PERSONAL_FIELDS = (
        "contact_person", "email", "phone", "address", "website", "interests", "expectations",
        "rooms", "expertise", "notes", "purpose", "consent_scope",
    )  # fmt: skip
    CONTACT_FIELDS = ("contact_person", "email", "phone", "address", "website")

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["municipality", "sector"]),
        ]
        verbose_name = _("Akteur")
        verbose_name_plural = _("Akteure")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:detail", kwargs={"slug": self.municipality.slug, "pk": self.pk})

    @property
    def place_label(self) -> str:
        """The district's name, else the unmatched place name (or "")."""
        return self.district.name if self.district_id else self.district_note

    @property
    def is_person(self) -> bool:
        return self.entity == self.Entity.PERSON

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def consent_active(self) -> bool:
        return self.consent_given_on is not None and self.consent_withdrawn_on is None

    def retention_due(self, today: dt.date | None = None) -> bool:
        """The retention date of a (not erased) person is reached: erase or renew the purpose."""
        today = today or timezone.localdate()
        return bool(
            self.is_person and not self.is_erased and self.retention_until and self.retention_until <= today
        )


class Assessment(models.Model):
    """One dated assessment of a stakeholder. Append-only: a new judgement is a new row, the history is
    never overwritten (``save`` refuses updates).

    Influence and interest (1-5) place it on the power-interest grid; the three salience attributes
    (Mitchell, Agle and Wood 1997) give its class.
    """

    class Strategy(models.TextChoices):
        MANAGE_CLOSELY = "manage_closely", _("Eng einbinden")
        KEEP_SATISFIED = "keep_satisfied", _("Zufriedenstellen")
        KEEP_INFORMED = "keep_informed", _("Informiert halten")
        MONITOR = "monitor", _("Beobachten")

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("Datum"), default=timezone.localdate)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    influence = models.PositiveSmallIntegerField(_("Einfluss"), validators=SCORE)
    interest = models.PositiveSmallIntegerField(_("Interesse"), validators=SCORE)
    power = models.BooleanField(_("Macht"), default=False)
    legitimacy = models.BooleanField(_("Legitimität"), default=False)
    urgency = models.BooleanField(_("Dringlichkeit"), default=False)
    strategy = models.CharField(_("Strategie"), max_length=16, choices=Strategy.choices)
    comment = models.TextField(_("Kommentar"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["stakeholder", "assessed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(influence__gte=1, influence__lte=5, interest__gte=1, interest__lte=5),
                name="assessment_scores_1_to_5",
            )
        ]
        verbose_name = _("Einschätzung")
        verbose_name_plural = _("Einschätzungen")

    def __str__(self) -> str:
        return f"{self.stakeholder_id} @ {self.assessed_on}: {self.influence}/{self.interest}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.pop("erasure", False):
            raise ValueError("assessments are append-only: add a new one instead of changing this one")
        super().save(*args, **kwargs)

    @property
    def salience(self) -> str:
        """dormant, discretionary, demanding, dominant, dangerous, dependent, definitive or none."""
        return salience_class(self.power, self.legitimacy, self.urgency)

    @property
    def quadrant(self) -> str:
        return quadrant_of(self.influence, self.interest)


class Relationship(models.Model):
    """A tie between two stakeholders of one municipality, valid from a date (and until one, if ended).

    ``direction``: ``directed`` (source -> target, e.g. funding) or ``mutual`` (both ways)."""

    class Kind(models.TextChoices):
        COOPERATION = "cooperation", _("Kooperation")
        FUNDING = "funding", _("Förderung / Finanzierung")
        MEMBERSHIP = "membership", _("Mitgliedschaft / Dachverband")
        INFORMATION = "information", _("Informationsaustausch")
        CONTRACT = "contract", _("Leistungsvertrag")
        CONFLICT = "conflict", _("Konflikt")

    class Direction(models.TextChoices):
        DIRECTED = "directed", _("gerichtet (von → zu)")
        MUTUAL = "mutual", _("gegenseitig")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="ties_out")
    target = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="ties_in")
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices, default=Kind.COOPERATION)
    strength = models.PositiveSmallIntegerField(_("Stärke"), validators=SCORE, default=3)
    direction = models.CharField(
        _("Richtung"), max_length=10, choices=Direction.choices, default=Direction.MUTUAL
    )
    valid_from = models.DateField(_("gültig ab"), default=timezone.localdate)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    note = models.CharField(_("Notiz"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="relationship_not_self"
            )
        ]
        verbose_name = _("Beziehung")
        verbose_name_plural = _("Beziehungen")

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id} ({self.kind})"


class EngagementQuerySet(models.QuerySet):
    def overdue(self, today: dt.date) -> EngagementQuerySet:
        return self.filter(due_on__lt=today, done_on=None).exclude(follow_up="")


class Engagement(models.Model):
    """An entry of the engagement log: a meeting, workshop, letter ... with its follow-up and due date."""

    class Format(models.TextChoices):
        MEETING = "meeting", _("Gespräch")
        WORKSHOP = "workshop", _("Workshop")
        LETTER = "letter", _("Brief / E-Mail")
        PHONE = "phone", _("Telefonat")
        EVENT = "event", _("Veranstaltung")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="engagements")
    occurred_on = models.DateField(_("Datum"), default=timezone.localdate)
    format = models.CharField(_("Form"), max_length=10, choices=Format.choices, default=Format.MEETING)
    participants = models.CharField(_("Wer"), max_length=300, blank=True)
    topic = models.CharField(_("Thema"), max_length=300)
    outcome = models.TextField(_("Ergebnis"), blank=True)
    follow_up = models.CharField(_("Nächster Schritt"), max_length=300, blank=True)
    due_on = models.DateField(_("fällig am"), null=True, blank=True)
    done_on = models.DateField(_("erledigt am"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("Kontakt")
        verbose_name_plural = _("Kontaktprotokoll")

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.topic}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """A follow-up whose due date has passed and that is not done."""
        today = today or timezone.localdate()
        return bool(self.follow_up and self.due_on and self.done_on is None and self.due_on < today)


class NetworkSnapshot(models.Model):
    """Network measures as computed on the graph of one date (``graph_date``), kept so that later
    changes of the registry do not rewrite what was analysed. Holds stakeholder ids only, no names."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    graph_date = models.DateField(_("Stand des Netzwerks"))
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nodes = models.PositiveIntegerField(default=0)
    edges = models.PositiveIntegerField(default=0)
    measures = models.JSONField(default=dict)  # {stakeholder id: {degree, betweenness, ...}}
    brokerage = models.JSONField(default=dict)  # {stakeholder id: {role: count}, "_total": {...}}

    class Meta:
        ordering = ["-graph_date", "-computed_at"]
        verbose_name = _("Netzwerk-Auswertung")
        verbose_name_plural = _("Netzwerk-Auswertungen")

    def __str__(self) -> str:
        return f"{self.municipality_id} network {self.graph_date}"


class ShadowWage(models.Model):
    """A dated shadow price of one volunteer hour (EUR), e.g. the statutory minimum wage.

    Rows without a municipality are the installation's defaults; a municipality may set its own rate
    from a date on, which then wins. Never a constant in code (rates change each year)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateField(_("gültig ab"))
    eur_per_hour = models.DecimalField(_("EUR je Stunde"), max_digits=7, decimal_places=2)
    source = models.CharField(_("Quelle"), max_length=300)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "valid_from"], name="one_shadow_wage_per_day"),
        ]
        verbose_name = _("Schattenlohn")
        verbose_name_plural = _("Schattenlöhne")

    def __str__(self) -> str:
        return f"{self.eur_per_hour} EUR/h ab {self.valid_from}"


class PersonAccess(models.Model):
    """Who viewed, exported, changed or erased a person's record, and when (GDPR accountability)."""

    class Action(models.TextChoices):
        VIEW = "view", _("angesehen")
        EXPORT_JSON = "export_json", _("exportiert (JSON)")
        EXPORT_PDF = "export_pdf", _("exportiert (PDF)")
        EDIT = "edit", _("geändert")
        ERASE = "erase", _("anonymisiert")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("Aktion"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("Zugriff auf Personendaten")
        verbose_name_plural = _("Zugriffe auf Personendaten")

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.stakeholder_id} {self.at}"


class ImportBatch(models.Model):
    """A checked import file waiting for confirmation: its parsed rows and the problems found.

    Confirming applies every row in one transaction, or nothing if there is any problem."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    rows = models.JSONField(default=list)
    problems = models.JSONField(default=list)  # [{"line", "column", "reason"}]
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Akteurs-Import")
        verbose_name_plural = _("Akteurs-Importe")

    def __str__(self) -> str:
        return self.filename
