"""The power-interest grid (Mendelow; Eden and Ackermann): influence and interest on 1-5 scales, split
at the midpoint 3 (a score of 3 or more counts as high) into four quadrants with their strategies."""

from __future__ import annotations

HIGH = 3  # a score from 3 up is "high": the scale's midpoint belongs to the upper half

# quadrant -> the engagement strategy that follows from it
QUADRANT_STRATEGY = {
    "manage_closely": "manage_closely",  # high influence, high interest
    "keep_satisfied": "keep_satisfied",  # high influence, low interest
    "keep_informed": "keep_informed",  # low influence, high interest
    "monitor": "monitor",  # both low
}


def quadrant_of(influence: int, interest: int) -> str:
    """The quadrant of a stakeholder with this influence (power) and interest, each 1-5."""
    high_power, high_interest = influence >= HIGH, interest >= HIGH
    if high_power and high_interest:
        return "manage_closely"
    if high_power:
        return "keep_satisfied"
    if high_interest:
        return "keep_informed"
    return "monitor"


def suggested_strategy(influence: int, interest: int) -> str:
    """The strategy the grid suggests (the assessor may choose another one and say why)."""
    return QUADRANT_STRATEGY[quadrant_of(influence, interest)]
