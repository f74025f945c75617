"""Margin Defense permission names, written once (the roles holding each are in engine.rbac)."""

from __future__ import annotations

READ = "margin.read"
DETECT = "margin.detect.run"
IMPORTS = "margin.imports.write"
ALERTS_UPDATE = "margin.alerts.update"
NOTES_WRITE = "margin.notes.write"
TASKS_WRITE = "margin.tasks.write"
DEALERS_STATUS = "margin.dealers.status"
ENFORCE = "margin.enforcement.run"
EXPORT = "margin.reports.export"
