"""Live SWOT boards, their cards, participants, the event log, TOWS strategies and measures."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import District, Municipality, MunicipalityScopedQuerySet
from swot import logic


class Quadrant(models.TextChoices):
    STRENGTH = logic.STRENGTH, _("Stärken")
    WEAKNESS = logic.WEAKNESS, _("Schwächen")
    OPPORTUNITY = logic.OPPORTUNITY, _("Chancen")
    THREAT = logic.THREAT, _("Risiken")


class Phase(models.TextChoices):
    COLLECT = "collect", _("Sammeln")
    CLUSTER = "cluster", _("Clustern")
    VOTE = "vote", _("Punkten")
    WEIGHT = "weight", _("Gewichten")
    DERIVE = "derive", _("Strategien ableiten")


class BoardQuerySet(MunicipalityScopedQuerySet):
    """Boards: ``for_municipality`` from the core base."""


class Board(models.Model):
    """A SWOT board of one municipality on one topic (e.g. "Innenstadt Herten"), run as a workshop.

    ``seq`` is the number of the board's last event; it is raised atomically in the transaction that
    stores each event, so events are numbered without gaps in commit order.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="swot_boards")
    title = models.CharField(_("Thema"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    phase = models.CharField(_("Phase"), max_length=12, choices=Phase.choices, default=Phase.COLLECT)
    locked = models.BooleanField(_("Gesperrt"), default=False)
    anonymous = models.BooleanField(_("Anonym (Autorinnen und Autoren verbergen)"), default=False)
    hide_while_collecting = models.BooleanField(
        _("Karten beim Sammeln verdeckt, bis die Moderation sie aufdeckt"), default=False
    )
    revealed = models.BooleanField(_("Aufgedeckt"), default=False)
    anonymous_votes = models.BooleanField(_("Anonym punkten"), default=True)
    vote_budget = models.PositiveSmallIntegerField(
        _("Punkte je Person"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    timer_ends_at = models.DateTimeField(_("Timer endet"), null=True, blank=True)
    timer_seconds = models.PositiveIntegerField(_("Timer-Dauer (Sekunden)"), default=0)
    seq = models.PositiveBigIntegerField(default=0, editable=False)
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="swot_boards",
        verbose_name=_("Bezirk"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SWOT-Board")
        verbose_name_plural = _("SWOT-Boards")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("swot:board", kwargs={"slug": self.municipality.slug, "pk": self.pk})

    @property
    def group_name(self) -> str:
        """The channel-layer group of the board's live connections."""
        return f"swot-board-{self.pk}"

    @property
    def cards_hidden(self) -> bool:
        """Other people's cards are face down (collecting in secret, not yet revealed)."""
        return self.hide_while_collecting and not self.revealed

    def visibility(self) -> dict:
        """What the presenter needs to redact events for one viewer."""
        return {
            "anonymous": self.anonymous,
            "anonymous_votes": self.anonymous_votes,
            "hidden": self.cards_hidden,
        }


class Invite(models.Model):
    """An invite link/code that lets guests without an account join one board. Revocable, expiring."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(_("Code"), max_length=16, unique=True)
    label = models.CharField(_("Bezeichnung"), max_length=120, blank=True)
    expires_at = models.DateTimeField(_("Gültig bis"))
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a workshop

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")

    def __str__(self) -> str:
        return f"{self.code} ({self.board})"

    @classmethod
    def new_code(cls) -> str:
        return "".join(secrets.choice(cls.CODE_ALPHABET) for _ in range(8))

    def is_valid(self, now=None) -> bool:
        """Not revoked and not expired."""
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class Participant(models.Model):
    """Someone on a board: a member of the municipality (``user``) or a guest who joined by invite.

    Cards, votes and events point here, so guests and members are handled alike. A guest's
    identity is this row; their signed token names it and the board.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    invite = models.ForeignKey(
        Invite, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    display_name = models.CharField(_("Anzeigename"), max_length=80)
    revoked_at = models.DateTimeField(_("Ausgeschlossen am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "user"],
                condition=models.Q(user__isnull=False),
                name="one_participant_per_user",
            )
        ]
        verbose_name = _("Teilnehmende Person")
        verbose_name_plural = _("Teilnehmende")

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_guest(self) -> bool:
        return self.user_id is None


class Presence(models.Model):
    """One open websocket connection of a participant; rows with a fresh heartbeat are "online"."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="presences")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="presences")
    channel_name = models.CharField(max_length=200, unique=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Verbindung")
        verbose_name_plural = _("Verbindungen")

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.channel_name}"


class Cluster(models.Model):
    """A heading that groups duplicate or related cards of one quadrant."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="clusters")
    quadrant = models.CharField(_("Quadrant"), max_length=1, choices=Quadrant.choices)
    title = models.CharField(_("Überschrift"), max_length=200)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["quadrant", "created_at", "id"]
        verbose_name = _("Cluster")
        verbose_name_plural = _("Cluster")

    def __str__(self) -> str:
        return self.title

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "quadrant": self.quadrant,
            "title": self.title,
            "deleted": bool(self.deleted_at),
        }


class CardQuerySet(models.QuerySet):
    def live(self) -> CardQuerySet:
        """Cards on the board (not deleted or merged away)."""
        return self.filter(deleted_at__isnull=True)


class Card(models.Model):
    """A factor on the board. ``version`` counts content edits (text, note, colour) for conflict checks;
    ``rank`` orders cards within a quadrant (lexicographic, see ``swot.logic.rank_between``)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="cards")
    quadrant = models.CharField(_("Quadrant"), max_length=1, choices=Quadrant.choices)
    text = models.CharField(_("Text"), max_length=500)
    note = models.TextField(_("Notiz"), blank=True)
    colour = models.CharField(_("Farbe/Schlagwort"), max_length=30, blank=True)
    rank = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="cards"
    )
    author = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, related_name="cards")
    weight = models.DecimalField(
        _("Gewicht"), max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )  # fmt: skip
    rating = models.PositiveSmallIntegerField(
        _("Bewertung (1-4)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_cards"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["quadrant", "rank", "id"]
        indexes = [models.Index(fields=["board", "quadrant", "rank"])]
        verbose_name = _("Karte")
        verbose_name_plural = _("Karten")

    def __str__(self) -> str:
        return self.text


class Vote(models.Model):
    """One dot of a participant on a card (dot voting: several dots on one card are allowed)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="votes")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Punkt")
        verbose_name_plural = _("Punkte")

    def __str__(self) -> str:
        return f"{self.participant_id} -> {self.card_id}"


class BoardEvent(models.Model):
    """The board's history and replay source: one row per accepted change, numbered per board.

    ``payload`` holds the resulting objects (and the previous text for edits), so a client can apply
    an event without a further query and a card's earlier text can be restored.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    actor = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["board", "seq"]
        constraints = [models.UniqueConstraint(fields=["board", "seq"], name="one_event_per_board_seq")]
        verbose_name = _("Board-Ereignis")
        verbose_name_plural = _("Board-Ereignisse")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    def as_dict(self) -> dict:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "payload": self.payload,
            "actor": {"id": self.actor_id, "name": self.actor_name} if self.actor_id else None,
            "at": self.created_at.isoformat(),
        }


class Strategy(models.Model):
    """A TOWS strategy option (SO, ST, WO, WT) built from linked cards; rated, then maybe selected."""

    class Kind(models.TextChoices):
        SO = "SO", _("SO: Stärken nutzen, um Chancen zu ergreifen")
        ST = "ST", _("ST: Stärken nutzen, um Risiken abzuwehren")
        WO = "WO", _("WO: Schwächen durch Chancen abbauen")
        WT = "WT", _("WT: Schwächen und Risiken begrenzen")

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="strategies")
    kind = models.CharField(_("Typ"), max_length=2, choices=Kind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    cards = models.ManyToManyField(Card, related_name="strategies", verbose_name=_("Faktoren"))
    rating = models.PositiveSmallIntegerField(
        _("Bewertung (1-5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    selected = models.BooleanField(_("Ausgewählt"), default=False)
    created_by = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at", "id"]
        verbose_name = _("Strategie")
        verbose_name_plural = _("Strategien")

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class Measure(models.Model):
    """A measure (Maßnahme) with owner, deadline, indicator and cost, linked to a budget product.

    Lives in swot/ for now because strategies create it; planning will adopt it later.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Geplant")
        IN_PROGRESS = "in_progress", _("In Umsetzung")
        DONE = "done", _("Abgeschlossen")
        DROPPED = "dropped", _("Verworfen")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="swot_measures")
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    owner = models.CharField(_("Verantwortlich"), max_length=200, blank=True)
    deadline = models.DateField(_("Frist"), null=True, blank=True)
    indicator = models.CharField(_("Kennzahl"), max_length=300, blank=True)
    cost_estimate = models.DecimalField(
        _("Kostenschätzung (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_product_code = models.CharField(_("Haushaltsprodukt"), max_length=40, blank=True)
    source_strategy = models.ForeignKey(
        Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures",
        verbose_name=_("Bezirk"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "title"]
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")

    def __str__(self) -> str:
        return self.title
