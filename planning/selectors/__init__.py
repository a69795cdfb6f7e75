"""Read queries of the planning app (non-trivial aggregations), one module per area.

``planning.selectors.projection``: population tables, scenario results, comparisons, room to act.
"""
