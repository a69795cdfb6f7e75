"""The audit log: who changed what and when. Services call ``record`` explicitly (no signals).

    from core import audit
    audit.record(action="scenario.updated", municipality=m, actor=user, target=scenario,
                 changes={"horizon": [15, 20]})

Every app registers readable labels for its action keys in ``AppConfig.ready()``
(``audit.register_actions({"scenario.updated": _("Szenario geändert")})``), so that the log page never
shows a raw key; an unregistered key is shown as "Änderung (key)".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry, Municipality

_labels: dict[str, Any] = {
    "municipality.created": _("Kommune angelegt"),
    "municipality.updated": _("Kommune geändert"),
    "membership.created": _("Mitglied aufgenommen"),
    "membership.role_changed": _("Rolle geändert"),
    "membership.deactivated": _("Mitglied deaktiviert"),
    "invitation.created": _("Einladung erstellt"),
    "invitation.accepted": _("Einladung angenommen"),
    "invitation.revoked": _("Einladung widerrufen"),
    # keys of other apps, registered here until they register their own (budgets, scenarios, measures,
    # boards); written by finance.services, planning.projection.services, planning.measures.services and
    # swot.services (boards, tows)
    "budget.imported": _("Haushaltsdaten importiert"),
    "budget.status_changed": _("Status der Haushaltsversion geändert"),
    "budget.deleted": _("Haushaltsdaten gelöscht"),
    "scenario.created": _("Szenario angelegt"),
    "scenario.updated": _("Szenario geändert"),
    "scenario.deleted": _("Szenario gelöscht"),
    "measure.created": _("Maßnahme angelegt"),
    "measure.updated": _("Maßnahme geändert"),
    "measure.status_changed": _("Status der Maßnahme geändert"),
    "measure.deleted": _("Maßnahme gelöscht"),
    "board.created": _("SWOT-Board angelegt"),
    "board.updated": _("SWOT-Board geändert"),
    "board.phase_changed": _("Phase des SWOT-Boards gewechselt"),
    "board.revealed": _("Karten des SWOT-Boards aufgedeckt"),
    "board.deleted": _("SWOT-Board gelöscht"),
}


def register_actions(labels: dict[str, Any]) -> None:
    """Readable (translatable) labels for action keys."""
    _labels.update(labels)


def action_label(action: str) -> str:
    label = _labels.get(action)
    return str(label) if label is not None else str(_("Änderung (%(key)s)") % {"key": action})


def _plain(value: Any) -> Any:
    """JSON-safe values for ``changes``."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def record(
    *,
    action: str,
    municipality: Municipality | None = None,
    actor=None,
    target: models.Model | None = None,
    target_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry. Call it inside the service's transaction, so that the entry and the change
    are stored together or not at all. ``actor`` None means the system (demo loader, command line)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        municipality=municipality,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:300],
        changes={key: [_plain(old), _plain(new)] for key, (old, new) in (changes or {}).items()},
    )


def diff(instance: models.Model, new_values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (old, new)} for the fields whose value changes."""
    return {
        name: (getattr(instance, name), value)
        for name, value in new_values.items()
        if getattr(instance, name) != value
    }


def _field(entry: AuditEntry, name: str):
    from django.apps import apps

    model_label = {"role": "core.membership"}.get(name, entry.target_type)
    try:
        return apps.get_model(model_label)._meta.get_field(name) if model_label else None
    except (LookupError, ValueError, FieldDoesNotExist):  # unknown model or field: show the plain key
        return None


def change_lines(entry: AuditEntry) -> list[str]:
    """Readable "Feld: alt → neu" lines of an entry, field names and choice values in the active language."""
    lines = []
    for name, pair in (entry.changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        field = _field(entry, name)
        label = str(field.verbose_name) if field is not None else name
        choices = dict(field.flatchoices) if field is not None and field.choices else {}

        def show(value, choices=choices):
            if value in (None, ""):
                return "–"
            return str(choices.get(value, value))

        lines.append(
            f"{label}: {show(old)} → {show(new)}" if old not in (None, "") else f"{label}: {show(new)}"
        )
    return lines
