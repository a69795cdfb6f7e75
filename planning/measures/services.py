"""Writes of measures, their effects, indicators and actuals (``<noun>_<verb>``, atomic).

Measures use the same optimistic concurrency as scenarios: every change raises ``revision`` by one, and an
edit based on an older revision is refused (409 in the API, a message in the form) instead of silently
overwriting somebody else's change. Every change (also of an effect) moves ``updated_at``: a scenario
computed before that shows that its projection is out of date (planning.projection decides).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import Municipality
from planning.measures.models import Measure, MeasureEffect, MeasureIndicator, MeasureIndicatorActual

MEASURE_FIELDS = (
    "title",
    "goal",
    "owner",
    "deadline",
    "status",
    "area",
    "product_code",
    "account_group",
    "district",
    "source_strategy",
)


class MeasureError(ValueError):
    """Input a measure cannot take (a message for the user)."""


class MeasureConflict(MeasureError):
    """The measure changed since the editor loaded it."""

    def __init__(self, current: Measure):
        self.current = current
        super().__init__(
            _(
                "Die Maßnahme wurde inzwischen geändert (jetzt Revision %(rev)s, %(when)s). Ihre Eingaben "
                "sind erhalten; erneut speichern übernimmt sie in die aktuelle Fassung."
            )
            % {"rev": current.revision, "when": formats.localize(timezone.localtime(current.updated_at))}
        )


def _check_strategy(municipality: Municipality, values: Mapping[str, Any]) -> None:
    strategy = values.get("source_strategy")
    if strategy is not None and strategy.board.municipality_id != municipality.pk:
        raise MeasureError(_("Die Strategie gehört nicht zu dieser Kommune."))


def _check_district(municipality: Municipality, values: Mapping[str, Any]) -> None:
    district = values.get("district")
    if district is not None and district.municipality_id != municipality.pk:
        raise MeasureError(_("Der Sozialraum gehört nicht zu dieser Kommune."))


def _check_title(municipality: Municipality, title: str, exclude: int | None = None) -> None:
    if not (title or "").strip():
        raise MeasureError(_("Bitte einen Titel angeben."))
    qs = Measure.objects.filter(municipality=municipality, title=title.strip())
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise MeasureError(_("Eine Maßnahme „%(t)s“ gibt es schon.") % {"t": title})


@transaction.atomic
def measure_create(
    *, municipality: Municipality, title: str, effects: Iterable[Mapping] = (), actor=None, **values
):
    _check_title(municipality, title)
    _check_strategy(municipality, values)
    _check_district(municipality, values)
    unknown = set(values) - set(MEASURE_FIELDS) - {"swot_measure"}
    if unknown:
        raise MeasureError(_("Unbekannte Felder: %(f)s") % {"f": ", ".join(sorted(unknown))})
    measure = Measure.objects.create(municipality=municipality, title=title.strip(), **values)
    audit.record(action="measure.created", municipality=municipality, actor=actor, target=measure)
    for effect in effects:
        effect_add(measure=measure, **effect)
    return measure


@transaction.atomic
def measure_update(
    *, measure: Measure, expected_revision: int | None = None, actor=None, **values: Any
) -> Measure:
    """Change a measure; refused with :class:`MeasureConflict` if it changed since ``expected_revision``."""
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise MeasureConflict(locked)
    unknown = set(values) - set(MEASURE_FIELDS)
    if unknown:
        raise MeasureError(_("Unbekannte Felder: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "title" in values:
        _check_title(locked.municipality, values["title"], exclude=locked.pk)
        values["title"] = values["title"].strip()
    _check_strategy(locked.municipality, values)
    _check_district(locked.municipality, values)
    changed = [k for k, v in values.items() if getattr(locked, k) != v]
    if changed:
        audit.record(
            action="measure.status_changed" if changed == ["status"] else "measure.updated",
            municipality=locked.municipality, actor=actor, target=locked,
            changes={k: (getattr(locked, k), values[k]) for k in changed},
        )
        for key in changed:
            setattr(locked, key, values[key])
        locked.revision += 1
        locked.save()
    return locked


def measure_status_set(
    *, measure: Measure, status: str, expected_revision: int | None = None, actor=None
) -> Measure:
    if status not in Measure.Status.values:
        raise MeasureError(_("Unbekannter Status „%(s)s“.") % {"s": status})
    return measure_update(measure=measure, expected_revision=expected_revision, status=status, actor=actor)


@transaction.atomic
def measure_delete(*, measure: Measure, actor=None) -> None:
    audit.record(action="measure.deleted", municipality=measure.municipality, actor=actor, target=measure)
    measure.delete()


def _decimal(value: Any, label: str) -> Decimal:
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:  # German: 1.234,56
        text = text.replace(".", "").replace(",", ".")
    try:
        result = Decimal(text)
        if not result.is_finite():
            raise InvalidOperation
        return result
    except (InvalidOperation, AttributeError) as exc:
        raise MeasureError(_("%(l)s: keine Zahl („%(v)s“).") % {"l": label, "v": value}) from exc


@transaction.atomic
def effect_add(
    *,
    measure: Measure,
    kind: str,
    amount: Any,
    start_year: int,
    recurring: bool = True,
    end_year: int | None = None,
    account_group: str = "",
    note: str = "",
) -> MeasureEffect:
    if kind not in {c[0] for c in MeasureEffect._meta.get_field("kind").choices}:
        raise MeasureError(_("Unbekannte Art der Wirkung „%(k)s“.") % {"k": kind})
    amount = _decimal(amount, _("Betrag"))
    if amount < 0:
        raise MeasureError(_("Der Betrag ist positiv; die Art sagt, ob er entlastet oder belastet."))
    if end_year is not None and end_year < start_year:
        raise MeasureError(_("Das Endjahr liegt vor dem Startjahr."))
    effect = MeasureEffect.objects.create(
        measure=measure,
        kind=kind,
        amount=amount,
        start_year=int(start_year),
        recurring=bool(recurring),
        end_year=end_year,
        account_group=account_group or "",
        note=note or "",
    )
    _touch(measure)
    return effect


@transaction.atomic
def effect_delete(*, effect: MeasureEffect) -> None:
    measure = effect.measure
    effect.delete()
    _touch(measure)


def _touch(measure: Measure) -> None:
    Measure.objects.filter(pk=measure.pk).update(revision=F("revision") + 1, updated_at=timezone.now())
    measure.refresh_from_db(fields=["revision", "updated_at"])


@transaction.atomic
def indicator_create(
    *,
    measure: Measure,
    name: str,
    kind: str = MeasureIndicator.Kind.OUTPUT,
    unit: str = "",
    direction: str = MeasureIndicator.Direction.HIGHER,
    baseline: Any = None,
    baseline_year: int | None = None,
    targets: Mapping[Any, Any] | None = None,
) -> MeasureIndicator:
    if not (name or "").strip():
        raise MeasureError(_("Bitte einen Namen der Kennzahl angeben."))
    if kind not in MeasureIndicator.Kind.values:
        raise MeasureError(_("Unbekannter Typ „%(k)s“ (input, output, outcome, impact).") % {"k": kind})
    clean_targets = {}
    for year, value in (targets or {}).items():
        try:
            y = int(year)
        except (TypeError, ValueError) as exc:
            raise MeasureError(_("Zieljahr „%(y)s“ ist keine Jahreszahl.") % {"y": year}) from exc
        clean_targets[str(y)] = str(_decimal(value, _("Zielwert %(y)s") % {"y": y}))
    return MeasureIndicator.objects.create(
        measure=measure,
        name=name.strip(),
        kind=kind,
        unit=unit or "",
        direction=direction,
        baseline=None if baseline in (None, "") else _decimal(baseline, _("Ausgangswert")),
        baseline_year=baseline_year,
        targets=clean_targets,
    )


@transaction.atomic
def indicator_actual_set(
    *, indicator: MeasureIndicator, day: date, value: Any, note: str = ""
) -> MeasureIndicatorActual:
    actual, _created = MeasureIndicatorActual.objects.update_or_create(
        indicator=indicator, date=day, defaults={"value": _decimal(value, _("Istwert")), "note": note or ""}
    )
    return actual


@transaction.atomic
def measure_from_strategy(*, strategy, title: str | None = None, **values: Any) -> Measure:
    """A TOWS strategy becomes a measure (the link is kept in ``source_strategy``)."""
    municipality = strategy.board.municipality
    return measure_create(
        municipality=municipality,
        title=title or strategy.title[:200],
        goal=values.pop("goal", strategy.description),
        source_strategy=strategy,
        **values,
    )
