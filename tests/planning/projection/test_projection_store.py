"""The projection store writes exactly the engine's cents and ratios, one row per item with every year as
arrays (binary COPY on PostgreSQL, ``bulk_create`` elsewhere), including negative amounts, values beyond a
float's 53 bits and zero; the readers (one item, one year, year totals, sums) return them to the cent."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from planning.engine.scenarios import project_scenarios
from planning.models import ProjectionItem, ProjectionYear
from planning.projection import binary_copy
from planning.projection.selectors import (
    ItemPaths,
    scenario_area_paths,
    scenario_group_paths,
    scenario_item_rows,
)
from planning.projection.services import RATIO_DECIMALS, projection_store, scenario_inputs_load
from tests.conftest import require_postgres
from tests.planning.projection.test_projection_service import COUNTS, HAND_LINES, YEARS, hand_scenario  # noqa: F401

pytestmark = pytest.mark.django_db

ODD_CENTS = [
    [0, 1, -1, 99, -99],
    [100, -100, 999_999, -1_000_000, 123_456_789_012],
    [9_999_999_999_999_999, -9_999_999_999_999_999, 10_000, -10_001, 2**62],
]


def _outputs(scenario, cents=None):
    loaded, errors = scenario_inputs_load([scenario])
    assert not errors
    outputs = project_scenarios(loaded)
    if cents is not None:
        outputs[0].cents = np.array(cents, dtype=np.int64)
    return outputs


def _stored(scenario) -> dict[tuple[str, int], tuple[Decimal, float, str, str]]:
    return {
        (r.product_code, r.year): (r.amount, r.demographic_ratio, r.driver, r.direction)
        for r in scenario_item_rows(scenario)
    }


def _years(scenario) -> dict[int, tuple]:
    return {
        y.year: (y.revenue, y.expense, y.balance, y.population, y.price_index)
        for y in ProjectionYear.objects.filter(scenario=scenario)
    }


def _expected(output) -> dict[tuple[str, int], tuple[Decimal, float, str, str]]:
    e = output.inputs
    return {
        (item[2], year): (
            Decimal(int(output.cents[j, t])).scaleb(-2),
            round(float(output.ratio[j, t]), RATIO_DECIMALS),
            e.drivers[j],
            item[4],
        )
        for j, item in enumerate(e.items)
        for t, year in enumerate(e.years)
    }


@pytest.mark.parametrize("cents", [None, ODD_CENTS], ids=["engine", "odd-cents"])
def test_stored_results_equal_the_engine_to_the_cent(hand_scenario, cents):  # noqa: F811
    outputs = _outputs(hand_scenario, cents)
    assert projection_store(outputs) == 15
    stored = _stored(hand_scenario)
    assert stored == _expected(outputs[0])
    if cents is not None:
        assert {a for a, *_ in stored.values()} >= {
            Decimal("-0.01"),
            Decimal("-99999999999999.99"),
            Decimal("46116860184273879.04"),
        }


def test_binary_copy_and_bulk_create_store_the_same_rows(hand_scenario):  # noqa: F811
    require_postgres()  # binary COPY needs PostgreSQL (skips on a laptop, fails in CI)
    outputs = _outputs(hand_scenario, ODD_CENTS)
    projection_store(outputs, use_copy=True)
    copied = _stored(hand_scenario), _years(hand_scenario)
    projection_store(outputs, use_copy=False)
    assert (_stored(hand_scenario), _years(hand_scenario)) == copied
    items = outputs[0].inputs.items
    balance = sum(c[-1] if item[4] == "revenue" else -c[-1] for item, c in zip(items, ODD_CENTS, strict=True))
    assert copied[1][YEARS[-1]][2] == Decimal(balance).scaleb(-2)


def test_one_row_per_item_holds_every_year(hand_scenario):  # noqa: F811
    outputs = _outputs(hand_scenario, ODD_CENTS)
    projection_store(outputs)
    rows = ProjectionItem.objects.filter(scenario=hand_scenario)
    assert rows.count() == 3  # items, not items x years
    by_product = {row.product_code: row for row in rows}
    e = outputs[0].inputs
    for j, item in enumerate(e.items):
        row = by_product[item[2]]
        assert row.years == YEARS
        assert row.cents_array.tolist() == ODD_CENTS[j]
        assert row.ratio_array.tolist() == outputs[0].ratio[j].round(RATIO_DECIMALS).tolist()


@pytest.mark.parametrize("cents", [None, ODD_CENTS], ids=["engine", "odd-cents"])
def test_reads_of_one_item_one_year_and_totals_are_exact(hand_scenario, cents):  # noqa: F811
    outputs = _outputs(hand_scenario, cents)
    projection_store(outputs)
    expected = _expected(outputs[0])
    e = outputs[0].inputs
    # one item, one year
    for item in e.items:
        for year in (YEARS[0], YEARS[3]):
            (row,) = scenario_item_rows(hand_scenario, years=[year], product_code=item[2])
            assert (row.year, row.product_code) == (year, item[2])
            assert (row.amount, row.demographic_ratio, row.driver, row.direction) == expected[(item[2], year)]
    # one year of every item, in item order
    assert [r.amount for r in scenario_item_rows(hand_scenario, years=[YEARS[1]])] == [
        expected[(r.product_code, YEARS[1])][0] for r in scenario_item_rows(hand_scenario, years=[YEARS[1]])
    ]
    # year totals: the stored ProjectionYear rows add up the stored cents, and the area paths agree
    engine = outputs[0].cents.astype(object)
    revenue = sum(engine[j] for j, item in enumerate(e.items) if item[4] == "revenue")
    expense = sum(engine[j] for j, item in enumerate(e.items) if item[4] == "expense")
    years = {y.year: y for y in ProjectionYear.objects.filter(scenario=hand_scenario)}
    paths = scenario_area_paths(hand_scenario)
    for t, year in enumerate(YEARS):
        exact = Decimal(int(revenue[t])).scaleb(-2), Decimal(int(expense[t])).scaleb(-2)
        assert sum(v[year] for (_a, d), v in paths.items() if d == "revenue") == exact[0]
        assert sum(v[year] for (_a, d), v in paths.items() if d == "expense") == exact[1]
        if cents is None or connection.vendor == "postgresql":  # SQLite keeps ~15 digits of a decimal
            assert (years[year].revenue, years[year].expense) == exact
    _years, groups, amounts = scenario_group_paths(hand_scenario)
    assert dict(zip(groups, amounts[:, 4].tolist(), strict=True)) == {
        (item[3], item[4]): int(engine[j][4]) / 100 for j, item in enumerate(e.items)
    }


def test_sums_beyond_int64_stay_exact():
    paths = ItemPaths(
        years=[2024, 2025],
        items=[("06", "06.01", "060101", "53", "expense"), ("06", "06.02", "060201", "53", "expense")],
        drivers=["kita", "kita"],
        cents=np.array([[2**62, -1], [2**62, -(2**62)]], dtype=np.int64),
        ratios=np.ones((2, 2)),
    )
    keys, sums = paths.group_sums(lambda item, _driver: item[3])
    assert keys == ["53"]
    assert [int(v) for v in sums[0]] == [2**63, -(2**62) - 1]


def test_binary_tuples_have_one_record_per_item():
    items = [("06", "06.01", "060101", "53", "expense"), ("16", "16.01", "1601ü", "40", "revenue")]
    chunks = binary_copy.item_tuples(
        scenario_id=7,
        first_year=2024,
        items=items,
        drivers=["kita", "keine"],
        cents=np.array([[1, -2], [3, 4]]),
        ratio=np.ones((2, 2)),
    )
    data = b"".join(chunks)
    # 2 items (not items x years); each tuple starts with the field count 10 and the scenario id
    head = b"\x00\x0a\x00\x00\x00\x08" + (7).to_bytes(8, "big")
    head += b"\x00\x00\x00\x02" + (2024).to_bytes(2, "big")
    assert data.count(head) == 2
    # the cents of an item as one bytea of little-endian int64, one per year
    assert (16).to_bytes(4, "big") + np.array([1, -2], dtype="<i8").tobytes() in data
    assert "1601ü".encode() in data
