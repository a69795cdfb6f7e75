"""Projection results as a PostgreSQL binary COPY stream, built from the engine's arrays in bulk.

One COPY tuple per budget item of a scenario (``ProjectionItem``): the scenario, the first year, the
item's exact cents and its demographic ratios as ``bytea`` (packed little-endian int64 / float64, one
value per year), then the item's text fields. Every tuple of a scenario is one record of a numpy
structured array laid out exactly as PostgreSQL's binary COPY tuple (field count, then per field a
4-byte big-endian length and the value), so ``tobytes()`` is the stream; no Python runs per row or per
value. Items whose text fields have the same byte length share one array (a record type needs a fixed
size), so a scenario is a handful of arrays.

``bytea`` in binary COPY is the raw bytes, so the cents go through as the engine computed them: no
decimal conversion, no float.

Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

COLUMNS = (
    "scenario_id",
    "first_year",
    "cents",
    "ratios",
    "area",
    "product_group",
    "product_code",
    "account_group",
    "direction",
    "driver",
)
CENTS = np.dtype("<i8")  # the stored byte order (ProjectionItem.CENTS_DTYPE)
RATIOS = np.dtype("<f8")


def _text(value: str) -> bytes:
    data = value.encode()
    return len(data).to_bytes(4, "big") + data


def _fixed_record(n_years: int) -> np.dtype:
    """The fixed-size head of a tuple: scenario, first year, cents and ratios of every year."""
    return np.dtype(
        [
            ("fields", ">i2"),
            ("id_len", ">i4"),
            ("id", ">i8"),
            ("year_len", ">i4"),
            ("year", ">i2"),
            ("cents_len", ">i4"),
            ("cents", CENTS, (n_years,)),
            ("ratios_len", ">i4"),
            ("ratios", RATIOS, (n_years,)),
        ]
    )


@lru_cache(maxsize=65_536)
def _item_text(item: tuple[str, ...], driver: str) -> bytes:
    """The text fields of an item (in a batch, the same in most municipalities)."""
    return b"".join(_text(value) for value in (*item, driver))


def item_tuples(
    *,
    scenario_id: int,
    first_year: int,
    items: Sequence[tuple[str, str, str, str, str]],
    drivers: Sequence[str],
    cents: np.ndarray,
    ratio: np.ndarray,
) -> list[bytes]:
    """The COPY tuples (without signature and trailer) of one scenario's (J, T+1) results, one per item,
    grouped by the byte length of the items' text; ``items`` are (area, group, product, account group,
    direction)."""
    cents = np.asarray(cents, dtype=np.int64)
    n_items, n_years = cents.shape
    if n_items == 0:
        return []
    head = np.zeros((), dtype=_fixed_record(n_years))
    head["fields"], head["id_len"], head["id"] = len(COLUMNS), 8, scenario_id
    head["year_len"], head["year"] = 2, first_year
    head["cents_len"] = head["ratios_len"] = 8 * n_years
    fixed = np.full(n_items, head)
    fixed["cents"] = cents
    fixed["ratios"] = ratio
    size = fixed.dtype.itemsize
    fixed_bytes = fixed.view(np.uint8).reshape(n_items, size)
    texts = [_item_text(tuple(item), driver) for item, driver in zip(items, drivers, strict=True)]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_items)
    chunks = []
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        tuples = np.empty((rows.size, size + int(length)), dtype=np.uint8)
        tuples[:, :size] = fixed_bytes[rows]
        text = np.frombuffer(b"".join(texts[j] for j in rows), dtype=np.uint8)
        tuples[:, size:] = text.reshape(rows.size, -1)
        chunks.append(tuples.tobytes())
    return chunks
