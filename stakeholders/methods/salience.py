"""Stakeholder salience after Mitchell, Agle and Wood (1997): three yes/no attributes give one of seven
classes (or none, i.e. not a stakeholder in their sense)."""

from __future__ import annotations

# (power, legitimacy, urgency) -> class
SALIENCE_CLASSES: dict[tuple[bool, bool, bool], str] = {
    (False, False, False): "none",
    (True, False, False): "dormant",
    (False, True, False): "discretionary",
    (False, False, True): "demanding",
    (True, True, False): "dominant",
    (True, False, True): "dangerous",
    (False, True, True): "dependent",
    (True, True, True): "definitive",
}
# latent (one attribute), expectant (two), definitive (three)
SALIENCE_GROUPS = {
    "none": "none",
    "dormant": "latent",
    "discretionary": "latent",
    "demanding": "latent",
    "dominant": "expectant",
    "dangerous": "expectant",
    "dependent": "expectant",
    "definitive": "definitive",
}


def salience_class(power: bool, legitimacy: bool, urgency: bool) -> str:
    """The Mitchell-Agle-Wood class of a stakeholder with these attributes."""
    return SALIENCE_CLASSES[(bool(power), bool(legitimacy), bool(urgency))]
