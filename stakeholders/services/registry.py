"""Registry writes: stakeholders (with optimistic concurrency), dated assessments (append-only),
relationships, the engagement log and network snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.geo import DistrictLocator, district_locator
from core.models import District, Municipality
from stakeholders import selectors
from stakeholders.methods import network
from stakeholders.methods.grid import suggested_strategy
from stakeholders.models import (
    Assessment,
    Engagement,
    NetworkSnapshot,
    PersonAccess,
    Relationship,
    ShadowWage,
    Stakeholder,
)

STAKEHOLDER_FIELDS = (
    "entity", "name", "sector", "kind", "district", "district_note", "lon", "lat", "tags", "contact_person",
    "email", "phone", "address",
    "website", "interests", "expectations", "attitude", "volunteer_hours", "money", "rooms", "staff",
    "expertise", "notes", "legal_basis", "purpose", "consent_given_on", "consent_scope",
    "consent_withdrawn_on", "retention_until",
)  # fmt: skip
ASSESSMENT_FIELDS = (
    "assessed_on",
    "influence",
    "interest",
    "power",
    "legitimacy",
    "urgency",
    "strategy",
    "comment",
)


class RegistryError(ValueError):
    """An input the registry refuses, in words for the planner."""


class StakeholderConflict(RegistryError):
    """The stakeholder was changed by someone else since the editor loaded it (``current``: new state)."""

    def __init__(self, current: Stakeholder):
        self.current = current
        super().__init__(
            _(
                "Der Akteur wurde inzwischen geändert (jetzt Revision %(rev)s, zuletzt %(when)s). "
                "Ihre Eingaben wurden nicht gespeichert; bitte prüfen und erneut speichern."
            )
            % {"rev": current.revision, "when": formats.localize(timezone.localtime(current.updated_at))}
        )


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(STAKEHOLDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown stakeholder fields: {sorted(unknown)}")
    if "tags" in values:
        tags = values["tags"]
        if isinstance(tags, str):
            tags = tags.split(",")
        values["tags"] = sorted({str(t).strip() for t in tags or [] if str(t).strip()})
    return values


def _check_person(stakeholder: Stakeholder) -> None:
    """A person needs a legal basis and a purpose (Art. 6, Art. 5 (1) b GDPR); consent needs its date."""
    if stakeholder.entity != Stakeholder.Entity.PERSON or stakeholder.is_erased:
        return
    errors = {}
    if not stakeholder.legal_basis:
        errors["legal_basis"] = _("Für eine Person ist eine Rechtsgrundlage (Art. 6 DSGVO) nötig.")
    if not stakeholder.purpose:
        errors["purpose"] = _("Für eine Person ist der Zweck der Verarbeitung anzugeben.")
    if stakeholder.legal_basis == Stakeholder.LegalBasis.CONSENT and not stakeholder.consent_given_on:
        errors["consent_given_on"] = _("Bei Einwilligung bitte das Datum der Einwilligung angeben.")
    if (
        stakeholder.consent_withdrawn_on
        and stakeholder.consent_given_on
        and (stakeholder.consent_withdrawn_on < stakeholder.consent_given_on)
    ):
        errors["consent_withdrawn_on"] = _("Der Widerruf liegt vor der Einwilligung.")
    if errors:
        raise ValidationError(errors)


PLACE_FIELDS = ("district", "lon", "lat")


def _place(stakeholder: Stakeholder, locator: DistrictLocator | None = None) -> None:
    """Put the stakeholder in a district of its own municipality: coordinates (both or none) decide the
    district by point in polygon (``core.geo``, as for offers) and must lie in one; otherwise the chosen
    district is kept. A district found or chosen replaces the unmatched place name of ``district_note``."""
    if stakeholder.district_id:
        owner = (
            stakeholder.district.municipality_id
            if Stakeholder.district.is_cached(stakeholder)
            else District.objects.filter(pk=stakeholder.district_id)
            .values_list("municipality_id", flat=True)
            .first()
        )
    if stakeholder.district_id and owner != stakeholder.municipality_id:
        raise ValidationError({"district": _("Dieser Sozialraum gehört nicht zu dieser Kommune.")})
    lon, lat = stakeholder.lon, stakeholder.lat
    if (lon is None) != (lat is None):
        raise ValidationError({"lat": _("Bitte Längen- und Breitengrad angeben oder beide leer lassen.")})
    if lon is not None and -180 <= lon <= 180 and -90 <= lat <= 90:
        locator = locator or district_locator(stakeholder.municipality_id)
        found = locator.locate(lon, lat)
        if found is None:
            raise ValidationError(
                {
                    "lon": _("Der Punkt (%(lat)s° N, %(lon)s° O) liegt in keinem Sozialraum.")
                    % {"lat": formats.localize(lat), "lon": formats.localize(lon)}
                }
            )
        stakeholder.district_id = found
    if stakeholder.district_id:
        stakeholder.district_note = ""


def stakeholder_create(*, municipality: Municipality, user=None, **values: Any) -> Stakeholder:
    """Register an organisation or a person; validates every field (ValidationError) and places it
    (``_place``)."""
    values = _normalise(values)
    stakeholder = Stakeholder(municipality=municipality, **values)
    stakeholder.full_clean(exclude=["municipality"])
    _place(stakeholder)
    _check_person(stakeholder)
    with transaction.atomic():
        stakeholder.save()
        if stakeholder.is_person and user is not None:
            PersonAccess.objects.create(
                municipality=municipality, stakeholder=stakeholder, user=user, action=PersonAccess.Action.EDIT
            )
    return stakeholder


def stakeholder_update(
    *, stakeholder: Stakeholder, expected_revision: int | None = None, user=None, **values: Any
) -> Stakeholder:
    """Change a stakeholder. ``expected_revision`` is the revision the editor started from: if someone
    saved in between, ``StakeholderConflict`` is raised and nothing changes. An erased person stays
    erased: its personal fields cannot be filled again."""
    values = _normalise(values)
    with transaction.atomic():
        locked = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
        if expected_revision is not None and expected_revision != locked.revision:
            raise StakeholderConflict(locked)
        if locked.is_erased:
            values = {
                k: v
                for k, v in values.items()
                if k not in (*Stakeholder.PERSONAL_FIELDS, "name", "entity", "lon", "lat")
            }
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, values[key])
        if changed:
            locked.full_clean(exclude=["municipality"])
            if set(changed) & set(PLACE_FIELDS):
                _place(locked)
            _check_person(locked)
            locked.revision += 1
            locked.save()
            if locked.is_person and user is not None:
                PersonAccess.objects.create(
                    municipality=locked.municipality,
                    stakeholder=locked,
                    user=user,
                    action=PersonAccess.Action.EDIT,
                )
    return locked


def stakeholders_relocate(*, municipality: Municipality) -> int:
    """After new boundaries: place every stakeholder with coordinates again (one STRtree for all); a
    point now outside every district keeps its district. Returns how many moved."""
    locator = district_locator(municipality)
    moved = 0
    rows = Stakeholder.objects.filter(municipality=municipality, lon__isnull=False, lat__isnull=False)
    for pk, lon, lat, current in rows.values_list("pk", "lon", "lat", "district_id"):
        found = locator.locate(lon, lat)
        if found is not None and found != current:
            Stakeholder.objects.filter(pk=pk).update(district_id=found, district_note="")
            moved += 1
    return moved


def district_lookup(municipality: Municipality) -> dict[str, District]:
    """The municipality's districts by name and by code (case-insensitive) for matching place names:
    among several of one name the finest (without sub-districts), then the lowest id."""
    rows = list(District.objects.filter(municipality=municipality).order_by("pk"))
    parents = {d.parent_id for d in rows if d.parent_id}
    rows.sort(key=lambda d: (d.pk in parents, d.pk))
    found: dict[str, District] = {}
    for key in ("name", "code"):
        for district in rows:
            found.setdefault(getattr(district, key).strip().casefold(), district)
    return found


def stakeholder_districts_match(*, municipality: Municipality) -> tuple[int, dict[str, int]]:
    """Assign the district to every stakeholder whose ``district_note`` names one (by name or code,
    case-insensitive, as the migration from free text did). Returns the number assigned and the names
    that still match nothing with how many stakeholders carry each."""
    lookup = district_lookup(municipality)
    matched, unmatched = 0, {}
    rows = Stakeholder.objects.filter(municipality=municipality, district__isnull=True).exclude(
        district_note=""
    )
    for pk, note in rows.values_list("pk", "district_note"):
        district = lookup.get(note.strip().casefold())
        if district is None:
            unmatched[note] = unmatched.get(note, 0) + 1
            continue
        Stakeholder.objects.filter(pk=pk).update(district=district, district_note="")
        matched += 1
    return matched, unmatched


def stakeholder_delete(*, stakeholder: Stakeholder) -> None:
    """Remove a stakeholder with its history (MANAGE only; for a person prefer ``person_erase``, which
    keeps the aggregate history)."""
    with transaction.atomic():
        Relationship.objects.filter(source=stakeholder).delete()
        Relationship.objects.filter(target=stakeholder).delete()
        stakeholder.delete()


def assessment_add(*, stakeholder: Stakeholder, assessor=None, **values: Any) -> Assessment:
    """Append a dated assessment (the history is never overwritten). Without a strategy, the grid's
    suggestion for its quadrant is taken."""
    unknown = set(values) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assessment fields: {sorted(unknown)}")
    if stakeholder.is_erased:
        values.pop("comment", None)
    assessment = Assessment(stakeholder=stakeholder, assessor=assessor, **values)
    if not assessment.assessed_on:
        assessment.assessed_on = timezone.localdate()
    if not assessment.strategy and assessment.influence and assessment.interest:
        assessment.strategy = suggested_strategy(assessment.influence, assessment.interest)
    assessment.full_clean(exclude=["stakeholder", "assessor"])
    with transaction.atomic():
        assessment.save()
    return assessment


def relationship_create(
    *,
    source: Stakeholder,
    target: Stakeholder,
    kind: str = Relationship.Kind.COOPERATION,
    strength: int = 3,
    direction: str = Relationship.Direction.MUTUAL,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    note: str = "",
) -> Relationship:
    """Link two stakeholders of the same municipality."""
    if source.municipality_id != target.municipality_id:
        raise RegistryError(_("Beide Akteure müssen zur selben Kommune gehören."))
    if source.pk == target.pk:
        raise RegistryError(_("Ein Akteur kann nicht mit sich selbst verbunden werden."))
    relationship = Relationship(
        municipality_id=source.municipality_id,
        source=source,
        target=target,
        kind=kind,
        strength=strength,
        direction=direction,
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
        note=note,
    )
    relationship.full_clean(exclude=["municipality", "source", "target"])
    if relationship.valid_until and relationship.valid_until < relationship.valid_from:
        raise ValidationError({"valid_until": _("Das Ende liegt vor dem Beginn.")})
    with transaction.atomic():
        relationship.save()
    return relationship


def relationship_delete(*, relationship: Relationship) -> None:
    relationship.delete()


def engagement_log(
    *,
    stakeholder: Stakeholder,
    topic: str,
    user=None,
    occurred_on: dt.date | None = None,
    format: str = Engagement.Format.MEETING,
    participants: str = "",
    outcome: str = "",
    follow_up: str = "",
    due_on: dt.date | None = None,
) -> Engagement:
    """Record a meeting, workshop, letter ... with its follow-up."""
    if follow_up and due_on is None:
        raise ValidationError({"due_on": _("Für einen nächsten Schritt bitte ein Fälligkeitsdatum angeben.")})
    engagement = Engagement(
        municipality_id=stakeholder.municipality_id,
        stakeholder=stakeholder,
        occurred_on=occurred_on or timezone.localdate(),
        format=format,
        participants=participants,
        topic=topic,
        outcome=outcome,
        follow_up=follow_up,
        due_on=due_on,
        created_by=user,
    )
    engagement.full_clean(exclude=["municipality", "stakeholder", "created_by"])
    with transaction.atomic():
        engagement.save()
    return engagement


def engagement_complete(*, engagement: Engagement, done_on: dt.date | None = None) -> Engagement:
    """Mark a follow-up as done (once: a second call keeps the first date)."""
    Engagement.objects.filter(pk=engagement.pk, done_on=None).update(done_on=done_on or timezone.localdate())
    engagement.refresh_from_db()
    return engagement


def network_snapshot_create(*, municipality: Municipality, on: dt.date, user=None) -> NetworkSnapshot:
    """Compute the network measures and brokerage on the graph as it stood on ``on`` and keep them with
    that date (ids only, no names: an erasure has nothing to scrub here)."""
    groups, arcs = selectors.network_at(municipality, on)
    result = network.analyse(groups, arcs)
    return NetworkSnapshot.objects.create(
        municipality=municipality,
        graph_date=on,
        computed_by=user,
        nodes=result.nodes,
        edges=result.edges,
        measures={str(k): v for k, v in result.measures.items()},
        brokerage={**{str(k): v for k, v in result.brokerage.items()}, "_total": result.brokerage_totals},
    )


@transaction.atomic
def shadow_wage_set(
    *, municipality: Municipality, valid_from: dt.date, eur_per_hour: Decimal, source: str
) -> tuple[ShadowWage, Decimal | None]:
    """Set the municipality's own shadow wage from ``valid_from`` on (a new row or a changed one);
    returns the row and the value it had before (None when new). The installation's defaults
    (``municipality=None``) are never changed here."""
    if eur_per_hour is None or not 0 < eur_per_hour < 1000:
        raise RegistryError(_("Der Schattenlohn muss größer als 0 und kleiner als 1.000 EUR je Stunde sein."))
    if not (source or "").strip():
        raise RegistryError(_("Bitte die Quelle des Wertes angeben."))
    row = (
        ShadowWage.objects.select_for_update()
        .filter(municipality=municipality, valid_from=valid_from)
        .first()
    )
    old = row.eur_per_hour if row else None
    if row is None:
        row = ShadowWage(municipality=municipality, valid_from=valid_from)
    row.eur_per_hour = Decimal(eur_per_hour).quantize(Decimal("0.01"))
    row.source = source.strip()[:300]
    row.save()
    return row, old


@transaction.atomic
def shadow_wage_delete(*, wage: ShadowWage) -> None:
    """Remove one of the municipality's own rates (the defaults stay)."""
    if wage.municipality_id is None:
        raise RegistryError(_("Die Standardwerte der Installation werden nicht gelöscht."))
    wage.delete()


