"""Projection results as a PostgreSQL binary COPY stream, built from the engine's arrays in bulk.

The store step used to format one text line per result row in Python (3.7 million f-strings for the
NRW batch, most of its 25 s). Here every row of a scenario is one record of a numpy structured array
with big-endian fields laid out exactly as PostgreSQL's binary COPY tuple (field count, then per field
a 4-byte length and the value), so ``tobytes()`` is the stream; no Python runs per row.

Columns are sent in ``COLUMNS`` order: the fixed-size ones first (scenario, year, amount, ratio), then the
item's text fields, which are the same for every year of an item. Items whose text fields have the same
byte length share one array (a record type needs a fixed size), so a scenario is a handful of arrays.

Amounts are ``numeric``: the binary form is base-10000 digits (``ndigits, weight, sign, dscale`` and the
digits). Every amount of a scenario is written with the same number of digits (leading zeros, which
PostgreSQL strips on input, as it does trailing ones), from the engine's exact integer cents: the cents
go into the last digit (``cents % 100 * 100``), the whole euros into the others. No float is involved.

Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4 and ``numeric_recv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = b"\xff\xff"
COLUMNS = (
    "scenario_id",
    "year",
    "amount",
    "demographic_ratio",
    "area",
    "product_group",
    "product_code",
    "account_group",
    "direction",
    "driver",
)
NBASE = 10_000
NUMERIC_POS, NUMERIC_NEG = 0x0000, 0x4000
CENT_SCALE = 2


def _text(value: str) -> bytes:
    data = value.encode()
    return len(data).to_bytes(4, "big") + data


def _whole_groups(max_cents: int) -> int:
    """Base-10000 digits needed for the whole euros of the largest amount (at least one)."""
    whole, groups = max_cents // 100, 1
    while whole >= NBASE:
        whole //= NBASE
        groups += 1
    return groups


def _fixed_record(groups: int) -> np.dtype:
    """The fixed-size head of a tuple: scenario, year, amount (whole-euro digits + cents), ratio."""
    return np.dtype(
        [
            ("fields", ">i2"),
            ("id_len", ">i4"),
            ("id", ">i8"),
            ("year_len", ">i4"),
            ("year", ">i2"),
            ("amount_len", ">i4"),
            ("ndigits", ">i2"),
            ("weight", ">i2"),
            ("sign", ">u2"),
            ("dscale", ">u2"),
            ("digits", ">i2", (groups + 1,)),
            ("ratio_len", ">i4"),
            ("ratio", ">f8"),
        ]
    )


@lru_cache(maxsize=65_536)
def _item_text(item: tuple[str, ...], driver: str) -> bytes:
    """The text fields of an item (the same in every year and, in a batch, in most municipalities)."""
    return b"".join(_text(value) for value in (*item, driver))


def result_tuples(
    *,
    scenario_id: int,
    years: Sequence[int],
    items: Sequence[tuple[str, str, str, str, str]],
    drivers: Sequence[str],
    cents: np.ndarray,
    ratio: np.ndarray,
) -> list[bytes]:
    """The COPY tuples (without signature and trailer) of one scenario's (J, T+1) results, grouped by the
    byte length of the items' text; ``items`` are (area, group, product, account group, direction)."""
    cents = np.asarray(cents, dtype=np.int64)
    n_items, n_years = cents.shape
    if n_items == 0:
        return []
    if cents.min() == np.iinfo(np.int64).min:
        raise OverflowError("amount out of range")
    magnitude = np.abs(cents)
    groups = _whole_groups(int(magnitude.max()))
    head = np.zeros((), dtype=_fixed_record(groups))
    head["fields"], head["id_len"], head["id"], head["year_len"] = len(COLUMNS), 8, scenario_id, 2
    head["amount_len"], head["ndigits"], head["weight"] = 8 + 2 * (groups + 1), groups + 1, groups - 1
    head["dscale"], head["ratio_len"] = CENT_SCALE, 8
    fixed = np.full((n_items, n_years), head)
    fixed["year"] = np.asarray(years)[None, :]
    fixed["sign"] = np.where(cents < 0, NUMERIC_NEG, NUMERIC_POS)
    digits, whole = fixed["digits"], magnitude // 100
    for k in range(groups):  # the last whole-euro digit first
        digits[:, :, groups - 1 - k] = whole % NBASE
        whole //= NBASE
    digits[:, :, groups] = magnitude % 100 * 100
    fixed["ratio"] = ratio
    fixed_bytes = fixed.view(np.uint8).reshape(n_items, n_years, fixed.dtype.itemsize)
    texts = [_item_text(tuple(item), driver) for item, driver in zip(items, drivers, strict=True)]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_items)
    chunks = []
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        tuples = np.empty((rows.size, n_years, fixed.dtype.itemsize + int(length)), dtype=np.uint8)
        tuples[:, :, : fixed.dtype.itemsize] = fixed_bytes[rows]
        text = np.frombuffer(b"".join(texts[j] for j in rows), dtype=np.uint8)
        tuples[:, :, fixed.dtype.itemsize :] = text.reshape(rows.size, 1, -1)
        chunks.append(tuples.tobytes())
    return chunks
