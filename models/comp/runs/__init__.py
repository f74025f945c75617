"""Compensation runs: employee rows per upload, plan runs computed on the job path, their results,
approvals through the decision path, statements and exports (docs/comp.md, "Runs")."""