#: The installation's default shadow wage: the statutory minimum wage (MiLoG) from the date it applies
#: (the same rows as migration 0002, which cannot import this module).
DEFAULT_SHADOW_WAGES: tuple[tuple[dt.date, str, str], ...] = (
    (dt.date(2022, 10, 1), "12.00", "Mindestlohnerhöhungsgesetz vom 28.06.2022"),
    (dt.date(2024, 1, 1), "12.41", "Vierte Mindestlohnanpassungsverordnung vom 24.11.2023"),
    (dt.date(2025, 1, 1), "12.82", "Vierte Mindestlohnanpassungsverordnung vom 24.11.2023"),
    (dt.date(2026, 1, 1), "13.90", "Fünfte Mindestlohnanpassungsverordnung"),
    (dt.date(2027, 1, 1), "14.60", "Fünfte Mindestlohnanpassungsverordnung"),
)


def shadow_wage_defaults_ensure() -> int:
    """Create the installation's default rates that are missing (idempotent; a flushed database, e.g.
    after transactional tests, loses the rows of the data migration). Returns how many were added."""
    added = 0
    for valid_from, rate, source in DEFAULT_SHADOW_WAGES:
        _row, created = ShadowWage.objects.get_or_create(
            municipality=None,
            valid_from=valid_from,
            defaults={"eur_per_hour": Decimal(rate), "source": f"Gesetzlicher Mindestlohn; {source}"},
        )
        added += created
    return added
