"""Municipalities, who belongs to them in which role, and background jobs."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ISO 3166-2:DE subdivision codes (without the "DE-" prefix).
LAND_CHOICES = [
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
]
# The first two digits of an AGS (Amtlicher Gemeindeschlüssel) name the Land.
AGS_LAND_PREFIX = {
    "01": "SH", "02": "HH", "03": "NI", "04": "HB", "05": "NW", "06": "HE", "07": "RP", "08": "BW",
    "09": "BY", "10": "SL", "11": "BE", "12": "BB", "13": "MV", "14": "SN", "15": "ST", "16": "TH",
}  # fmt: skip
_AGS_RE = re.compile(r"^\d{8}$")


def validate_ags(value: str) -> None:
    """An AGS has exactly eight digits and starts with a valid Land number (01-16)."""
    if not _AGS_RE.match(value or ""):
        raise ValidationError(
            _("Der Gemeindeschlüssel (AGS) muss aus genau 8 Ziffern bestehen."), code="format"
        )
    if value[:2] not in AGS_LAND_PREFIX:
        raise ValidationError(
            _("Der Gemeindeschlüssel (AGS) beginnt mit %(prefix)s; gültig sind 01 bis 16."),
            params={"prefix": value[:2]},
            code="land",
        )


class MunicipalityScopedQuerySet(models.QuerySet):
    """Base of the querysets of rows that belong to one municipality (a ``municipality`` foreign key)."""

    def for_municipality(self, municipality: "Municipality"):
        return self.filter(municipality=municipality)


class MunicipalityQuerySet(models.QuerySet):
    def for_user(self, user) -> "MunicipalityQuerySet":
        """Municipalities the user may see: their memberships (superusers: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(memberships__user=user).distinct()


class Municipality(models.Model):
    """A Gemeinde, Stadt or Kreis: the unit that owns every piece of planning data."""

    class Kind(models.TextChoices):
        KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")
        KREISANGEHOERIGE_GEMEINDE = "kreisangehoerige_gemeinde", _("Kreisangehörige Gemeinde")
        KREIS = "kreis", _("Kreis")

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname"), max_length=80, unique=True)
    ags = models.CharField(_("Gemeindeschlüssel (AGS)"), max_length=8, validators=[validate_ags])
    land = models.CharField(_("Land"), max_length=2, choices=LAND_CHOICES)
    kind = models.CharField(
        _("Art"), max_length=32, choices=Kind.choices, default=Kind.KREISANGEHOERIGE_GEMEINDE
    )
    population = models.PositiveIntegerField(_("Einwohner"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipality-overview", kwargs={"slug": self.slug})

    def clean(self) -> None:
        """The AGS's first two digits must belong to the chosen Land."""
        if self.ags and self.land and _AGS_RE.match(self.ags):
            expected = AGS_LAND_PREFIX.get(self.ags[:2])
            if expected and expected != self.land:
                raise ValidationError(
                    {
                        "ags": _(
                            "Der Gemeindeschlüssel %(ags)s gehört zum Land %(land)s, nicht zu %(chosen)s."
                        )
                        % {"ags": self.ags, "land": expected, "chosen": self.land}
                    }
                )


class Role(models.TextChoices):
    ADMIN = "admin", _("Administration")
    FINANCE = "finance", _("Kämmerei")
    PLANNER = "planner", _("Planung")
    FACILITATOR = "facilitator", _("Moderation")
    VIEWER = "viewer", _("Lesen")


class Membership(models.Model):
    """A user's role in one municipality. Everything a user may see or do follows from these rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="one_membership_per_user")
        ]
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")

    def __str__(self) -> str:
        return f"{self.user} @ {self.municipality} ({self.get_role_display()})"


# Readable names of the job kinds; apps may add theirs with JOB_KIND_LABELS.update(...) in ready().
JOB_KIND_LABELS: dict[str, object] = {
    "core.selftest": _("Selbsttest der Hintergrundverarbeitung"),
    "finance.import_budget": _("Haushaltsdaten importieren"),
    "planning.run_projection": _("Projektion berechnen"),
    "planning.run_projection_batch": _("Projektionen berechnen"),
    "planning.run_resilience": _("Resilienzprüfung rechnen"),
    "swot.export": _("SWOT-Protokoll exportieren"),
}


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobQuerySet":
        """Jobs of the user's municipalities, plus installation-wide jobs they requested themselves."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            models.Q(municipality__memberships__user=user) | models.Q(municipality=None, requested_by=user)
        ).distinct()


class Job(models.Model):
    """A background job: the row the worker writes and the progress bar reads.

    The worker claims the row (queued -> running), reports progress with a heartbeat, and ends it
    as succeeded or failed. A job whose worker died is retried from the broker (acks_late) or, if
    its heartbeat goes stale, failed by ``core.jobs.jobs_fail_stale``: never left "running".
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Wartet")
        RUNNING = "running", _("Läuft")
        SUCCEEDED = "succeeded", _("Erfolgreich")
        FAILED = "failed", _("Fehlgeschlagen")

    TERMINAL = (Status.SUCCEEDED, Status.FAILED)

    kind = models.CharField(_("Art"), max_length=80)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("Fortschritt"), default=0, validators=[MinValueValidator(0)]
    )
    message = models.TextField(_("Meldung"), blank=True)
    log = models.TextField(_("Protokoll"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]
        verbose_name = _("Hintergrundauftrag")
        verbose_name_plural = _("Hintergrundaufträge")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def kind_label(self) -> str:
        """What the job does, in the active language ("Projektion berechnen"), never the task key."""
        label = JOB_KIND_LABELS.get(self.kind)
        return str(label) if label is not None else str(_("Hintergrundauftrag"))

    @property
    def group_name(self) -> str:
        """The channel-layer group that receives this job's progress events."""
        return f"job-{self.pk}"

    def as_event(self) -> dict:
        """The job's state as sent to the progress bar (websocket and REST)."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "status": self.status,
            "status_label": str(self.get_status_display()),
            "progress": self.progress,
            "message": self.message,
            "result": self.result,
            "finished": self.is_finished,
            "updated_at": (self.heartbeat_at or self.created_at or timezone.now()).isoformat(),
        }


class InvitationQuerySet(models.QuerySet):
    def open(self) -> "InvitationQuerySet":
        """Not yet accepted, not revoked, not expired."""
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation to join a municipality with a role, by link (and e-mail if an address is given).

    The token is the secret in the link; whoever opens it either creates an account (sets a password)
    or, already signed in, joins with their existing account. One use only.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    email = models.EmailField(_("E-Mail"), blank=True)
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("Gültig bis"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")

    def __str__(self) -> str:
        return f"{self.municipality} ({self.get_role_display()}, {self.email or '-'})"

    def get_absolute_url(self) -> str:
        return reverse("invitation-accept", kwargs={"token": self.token})

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AuditEntry(models.Model):
    """One change, written explicitly by the service that made it (``core.audit.record``): who, what, when.

    Names are copied (``actor_name``, ``target_label``) so that the entry stays readable after the user or
    the object is deleted.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("Wer"), max_length=150, blank=True)
    action = models.CharField(_("Aktion"), max_length=60)  # a key such as "membership.role_changed"
    target_type = models.CharField(max_length=60, blank=True)  # "core.membership"
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(_("Objekt"), max_length=300, blank=True)
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)  # {field: [old, new]}
    created_at = models.DateTimeField(_("Wann"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "-created_at"])]
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Änderungsprotokoll")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_label}"


