"""Personal data of persons in the registry: the access log, the Art. 15/20 record (JSON and PDF) and
the Art. 17 erasure, which anonymises the person everywhere while the aggregates stay (the number of
engagements, the relationships as the shape of the network, assessments' scores, resources)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stakeholders.models import (
    Assessment,
    Engagement,
    ImportBatch,
    PersonAccess,
    Relationship,
    Stakeholder,
)
from stakeholders.privacy import display_name

RECORD_FIELDS = (
    "name", "sector", "kind", "district_note", "lon", "lat", "tags", "contact_person", "email", "phone",
    "address", "website",
    "interests", "expectations", "attitude", "volunteer_hours", "money", "rooms", "staff", "expertise",
    "notes",
    "legal_basis", "purpose", "consent_given_on", "consent_scope", "consent_withdrawn_on", "retention_until",
    "created_at", "updated_at",
)  # fmt: skip


def person_access_record(*, stakeholder: Stakeholder, user, action: str) -> None:
    """Log that ``user`` viewed, exported, changed or erased a person's record (organisations: nothing)."""
    if stakeholder.entity != Stakeholder.Entity.PERSON:
        return
    PersonAccess.objects.create(
        municipality_id=stakeholder.municipality_id,
        stakeholder=stakeholder,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def person_record(stakeholder: Stakeholder) -> dict[str, Any]:
    """Everything held about the person (Art. 15 access, Art. 20 portability) as plain JSON values.
    Other persons it is linked with appear only as "Person #id" (their data is not this person's)."""
    ties = []
    for tie in Relationship.objects.filter(Q(source=stakeholder) | Q(target=stakeholder)).select_related(
        "source", "target"
    ):
        other = tie.target if tie.source_id == stakeholder.pk else tie.source
        ties.append(
            {
                "with": display_name(other, personal=other.entity == Stakeholder.Entity.ORGANISATION),
                "kind": tie.kind,
                "direction": tie.direction if tie.source_id == stakeholder.pk else f"{tie.direction} (in)",
                "strength": tie.strength,
                "valid_from": _plain(tie.valid_from),
                "valid_until": _plain(tie.valid_until),
                "note": tie.note,
            }
        )
    return {
        "controller": stakeholder.municipality.name,
        "exported_at": timezone.now().isoformat(),
        "id": stakeholder.pk,
        "entity": stakeholder.entity,
        "erased": stakeholder.is_erased,
        "person": {
            **{field: _plain(getattr(stakeholder, field)) for field in RECORD_FIELDS},
            "district": stakeholder.district.name if stakeholder.district_id else "",
        },
        "assessments": [
            {
                "assessed_on": _plain(a.assessed_on),
                "influence": a.influence,
                "interest": a.interest,
                "power": a.power,
                "legitimacy": a.legitimacy,
                "urgency": a.urgency,
                "salience": a.salience,
                "strategy": a.strategy,
                "comment": a.comment,
            }
            for a in stakeholder.assessments.order_by("assessed_on", "pk")
        ],
        "relationships": ties,
        "engagements": [
            {
                "occurred_on": _plain(e.occurred_on),
                "format": e.format,
                "participants": e.participants,
                "topic": e.topic,
                "outcome": e.outcome,
                "follow_up": e.follow_up,
                "due_on": _plain(e.due_on),
                "done_on": _plain(e.done_on),
            }
            for e in stakeholder.engagements.order_by("occurred_on", "pk")
        ],
        "access_log": [
            {"at": _plain(x.at), "action": x.action, "user": x.user.get_username() if x.user else None}
            for x in stakeholder.access_log.select_related("user").order_by("at", "pk")
        ],
    }


def person_record_pdf(record: dict[str, Any]) -> bytes:
    """The same record as a printable PDF (A4, through the project's PDF presenter ``core.pdf``)."""
    from core.pdf import PdfDocument

    doc = PdfDocument(
        _("Auskunft nach Art. 15 DSGVO"),
        subtitle=f"{_('Verantwortlich')}: {record['controller']}",
    )
    doc.heading(_("Gespeicherte Angaben"))
    for field, value in record["person"].items():
        doc.line(str(Stakeholder._meta.get_field(field).verbose_name), value)
    doc.heading(_("Einschätzungen"))
    for a in record["assessments"]:
        doc.line(
            a["assessed_on"],
            f"{_('Einfluss')} {a['influence']}, {_('Interesse')} {a['interest']}, "
            f"{a['salience']}, {a['strategy']} {a['comment']}",
        )
    doc.heading(_("Beziehungen"))
    for r in record["relationships"]:
        doc.line(r["with"], f"{r['kind']} ({r['direction']}, {r['strength']}) {r['valid_from']} {r['note']}")
    doc.heading(_("Kontakte"))
    for e in record["engagements"]:
        doc.line(
            e["occurred_on"],
            f"{e['format']}: {e['topic']} {e['outcome']} {e['follow_up']} {e['due_on'] or ''}",
        )
    doc.heading(_("Zugriffe"))
    for x in record["access_log"]:
        doc.line(x["at"], f"{x['action']} ({x['user'] or '-'})")
    return doc.output()


def person_erase(*, stakeholder: Stakeholder, user) -> Stakeholder:
    """Art. 17: anonymise the person everywhere. Name, contacts, free texts and consent details go;
    the record itself stays as "Person #id" with sector, district, kind and resource figures, so the
    number of engagements, the relationships (the network's shape) and the assessments' scores stay.
    Pending import batches that mention the person are discarded. Idempotent."""
    if stakeholder.entity != Stakeholder.Entity.PERSON:
        raise ValueError("only persons are erased; organisations are deleted")
    with transaction.atomic():
        locked = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
        needles = [v for v in (locked.name, locked.email, locked.phone) if v]
        for field in Stakeholder.PERSONAL_FIELDS:
            setattr(locked, field, "")
        locked.name = f"Person #{locked.pk}"
        locked.tags = []
        locked.consent_given_on = locked.consent_withdrawn_on = locked.retention_until = None
        locked.lon = locked.lat = None  # a person's point is where they live or work: personal data
        if locked.erased_at is None:
            locked.erased_at = timezone.now()
        locked.revision += 1
        locked.save()
        Assessment.objects.filter(stakeholder=locked).update(comment="")
        Engagement.objects.filter(stakeholder=locked).update(
            topic=_("(anonymisiert)"), participants="", outcome="", follow_up=""
        )
        Relationship.objects.filter(source=locked).update(note="")
        Relationship.objects.filter(target=locked).update(note="")
        for batch in ImportBatch.objects.filter(municipality_id=locked.municipality_id, applied_at=None):
            text = repr(batch.rows)
            if any(n in text for n in needles):
                batch.delete()
        PersonAccess.objects.create(
            municipality_id=locked.municipality_id,
            stakeholder=locked,
            user=user if getattr(user, "is_authenticated", False) else None,
            action=PersonAccess.Action.ERASE,
        )
    return locked
