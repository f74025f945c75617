"""What the import pages show, shaped in a worker thread from models.imports' queries (plain dicts
and strings: Reflex vars)."""

from __future__ import annotations

from typing import Any

from engine.context import TenantContext
from models.imports import queries
from models.imports.views import ImportView

NONE = "__none__"  # the "not mapped" choice (Radix selects refuse an empty value)
REPORT_PAGE = 50
BUSY = ("validating", "importing")


def _counts(view: ImportView | None) -> list[dict[str, str]]:
    if view is None:
        return []
    labels = (
        ("rows_total", "Rows read"),
        ("rows_valid", "Valid rows"),
        ("rows_invalid", "Rows with problems"),
        ("issues_total", "Problems"),
        ("inserted", "Inserted"),
        ("updated", "Updated"),
        ("skipped", "Skipped"),
    )
    return [{"label": label, "value": f"{view.counts[key]:,}"} for key, label in labels]


def status_data(ctx: TenantContext, upload_id: str) -> dict[str, Any]:
    """The import's status, counts and the report's first page (re-read while a job runs)."""
    view, page = queries.report_page(ctx, upload_id, limit=REPORT_PAGE)
    return {
        "status": view.status if view else "uploaded",
        "job_id": str(view.job_id) if view and view.job_id else "",
        "error": (view.error or "") if view else "",
        "counts": _counts(view),
        "issues": [issue_row(i) for i in page.items],
        "next_cursor": page.next_cursor or "",
        "mapping": dict(view.mapping) if view else {},
        "sheet": (view.sheet or "") if view else "",
    }


def issue_row(issue: Any) -> dict[str, str]:
    return {
        "row": str(issue.row),
        "column": issue.column or "(row)",
        "value": issue.value,
        "message": issue.message,
        "hint": issue.hint,
    }


def more_issues(ctx: TenantContext, upload_id: str, cursor: str) -> tuple[list[dict[str, str]], str]:
    _, page = queries.report_page(ctx, upload_id, limit=REPORT_PAGE, cursor=cursor)
    return [issue_row(i) for i in page.items], page.next_cursor or ""


def mapping_data(ctx: TenantContext, upload_id: str, sheet: str | None = None) -> dict[str, Any]:
    """The target's fields with the suggested (or already chosen) column, and the preview; `sheet`:
    another sheet of a workbook than the one mapped (its own suggestions, not the old mapping)."""
    suggested, preview = queries.mapping_screen(ctx, upload_id, sheet)
    status = status_data(ctx, upload_id)
    kept = status["mapping"] if sheet is None or sheet == status["sheet"] else {}
    chosen = kept or {s["target"]: s["column"] for s in suggested.suggestions}
    scores = {s["target"]: s["score"] for s in suggested.suggestions}
    fields = [
        {
            "name": f["name"],
            "label": f["label"] + (" *" if f["required"] else ""),
            "kind": f["kind"],
            "column": chosen.get(f["name"], NONE),
            "confidence": f"{round(scores[f['name']] * 100)}% sure" if f["name"] in scores else "",
        }
        for f in suggested.fields
    ]
    columns = [{"name": c.name, "kind": c.kind, "warnings": "; ".join(c.warnings)} for c in preview.columns]
    return {
        "target": suggested.target,
        "preset": suggested.preset or "",
        "header": list(suggested.header),
        "fields": fields,
        "columns": columns,
        "rows": [list(r) for r in preview.rows],
        **status,
        "sheets": list(preview.sheets),
        "sheet": preview.sheet,
    }


def chosen_mapping(fields: list[dict[str, str]]) -> dict[str, str]:
    return {f["name"]: f["column"] for f in fields if f["column"] and f["column"] != NONE}
