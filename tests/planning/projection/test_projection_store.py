"""The projection store writes exactly the engine's cents and ratios: binary COPY on PostgreSQL,
``bulk_create`` elsewhere, including negative amounts, values with many base-10000 digits and zero."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from planning.engine.scenarios import project_scenarios
from planning.models import ProjectionResult
from planning.projection import binary_copy
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
        for r in ProjectionResult.objects.filter(scenario=scenario)
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
    copied = _stored(hand_scenario)
    projection_store(outputs, use_copy=False)
    assert _stored(hand_scenario) == copied


def test_binary_tuples_have_one_record_per_row():
    items = [("06", "06.01", "060101", "53", "expense"), ("16", "16.01", "1601ü", "40", "revenue")]
    chunks = binary_copy.result_tuples(
        scenario_id=7,
        years=[2024, 2025],
        items=items,
        drivers=["kita", "keine"],
        cents=np.array([[1, -2], [3, 4]]),
        ratio=np.ones((2, 2)),
    )
    data = b"".join(chunks)
    # 2 items x 2 years; each tuple starts with the field count 10 (two bytes, big-endian)
    assert data.count(b"\x00\x0a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x07") == 4
    assert "1601ü".encode() in data
