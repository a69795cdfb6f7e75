"""Pure computation for planning: no Django imports anywhere in this package.

- ``population``: age bands, GENESIS/CSV parsers, re-banding.
- ``cohort``: cohort-component population projection and its calibration to local history.
- ``projection``: status-quo projection of budget items (demographic drivers, prices, Kostenremanenz).
- ``task_types``: task types and room to act (seed, Tabelle 1).

Django code loads inputs, calls these functions and stores the results (docs/projection-method.md).
"""
