"""Margin Defense repositories and actions: every function takes (session, ctx) first.

`detection` (the breach scan against the database), `alerts`, `tasks`, `dealers` and `dashboard`
(summary and search). Status changes go through models.core.decisions.decide with the machines of
engine.margin.machines; every other change through models.core.mutations (audited).
"""