class District(models.Model):
    """A district of a municipality (Stadtteil, Sozialraum, statistischer Bezirk): the unit of social
    planning that needs, offers, stakeholders, workshops and measures refer to.

    It lives in core so that every app can point at it (imports flow one way); its indicators, index,
    offers and maps live in ``planning.districts``. Levels may nest (``parent``: a Sozialraum inside a
    Stadtteil). The boundary is a GeoJSON geometry in WGS84 (Polygon or MultiPolygon, validated on
    import with shapely), with its bounding box and a point inside it cached for maps and placement;
    a district imported from a plain list has no geometry.
    """

    class Level(models.TextChoices):
        STADTTEIL = "stadtteil", _("Stadtteil")
        SOZIALRAUM = "sozialraum", _("Sozialraum")
        STATISTICAL = "statistischer_bezirk", _("Statistischer Bezirk")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="districts")
    code = models.CharField(_("Kennziffer"), max_length=40)
    name = models.CharField(_("Name"), max_length=200)
    level = models.CharField(_("Ebene"), max_length=24, choices=Level.choices, default=Level.SOZIALRAUM)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("übergeordneter Bezirk"),
    )
    geometry = models.JSONField(_("Grenze (GeoJSON, WGS84)"), null=True, blank=True)
    bbox = models.JSONField(_("Ausdehnung [W, S, O, N]"), null=True, blank=True)
    label_lon = models.FloatField(null=True, blank=True)  # a point inside (shapely point_on_surface)
    label_lat = models.FloatField(null=True, blank=True)
    area_km2 = models.FloatField(_("Fläche (km²)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "level", "code"], name="district_code_per_level")
        ]
        verbose_name = _("Bezirk")
        verbose_name_plural = _("Bezirke")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "planning:district-detail", kwargs={"slug": self.municipality.slug, "district_id": self.pk}
        )

    @property
    def has_geometry(self) -> bool:
        return bool(self.geometry)
