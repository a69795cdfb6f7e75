"""The words of German municipal budgets that other apps may use: finance's public vocabulary.

Planning (and any app above finance) imports budget terms from here, never from ``finance.importing``:
statements and directions, product area names, the Land's budget scheme, and the reading of tables of
German numbers (balance sheets are uploaded like budget files). One seam: when the importer changes
inside, only this module follows.
"""

from finance.importing import ImportFileError, open_table
from finance.importing.numbers import NumberFormatError, detect_decimal_convention, parse_amount
from finance.importing.reference import (
    EXPENSE,
    FINANCIAL,
    RESULTS,
    REVENUE,
    BudgetScheme,
    product_area_name,
    scheme_for_land,
)

__all__ = [
    "EXPENSE",
    "FINANCIAL",
    "RESULTS",
    "REVENUE",
    "BudgetScheme",
    "ImportFileError",
    "NumberFormatError",
    "detect_decimal_convention",
    "open_table",
    "parse_amount",
    "product_area_name",
    "scheme_for_land",
]
