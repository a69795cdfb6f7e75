"""Demo of the report's path (registered after the resilience demo): the Herten SWOT board's TOWS strategy
"Soziokulturelles Zentrum als Koproduktion" -> a facility with two financing models -> the chosen one as
a measure with indicators -> a scenario "Basis mit Soziokulturellem Zentrum" with that measure, computed,
and a resilience check of it (status quo against with measure).

Idempotent: what exists (by name) is left alone; figures are illustrative, not Herten's real budget.
"""

from __future__ import annotations

import logging
from datetime import date

from django.contrib.auth import get_user_model

from core.models import Municipality
from planning.coproduction import services
from planning.coproduction.models import Facility
from planning.measures import services as measure_services
from planning.measures.models import Measure
from planning.models import Scenario

logger = logging.getLogger(__name__)

STRATEGY_TITLE = "Soziokulturelles Zentrum als Koproduktion"
FACILITY_NAME = "Soziokulturelles Zentrum Innenstadt"
SCENARIO_NAME = "Basis mit Soziokulturellem Zentrum"


def _strategy(municipality: Municipality):
    """The TOWS strategy on the Herten board (created once through the SWOT services), or None."""
    from swot import services as swot_services
    from swot.access import actor_for_user
    from swot.demo import DEMO_TITLE, FACILITATOR_USERNAME
    from swot.models import Board, Phase, Strategy

    board = Board.objects.filter(municipality=municipality, title=DEMO_TITLE).first()
    user = get_user_model().objects.filter(username=FACILITATOR_USERNAME).first()
    if board is None or user is None:
        return None
    existing = Strategy.objects.filter(board=board, title=STRATEGY_TITLE, deleted_at=None).first()
    if existing:
        return existing
    actor = actor_for_user(board, user)
    cards = {q: board.cards.filter(quadrant=q).first() for q in ("W", "O")}
    if actor is None or not actor.is_facilitator or None in cards.values():
        return None
    if board.phase != Phase.DERIVE:
        swot_services.board_set_phase(board_id=board.pk, actor=actor, phase=Phase.DERIVE)
    strategy = swot_services.strategy_create(
        board_id=board.pk,
        actor=actor,
        title=STRATEGY_TITLE,
        card_ids=[cards["W"].pk, cards["O"].pk],
    )
    swot_services.strategy_select(board_id=board.pk, actor=actor, strategy_id=strategy.pk)
    return strategy


def _organisation(municipality: Municipality, name_start: str):
    """The stakeholders demo's organisation whose name starts so (the registry's AWO, Caritas), or None."""
    from stakeholders.models import Stakeholder

    return (
        Stakeholder.objects.for_municipality(municipality)
        .organisations()
        .filter(name__startswith=name_start)
        .first()
    )


def _years_amounts(first: int, n: int, value: str) -> dict[str, str]:
    return {str(y): value for y in range(first, first + n)}


