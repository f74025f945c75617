"""Bulk enforcement pages: /bulk (wizard), /execution (live progress), /reports and
/reports/[batch_id]. Importing the package registers the four routes (app/web/modules.py)."""

from app.web.margin.enforcement.bulk import BulkState
from app.web.margin.enforcement.execution import ExecutionState
from app.web.margin.enforcement.report import ReportState
from app.web.margin.enforcement.reports import ReportsState

__all__ = ["BulkState", "ExecutionState", "ReportState", "ReportsState"]
