"""Sozialräume: districts' social indicators, the composite social index, maps, offers, needs against
offers. The district itself is ``core.District``; pure computation in ``planning.engine.geometry``,
``planning.engine.indicator_table`` and ``planning.engine.social_index`` (docs/districts.md)."""
