"""Writes of coproduction: the dated parameter registry (audited), facilities, models, sources, and a
chosen model becoming a measure whose yearly effect is the model's net burden."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Municipality
from planning.coproduction.models import (
    DatedParameter,
    Facility,
    FinancingModel,
    FundingSource,
    ParameterChange,
)
from planning.engine.coproduction import SourceKind
from planning.engine.measures import EffectKind
from planning.measures import services as measure_services
from planning.measures.models import Measure, MeasureEffect
from stakeholders import selectors as stakeholder_selectors
from stakeholders import services as stakeholder_services
from stakeholders.models import Stakeholder


class CoproductionInputError(ValueError):
    """Input the registry or a model cannot take (a message for the user)."""


#: Demo and default values (DOMAIN.md, "Coproduction, financing models, dated parameters"). The minimum
#: wage (12.82 / 13.90 / 14.60 EUR/h from 2025 / 2026 / 2027) is the installation's default shadow wage in
#: the stakeholders registry (stakeholders migration 0002), not a row here.
DEFAULT_PARAMETERS: list[tuple[str, date, str, str]] = [
    (
        "discount_rate",
        date(2020, 1, 1),
        "0.033",
        "BMF-Rundschreiben zu Personalkostensätzen/Kalkulationszins (bis 2023)",
    ),
    ("discount_rate", date(2023, 7, 7), "0.009", "BMF-Rundschreiben vom 07.07.2023: 0,9 % nominal"),
    ("ehrenamtspauschale", date(2021, 1, 1), "840", "§ 3 Nr. 26a EStG: 840 EUR/Jahr bis 2025"),
    ("ehrenamtspauschale", date(2026, 1, 1), "960", "§ 3 Nr. 26a EStG: 960 EUR/Jahr ab 2026"),
    ("uebungsleiterpauschale", date(2021, 1, 1), "3000", "§ 3 Nr. 26 EStG: 3.000 EUR/Jahr bis 2025"),
    ("uebungsleiterpauschale", date(2026, 1, 1), "3300", "§ 3 Nr. 26 EStG: 3.300 EUR/Jahr ab 2026"),
]


def _decimal(raw: Any, label: str) -> Decimal:
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if "," in text:  # German: 1.234,56
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+", text):  # German thousands without decimals: 180.000
        text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CoproductionInputError(_("%(l)s: „%(v)s“ ist keine Zahl.") % {"l": label, "v": raw}) from exc
    if not value.is_finite():
        raise CoproductionInputError(_("%(l)s: „%(v)s“ ist keine Zahl.") % {"l": label, "v": raw})
    return value


def parse_year_amounts(text: str, years: Iterable[int], label: str) -> dict[str, str]:
    """ "180.000" (every year) or "2026=180.000; 2027=185.000" -> {"2026": "180000", ...}; checks years
    and that amounts are not negative."""
    years = list(years)
    text = (text or "").strip()
    if not text:
        return {}
    out: dict[str, str] = {}
    if "=" not in text:
        value = _decimal(text, label)
        if value < 0:
            raise CoproductionInputError(_("%(l)s: negative Beträge sind nicht möglich.") % {"l": label})
        return {str(y): str(value) for y in years}
    for part in re.split(r"[;\n]+", text):
        if not part.strip():
            continue
        if "=" not in part:
            raise CoproductionInputError(_("%(l)s: bitte „Jahr=Betrag; …“ angeben.") % {"l": label})
        year_text, value_text = (x.strip() for x in part.split("=", 1))
        if not year_text.isdigit() or int(year_text) not in years:
            raise CoproductionInputError(
                _("%(l)s: Jahr „%(y)s“ liegt nicht im Horizont %(a)s–%(b)s.")
                % {"l": label, "y": year_text, "a": years[0], "b": years[-1]}
            )
        value = _decimal(value_text, label)
        if value < 0:
            raise CoproductionInputError(_("%(l)s: negative Beträge sind nicht möglich.") % {"l": label})
        out[str(int(year_text))] = str(value)
    return out


# -- parameter registry -----------------------------------------------------------------------------------
@transaction.atomic
def parameter_set(
    *, municipality: Municipality, key: str, valid_from: date, value: Any, source: str, user: Any = None
) -> DatedParameter:
    """Set the value of a parameter from a date on (a new row or a change); every change is audited."""
    if key not in DatedParameter.Key.values:
        raise CoproductionInputError(_("Unbekannter Parameter „%(k)s“.") % {"k": key})
    if not (source or "").strip():
        raise CoproductionInputError(_("Bitte die Quelle des Wertes angeben."))
    value = _decimal(value, _("Wert"))
    if key == DatedParameter.Key.MINIMUM_WAGE:
        return _shadow_wage_set(municipality, valid_from, value, source.strip(), user)
    existing = (
        DatedParameter.objects.select_for_update()
        .filter(municipality=municipality, key=key, valid_from=valid_from)
        .first()
    )
    old = existing.value if existing else None
    if existing:
        existing.value, existing.source = value, source.strip()
        existing.save()
        param = existing
    else:
        param = DatedParameter.objects.create(
            municipality=municipality, key=key, valid_from=valid_from, value=value, source=source.strip()
        )
    if old != value or existing is None:
        ParameterChange.objects.create(
            municipality=municipality,
            key=key,
            valid_from=valid_from,
            old_value=old,
            new_value=value,
            source=source.strip(),
            changed_by=user if getattr(user, "is_authenticated", False) else None,
        )
    return param


def _shadow_wage_set(municipality, valid_from, value, source, user) -> DatedParameter:
    """The shadow wage goes to its one registry (stakeholders.ShadowWage), audited here like every
    parameter; returns an unsaved DatedParameter that describes the row (for the API's answer)."""
    # the audit's "old" value is what applied on that date before (the default, if no own rate yet)
    before = stakeholder_selectors.shadow_wage(municipality, valid_from)
    try:
        row, own_before = stakeholder_services.shadow_wage_set(
            municipality=municipality, valid_from=valid_from, eur_per_hour=value, source=source
        )
    except stakeholder_services.RegistryError as exc:
        raise CoproductionInputError(str(exc)) from exc
    if own_before is None or own_before != row.eur_per_hour:
        ParameterChange.objects.create(
            municipality=municipality,
            key=DatedParameter.Key.MINIMUM_WAGE,
            valid_from=valid_from,
            old_value=before.eur_per_hour if before else None,
            new_value=row.eur_per_hour,
            source=source,
            changed_by=user if getattr(user, "is_authenticated", False) else None,
        )
    return DatedParameter(
        municipality=municipality,
        key=DatedParameter.Key.MINIMUM_WAGE,
        valid_from=row.valid_from,
        value=row.eur_per_hour,
        source=row.source,
    )


@transaction.atomic
def parameter_delete(*, parameter: DatedParameter, user: Any = None) -> None:
    ParameterChange.objects.create(
        municipality=parameter.municipality,
        key=parameter.key,
        valid_from=parameter.valid_from,
        old_value=parameter.value,
        new_value=None,
        source=parameter.source,
        changed_by=user if getattr(user, "is_authenticated", False) else None,
    )
    parameter.delete()


def parameters_defaults_load(*, municipality: Municipality, user: Any = None) -> int:
    """Fill the registry with the documented values (only keys/dates not set yet), and make sure the
    installation's default shadow wages exist in their registry; returns how many were added."""
    added = stakeholder_services.shadow_wage_defaults_ensure()
    for key, valid_from, value, source in DEFAULT_PARAMETERS:
        if not DatedParameter.objects.filter(
            municipality=municipality, key=key, valid_from=valid_from
        ).exists():
            parameter_set(
                municipality=municipality,
                key=key,
                valid_from=valid_from,
                value=value,
                source=source,
                user=user,
            )
            added += 1
    return added


# -- facilities and models ----------------------------------------------------------------------------------
@transaction.atomic
def facility_create(*, municipality: Municipality, name: str, first_year: int, horizon: int = 10, **values):
    if Facility.objects.filter(municipality=municipality, name=name).exists():
        raise CoproductionInputError(_("Eine Einrichtung „%(n)s“ gibt es schon.") % {"n": name})
    if not 1 <= int(horizon) <= 40:
        raise CoproductionInputError(_("Der Horizont muss zwischen 1 und 40 Jahren liegen."))
    strategy = values.get("source_strategy")
    if strategy is not None and strategy.board.municipality_id != municipality.pk:
        raise CoproductionInputError(_("Die Strategie gehört nicht zu dieser Kommune."))
    return Facility.objects.create(
        municipality=municipality, name=name, first_year=first_year, horizon=horizon, **values
    )


@transaction.atomic
def model_create(*, facility: Facility, name: str, form: str, **values) -> FinancingModel:
    if form not in FinancingModel.Form.values:
        raise CoproductionInputError(_("Unbekannte Organisationsform „%(f)s“.") % {"f": form})
    if facility.models.filter(name=name).exists():
        raise CoproductionInputError(_("Ein Modell „%(n)s“ gibt es schon.") % {"n": name})
    return FinancingModel.objects.create(facility=facility, name=name, form=form, **values)


@transaction.atomic
def source_add(
    *,
    model: FinancingModel,
    name: str,
    kind: str,
    partner: str = "",
    amounts: Mapping[str, str] | None = None,
    hours: Mapping[str, str] | None = None,
    end_year: int | None = None,
    stakeholder: Stakeholder | None = None,
) -> FundingSource:
    """Add a source; its partner is an organisation of the registry (``stakeholder``, of the facility's
    municipality) or a free-text name (``partner``)."""
    if stakeholder is not None:
        _check_partner(model.facility.municipality, stakeholder)
        partner = stakeholder.name
    if kind not in SourceKind._value2member_map_:
        raise CoproductionInputError(_("Unbekannte Art der Finanzierung „%(k)s“.") % {"k": kind})
    if kind == SourceKind.VOLUNTEER_HOURS and not hours:
        raise CoproductionInputError(_("Ehrenamt: bitte Stunden je Jahr angeben."))
    if kind != SourceKind.VOLUNTEER_HOURS and hours:
        raise CoproductionInputError(_("Stunden gibt es nur beim Ehrenamt."))
    return FundingSource.objects.create(
        model=model,
        name=name,
        kind=kind,
        partner=partner,
        amounts=dict(amounts or {}),
        hours=dict(hours or {}),
        end_year=end_year,
        stakeholder=stakeholder,
    )


def _check_partner(municipality: Municipality, stakeholder: Stakeholder) -> None:
    if stakeholder.municipality_id != municipality.pk:
        raise CoproductionInputError(_("Der Akteur gehört nicht zu dieser Kommune."))
    if stakeholder.entity != Stakeholder.Entity.ORGANISATION:
        raise CoproductionInputError(
            _("Partner sind Organisationen; Personen bringen sich als Ehrenamtsstunden ein.")
        )


@transaction.atomic
def source_partner_set(*, source: FundingSource, stakeholder: Stakeholder | None) -> FundingSource:
    """Link a source's partner to an organisation of the registry (or unlink it: the name stays)."""
    if stakeholder is not None:
        _check_partner(source.model.facility.municipality, stakeholder)
        source.partner = stakeholder.name
    source.stakeholder = stakeholder
    source.save(update_fields=["partner", "stakeholder"])
    return source


@transaction.atomic
def model_to_measure(*, model: FinancingModel, user: Any = None) -> Measure:
    """The chosen model becomes (or updates) a measure whose effect per year is the model's net burden
    against providing the service alone: a negative net burden is a lower expense, a positive one a
    higher expense (one effect per year, as the burden changes from year to year)."""
    from planning.coproduction.selectors import model_result

    facility = model.facility
    result = model_result(model)
    FinancingModel.objects.filter(facility=facility).update(chosen=False)
    measure = model.measure
    if measure is None:
        measure = measure_services.measure_create(
            municipality=facility.municipality,
            title=(_("%(f)s: %(m)s") % {"f": facility.name, "m": model.name})[:200],
            goal=facility.description,
            product_code=facility.product_code,
            source_strategy=facility.source_strategy,
        )
    else:
        MeasureEffect.objects.filter(measure=measure).delete()
    for row in result.years:
        if not row.net_burden:
            continue
        measure_services.effect_add(
            measure=measure,
            kind=(EffectKind.LOWER_EXPENSE if row.net_burden < 0 else EffectKind.HIGHER_EXPENSE).value,
            amount=abs(row.net_burden),
            start_year=row.year,
            recurring=False,
            note=_("Nettobelastung des Modells „%(m)s“") % {"m": model.name},
        )
    model.chosen = True
    model.measure = measure
    model.save(update_fields=["chosen", "measure"])
    return measure