def load_coproduction_demo(municipality: Municipality) -> None:
    services.parameters_defaults_load(municipality=municipality)
    base = Scenario.objects.filter(municipality=municipality, name="Basis").first()
    first = (base.base_year + 1) if base else date.today().year
    strategy = _strategy(municipality)
    facility = Facility.objects.filter(municipality=municipality, name=FACILITY_NAME).first()
    if facility is None:
        n = 10
        facility = services.facility_create(
            municipality=municipality,
            name=FACILITY_NAME,
            description=(
                "Begegnung, Beratung und Kultur unter einem Dach in der Innenstadt, gemeinsam mit "
                "Wohlfahrtsverbänden, Vereinen und Ehrenamtlichen (DeWaK-Bericht)."
            ),
            first_year=first,
            horizon=n,
            baseline=_years_amounts(first, n, "520000"),
            product_code="060101",
            source_strategy=strategy,
        )
        own = services.model_create(
            facility=facility,
            name="Kommunaler Regiebetrieb",
            form="municipal",
            running_costs=_years_amounts(first, n, "520000"),
            note="Die Stadt betreibt das Zentrum allein (Vergleichsmaßstab).",
        )
        services.source_add(
            model=own,
            name="Haushalt der Stadt",
            kind="municipal_budget",
            amounts=_years_amounts(first, n, "490000"),
        )
        services.source_add(
            model=own, name="Teilnahmeentgelte", kind="fees", amounts=_years_amounts(first, n, "30000")
        )
        coop = services.model_create(
            facility=facility,
            name="Trägerverein mit Wohlfahrtsverbänden",
            form="association",
            running_costs=_years_amounts(first, n, "560000"),
            one_off_costs={str(first): "150000"},
            synergies=_years_amounts(first, n, "60000"),
            note=(
                "AWO, Caritas und Bürgerverein tragen das Zentrum als Verein; "
                "gemeinsame Räume und Verwaltung."
            ),
        )
        services.source_add(
            model=coop,
            name="Zuschuss der Stadt",
            kind="municipal_budget",
            amounts={**_years_amounts(first, n, "210000"), str(first): "300000"},
        )
        services.source_add(
            model=coop,
            name="Landesförderung Quartiersarbeit",
            kind="grant",
            amounts=_years_amounts(first, n, "120000"),
            end_year=first + 4,
        )
        services.source_add(
            model=coop,
            name="Räume und Personal der AWO",
            kind="partner_in_kind",
            partner="AWO",
            stakeholder=_organisation(municipality, "AWO"),
            amounts=_years_amounts(first, n, "70000"),
        )
        services.source_add(
            model=coop,
            name="Beitrag der Caritas",
            kind="partner_cash",
            partner="Caritas",
            stakeholder=_organisation(municipality, "Caritas"),
            amounts=_years_amounts(first, n, "30000"),
        )
        services.source_add(
            model=coop, name="Ehrenamt", kind="volunteer_hours", hours=_years_amounts(first, n, "4000")
        )
        services.source_add(
            model=coop, name="Teilnahmeentgelte", kind="fees", amounts=_years_amounts(first, n, "45000")
        )
        services.source_add(
            model=coop, name="Spenden", kind="donations", amounts=_years_amounts(first, n, "15000")
        )
        measure = services.model_to_measure(model=coop)
        measure_services.measure_update(
            measure=measure,
            owner="Amt für Soziales und Wohnen",
            deadline=date(first, 12, 31),
            status="running",
        )
        visits = {str(y): str(8000 + 1000 * (y - first)) for y in range(first, first + 4)}
        measure_services.indicator_create(
            measure=measure,
            name="Besuche im Zentrum je Jahr",
            kind="output",
            unit="Besuche",
            baseline="0",
            baseline_year=first - 1,
            targets=visits,
        )
        measure_services.indicator_create(
            measure=measure,
            name="Ehrenamtsstunden je Jahr",
            kind="input",
            unit="Stunden",
            targets=_years_amounts(first, 4, "4000"),
        )
        measure_services.indicator_create(
            measure=measure,
            name="Anteil Teilnehmende aus Haushalten mit SGB-II-Bezug",
            kind="outcome",
            unit="%",
            baseline="12",
            targets={str(first + 1): "20", str(first + 3): "25"},
        )
    measure = Measure.objects.filter(municipality=municipality, financing_model__facility=facility).first()
    if base is None or measure is None:
        return
    _scenario_with_measure(municipality, base, measure)


def _scenario_with_measure(municipality: Municipality, base: Scenario, measure: Measure) -> None:
    from planning.projection.services import (
        ProjectionError,
        projection_run,
        scenario_create,
        scenario_measures_set,
    )
    from planning.resilience.selectors import ResilienceInputError
    from planning.resilience.services import resilience_run_create, resilience_run_execute

    scenario = Scenario.objects.filter(municipality=municipality, name=SCENARIO_NAME).first()
    if scenario is None:
        scenario = scenario_create(
            municipality=municipality,
            name=SCENARIO_NAME,
            description="Wie „Basis“, mit dem Soziokulturellen Zentrum als Koproduktion (Maßnahme).",
            budget_version=base.budget_version,
            base_year=base.base_year,
            population=base.population,
            horizon=base.horizon,
        )
        scenario = scenario_measures_set(scenario=scenario, measures=[measure])
    try:
        if scenario.computed_at is None:
            scenario = projection_run(scenario=scenario)
        run = resilience_run_create(municipality=municipality, scenario=scenario.pk, n_paths=2000, seed=2024)
        resilience_run_execute(run_id=run.pk)
    except (ProjectionError, ResilienceInputError) as exc:
        logger.warning("coproduction demo: %s", exc)
