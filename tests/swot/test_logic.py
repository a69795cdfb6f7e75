"""Pure logic: rank strings, TOWS pairing, IFE/EFE scores."""

import random
from decimal import Decimal

import pytest

from swot import logic


def test_rank_between_is_strictly_between_and_valid():
    # Given random insertions into an ordered list, when ranks are generated between neighbours
    rng = random.Random(7)
    ranks: list[str] = []
    for _ in range(2000):
        i = rng.randint(0, len(ranks))
        lo = ranks[i - 1] if i > 0 else None
        hi = ranks[i] if i < len(ranks) else None
        new = logic.rank_between(lo, hi)
        ranks.insert(i, new)
    # then the list stays sorted, unique, and every rank is valid (never ends with "0")
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    assert all(logic.is_valid_rank(r) for r in ranks)
    assert max(len(r) for r in ranks) < 40


@pytest.mark.parametrize(("lo", "hi"), [("b", "b"), ("c", "b")])
def test_rank_between_rejects_empty_interval(lo, hi):
    with pytest.raises(ValueError):
        logic.rank_between(lo, hi)


def test_repeated_insertion_at_the_top_and_between_neighbours():
    top = None
    for _ in range(200):
        new = logic.rank_between(None, top)
        assert top is None or new < top
        top = new
    a, b = "h", "i"
    for _ in range(100):
        b = logic.rank_between(a, b)
        assert a < b


@pytest.mark.parametrize(
    ("quadrants", "kind"),
    [(["S", "O"], "SO"), (["S", "S", "T"], "ST"), (["W", "O", "O"], "WO"), (["T", "W"], "WT")],
)
def test_tows_kind(quadrants, kind):
    assert logic.tows_kind(quadrants) == kind


@pytest.mark.parametrize("quadrants", [["S"], ["O", "T"], ["S", "W", "O"], ["S", "O", "T"], [], ["X", "O"]])
def test_tows_kind_rejects_invalid_pairs(quadrants):
    with pytest.raises(ValueError):
        logic.tows_kind(quadrants)


def test_weighted_scores_ife_efe():
    # Given weights summing to 1 per side and ratings 1-4
    factors = [
        ("S", Decimal("0.4"), 4),
        ("S", Decimal("0.2"), 3),
        ("W", Decimal("0.4"), 1),
        ("O", Decimal("0.7"), 3),
        ("T", Decimal("0.3"), 2),
    ]
    scores = logic.weighted_scores(factors)
    # then the weighted scores are the sums of weight x rating
    assert scores["internal"].score == Decimal("2.600")
    assert scores["external"].score == Decimal("2.700")
    assert scores["internal"].complete and scores["external"].complete


def test_incomplete_weights_are_flagged():
    scores = logic.weighted_scores([("S", Decimal("0.5"), 4), ("W", None, None)])
    assert not scores["internal"].complete
    assert scores["internal"].rated == 1 and scores["internal"].factors == 2
    assert scores["external"].factors == 0 and not scores["external"].complete


@pytest.mark.parametrize(
    ("weight", "rating"), [(Decimal("1.1"), 2), (Decimal("-0.1"), 2), (Decimal("0.5"), 5)]
)
def test_validate_factor(weight, rating):
    with pytest.raises(ValueError):
        logic.validate_factor(weight, rating)


def test_normalise_weights_sums_to_one():
    weights = logic.normalise_weights([Decimal(1), Decimal(1), Decimal(1)])
    assert sum(weights) == Decimal(1)
