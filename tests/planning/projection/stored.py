"""Test helpers: read stored projection results per item and year through the selectors (the table holds
one row per item with every year as arrays, ``ProjectionItem``)."""

from __future__ import annotations

from planning.models import ProjectionItem, Scenario
from planning.projection.selectors import ResultRow, scenario_item_rows


def result_count() -> int:
    """Stored results (items x years) of every scenario."""
    return sum(len(bytes(cents)) // 8 for cents in ProjectionItem.objects.values_list("cents", flat=True))


def one_result(scenario: Scenario, product_code: str, year: int) -> ResultRow:
    """The single stored result of a product in a year (like ``QuerySet.get``: exactly one)."""
    rows = scenario_item_rows(scenario, years=[year], product_code=product_code)
    assert len(rows) == 1, rows
    return rows[0]
