"""Pure computation for planning: no Django imports anywhere in this package.

- ``population``: age bands, population tables, re-banding; ``population_files``: GENESIS/CSV parsers.
- ``cohort``: cohort-component population projection and its calibration to local history.
- ``projection``: status-quo projection of budget items (demographic drivers, prices, Kostenremanenz) and
  the one growth rule ``item_growth_rates``.
- ``scenarios``: from a scenario's loaded plain values to its projected cents (load -> engine -> store).
- ``task_types``: task types and room to act (seed, Tabelle 1).
- ``resilience``, ``stress``, ``montecarlo``, ``indicators``: reserve path, stress tests, Monte Carlo,
  NKF indicators.

Django code loads inputs, calls these functions and stores the results (docs/architecture.md).
"""
