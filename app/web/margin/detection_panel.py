"""The dashboard's detection panel: "Last import" (what the newest import brought: rows imported and
skipped, new breaches once its detection finished, a link to the import's report) and, for ops, the
"Run detection" button with the run's live status (kit.jobs.JobWatchMixin on the dashboard state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from app.web.kit import feedback
from app.web.kit import format as fmt
from engine.context import TenantContext
from models.core.probes import check_redis
from models.margin.detection_runs import submit_detection
from models.margin.queries import detection as detection_queries

STATUS_TEXT = {
    "queued": "Detection queued…",
    "running": "Detection running…",
    "completed": "Detection finished",
    "failed": "Detection failed",
    "cancelled": "Detection cancelled",
}


NO_WORKER = "Detection queued: no worker is running now; it runs as soon as one starts."


@dataclass(frozen=True)
class RunRow:
    """A detection run as the page shows it (`id` empty: none)."""

    id: str = ""
    job_id: str = ""
    status: str = ""
    status_text: str = ""
    finished: bool = False
    target: str = ""
    filename: str = ""
    imported: str = ""
    skipped: str = ""
    new_breaches: str = ""  # "…" until its detection finished
    when: str = ""
    report_url: str = ""


def run_row(view: detection_queries.RunView | None) -> RunRow:
    if view is None:
        return RunRow()
    return RunRow(
        id=str(view.id),
        job_id=str(view.job_id or ""),
        status=view.status,
        status_text=STATUS_TEXT.get(view.status, view.status),
        finished=view.status in ("completed", "failed", "cancelled"),
        target=view.target_label or "",
        filename=view.filename or "",
        imported=str(view.rows_imported),
        skipped=str(view.rows_skipped),
        new_breaches="…" if view.new_breaches is None else str(view.new_breaches),
        when=fmt.when(view.created_at),
        report_url=view.report_url or "",
    )


def fetch_last_import(ctx: TenantContext) -> RunRow:
    return run_row(detection_queries.last_import(ctx))


def fetch_run(ctx: TenantContext, job_id: str) -> RunRow:
    return run_row(detection_queries.run_of_job(ctx, job_id))


def start_detection(ctx: TenantContext) -> str:
    """Queue a manual run (the same model function as POST /api/margin/detect); returns its job id."""
    return str(submit_detection(ctx))


def worker_running() -> bool:
    """Whether a worker beats (models/core/heartbeat.py): only then is a run worth following live."""
    try:
        return check_redis().ok
    except Exception:  # Redis down: no worker gets the job either
        return False


def _figure(label: str, value: Any, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="4", weight="bold", data_testid=testid),
        spacing="0",
    )


def last_import_card(last: Any) -> rx.Component:
    """`last`: the state's RunRow var (empty id: no import yet)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("file-up", size=18, color=rx.color("accent", 11)),
                rx.text("Last import", size="2", weight="medium", color_scheme="gray"),
                spacing="2",
                align="center",
            ),
            rx.cond(
                last["id"] != "",
                rx.vstack(
                    rx.hstack(
                        rx.text(last["target"], weight="medium", data_testid="last-import-target"),
                        rx.text(
                            last["filename"],
                            size="2",
                            trim="both",
                            data_testid="last-import-file",
                            title=last["filename"],
                        ),
                        rx.text(last["when"], size="1", color_scheme="gray"),
                        align="baseline",
                        spacing="2",
                    ),
                    rx.hstack(
                        _figure("Rows imported", last["imported"], "last-import-rows"),
                        _figure("Skipped", last["skipped"], "last-import-skipped"),
                        _figure("New breaches", last["new_breaches"], "last-import-breaches"),
                        spacing="5",
                    ),
                    rx.cond(
                        last["report_url"] != "",
                        rx.link(
                            "Import report", href=last["report_url"].to(str), size="2", data_testid="last-import-report"
                        ),
                    ),
                    spacing="2",
                ),
                feedback.empty(
                    "No import yet. Bring sale rows, prices or inventory from the nav.", "file-up", "last-import-empty"
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="last-import",
    )


def run_detection_control(can: Any, busy: Any, live: Any, run: Any, on_click: Any) -> rx.Component:
    """The Run detection button (ops/admin) and the status of the run it started."""
    return rx.cond(
        can,
        rx.hstack(
            rx.cond(
                run["id"] != "",
                rx.text(
                    run["status_text"],
                    rx.cond(run["finished"], rx.text.span(" · ", run["new_breaches"], " new breaches"), ""),
                    size="2",
                    color_scheme="gray",
                    data_testid="detection-status",
                ),
            ),
            rx.button(
                rx.icon("radar", size=16),
                "Run detection",
                on_click=on_click,
                loading=busy | live,
                disabled=busy | live,
                data_testid="run-detection",
            ),
            align="center",
            spacing="3",
        ),
    )
