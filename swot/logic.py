"""Pure computation of SWOT boards: rank strings, IFE/EFE scores, TOWS pairing. No Django imports.

Everything here takes and returns plain values so it can be tested and benchmarked on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# --- Ordering within a quadrant: lexicographic rank strings -------------------------------------------
# Moving a card writes only that card's rank: a string strictly between its new neighbours' ranks.
# Digits and lower-case letters only: Python, SQLite (binary) and PostgreSQL under any common locale
# collation sort these strings the same way. A rank never ends with the smallest digit, which
# guarantees there is always room below it.
RANK_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE = len(RANK_DIGITS)
_INDEX = {ch: i for i, ch in enumerate(RANK_DIGITS)}


def _digit(rank: str, i: int) -> int:
    return _INDEX[rank[i]] if i < len(rank) else 0


def is_valid_rank(rank: str) -> bool:
    """A rank is non-empty, uses only RANK_DIGITS and does not end with the smallest digit."""
    return bool(rank) and all(ch in _INDEX for ch in rank) and rank[-1] != RANK_DIGITS[0]


def rank_between(lo: str | None, hi: str | None) -> str:
    """A rank strictly between ``lo`` and ``hi`` (None: open end). Raises ValueError if lo >= hi."""
    lo = lo or ""
    if hi is not None and hi != "" and lo >= hi:
        raise ValueError(f"no rank between {lo!r} and {hi!r}")
    upper: str | None = hi or None
    out: list[str] = []
    i = 0
    while True:
        a = _digit(lo, i)
        b = _INDEX[upper[i]] if upper is not None and i < len(upper) else _BASE
        if a == b:  # shared prefix with the upper bound: copy and go deeper
            out.append(RANK_DIGITS[a])
            i += 1
            continue
        mid = (a + b) // 2
        if mid > a:
            out.append(RANK_DIGITS[mid])
            return "".join(out)
        # b == a + 1: keep lo's digit; from here on the result is below hi whatever follows
        out.append(RANK_DIGITS[a])
        upper = None
        i += 1


def ranks_initial(count: int) -> list[str]:
    """``count`` increasing ranks spread evenly (for seeding a quadrant)."""
    ranks: list[str] = []
    previous: str | None = None
    for _ in range(count):
        previous = rank_between(previous, None)
        ranks.append(previous)
    return ranks


# --- Quadrants and TOWS ----------------------------------------------------------------------------
STRENGTH, WEAKNESS, OPPORTUNITY, THREAT = "S", "W", "O", "T"
QUADRANTS = (STRENGTH, WEAKNESS, OPPORTUNITY, THREAT)
INTERNAL = frozenset({STRENGTH, WEAKNESS})
EXTERNAL = frozenset({OPPORTUNITY, THREAT})
TOWS_KINDS = ("SO", "ST", "WO", "WT")


def side_of(quadrant: str) -> str:
    """'internal' for strengths/weaknesses, 'external' for opportunities/threats."""
    if quadrant in INTERNAL:
        return "internal"
    if quadrant in EXTERNAL:
        return "external"
    raise ValueError(f"unknown quadrant {quadrant!r}")


def tows_kind(quadrants: Iterable[str]) -> str:
    """The TOWS strategy type (SO, ST, WO, WT) of a set of linked factors.

    A strategy pairs internal factors of one kind (strengths or weaknesses) with external factors of
    one kind (opportunities or threats). Raises ValueError with a German message otherwise.
    """
    present = set(quadrants)
    unknown = present - INTERNAL - EXTERNAL
    if unknown:
        raise ValueError(f"Unbekannter Quadrant: {', '.join(sorted(unknown))}")
    internal = present & INTERNAL
    external = present & EXTERNAL
    if len(internal) != 1 or len(external) != 1:
        raise ValueError(
            "Eine Strategie verbindet Stärken oder Schwächen mit Chancen oder Risiken: "
            "mindestens ein interner und ein externer Faktor, je nur eine Art."
        )
    return next(iter(internal)) + next(iter(external))


# --- IFE/EFE weighting -------------------------------------------------------------------------------
RATING_MIN, RATING_MAX = 1, 4
WEIGHT_TOLERANCE = Decimal("0.005")


@dataclass(frozen=True)
class SideScore:
    """IFE (internal) or EFE (external) matrix result for one side of the board."""

    side: str
    weight_sum: Decimal
    score: Decimal  # sum of weight x rating over the rated factors
    rated: int  # factors with weight and rating
    factors: int  # all factors of the side

    @property
    def complete(self) -> bool:
        """Every factor rated and the weights add up to 1 (within rounding)."""
        return self.rated == self.factors > 0 and abs(self.weight_sum - 1) <= WEIGHT_TOLERANCE

    def as_dict(self) -> dict:
        return {
            "side": self.side,
            "weight_sum": str(self.weight_sum),
            "score": str(self.score),
            "rated": self.rated,
            "factors": self.factors,
            "complete": self.complete,
        }


def validate_factor(weight: Decimal | None, rating: int | None) -> None:
    """Weight between 0 and 1, rating 1-4 (either may be missing). Raises ValueError."""
    if weight is not None and not (Decimal(0) <= weight <= Decimal(1)):
        raise ValueError("Das Gewicht muss zwischen 0 und 1 liegen.")
    if rating is not None and not (RATING_MIN <= rating <= RATING_MAX):
        raise ValueError("Die Bewertung muss zwischen 1 und 4 liegen.")


def weighted_scores(factors: Iterable[tuple[str, Decimal | None, int | None]]) -> dict[str, SideScore]:
    """IFE/EFE scores from ``(quadrant, weight, rating)`` triples.

    Per side the weights should sum to 1; the weighted score is the sum of weight x rating
    (1 = weak ... 4 = strong; 2.5 is the usual midpoint).
    """
    # per side: weight sum, weighted score, rated factors, all factors
    sums: dict[str, list] = {side: [Decimal(0), Decimal(0), 0, 0] for side in ("internal", "external")}
    for quadrant, weight, rating in factors:
        entry = sums[side_of(quadrant)]
        entry[3] += 1
        if weight is not None:
            entry[0] += weight
        if weight is not None and rating is not None:
            entry[1] += weight * rating
            entry[2] += 1
    return {
        side: SideScore(side, values[0], values[1].quantize(Decimal("0.001")), values[2], values[3])
        for side, values in sums.items()
    }


def normalise_weights(weights: list[Decimal]) -> list[Decimal]:
    """Scale weights so they sum to 1 (three decimals, rounding put on the largest)."""
    total = sum(weights, Decimal(0))
    if total <= 0:
        return [Decimal(0) for _ in weights]
    scaled = [(w / total).quantize(Decimal("0.001")) for w in weights]
    diff = Decimal(1) - sum(scaled, Decimal(0))
    if scaled and diff:
        largest = max(range(len(scaled)), key=lambda i: scaled[i])
        scaled[largest] += diff
    return scaled


# --- Dot voting ------------------------------------------------------------------------------------
def votes_left(budget: int, used: int) -> int:
    """Dots a participant may still place."""
    return max(0, budget - used)
