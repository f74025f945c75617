"""The run page's "All statements (ZIP)" panel: asks for every employee's statement as one ZIP
(models.comp.runs.bundles: a `comp.statements` worker job), follows it live with a progress bar
(JobWatchMixin: statements drawn of all) and offers the download once it is done. comp.export only.

Its own state, loaded with the run page: the run's id is read from the URL into the backend var
`_run_id`; the newest bundle of the run is shown again on a reload."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.controls import section
from app.web.kit.jobs import JobWatchMixin
from app.web.shell.auth import AuthState
from engine.comp.permissions import EXPORT
from engine.context import TenantContext
from models.comp.runs import bundles


def _latest(ctx: TenantContext, run_id: str) -> bundles.BundleView | None:
    found = fmt.parse_uuid(run_id)
    return bundles.latest_bundle(ctx, found) if found else None


def _status(ctx: TenantContext, key: str) -> bundles.BundleView:
    run_id, job_id = key.split(":")
    run, job = fmt.parse_uuid(run_id), fmt.parse_uuid(job_id)
    assert run is not None and job is not None, "ids the server chose"
    return bundles.bundle_status(ctx, run, job)


class RunBundleState(JobWatchMixin, AuthState):
    status: str = ""  # the bundle job's status ("" when none was asked for)
    done: int = 0
    total: int = 0
    percent: int = 0
    href: str = ""
    size: str = ""
    error: str = ""  # kit.calls.call writes a refusal here
    _run_id: str = ""

    _watch_permission: ClassVar[str] = EXPORT

    def _show(self, view: bundles.BundleView | None) -> None:
        if view is None:
            self.status, self.done, self.total, self.percent, self.href, self.size = "", 0, 0, 0, "", ""
            return
        self.status, self.done, self.total, self.percent = view.status, view.done, view.total, view.percent
        self.href = view.href
        self.size = f"{view.size / 1024:,.0f} KiB" if view.size is not None else ""
        if view.status in ("failed", "cancelled"):
            self.error = view.error or f"The bundle {view.status}."

    def _watch_fetch(self, ctx: TenantContext, key: str) -> Any:
        return _status(ctx, key)

    def _watch_apply(self, ctx: TenantContext, data: Any) -> None:
        self._show(data)

    def _watch_failed(self, message: str) -> None:
        self.error = message

    def _follow(self, view: bundles.BundleView | None) -> Any:
        if view is not None and view.status in ("queued", "running"):
            return self._start_watch(f"{view.run_id}:{view.job_id}", str(view.job_id))
        return None

    @rx.event
    async def load(self):
        self._stop_watch()
        self._show(None)
        self.error = ""
        run_id = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        self._run_id = str(run_id) if run_id else ""
        ctx = await self._require(EXPORT)  # None for a role without comp.export: the panel is not shown
        if ctx is None or not self._run_id:
            return None
        ok, view = await call(self, _latest, ctx, self._run_id)
        if ok:
            self._show(view)
            return self._follow(view)
        self.error = ""  # a run without results yet: nothing to say here
        return None

    @rx.event
    async def request(self):
        ctx = await self._require(EXPORT)
        if ctx is None or not self._run_id or self.status in ("queued", "running"):
            return None
        self.error = ""
        run_id = fmt.parse_uuid(self._run_id)
        ok, view = await call(self, bundles.request_bundle, ctx, run_id, writes=True)
        if not ok:
            return None
        self._show(view)
        return self._follow(view)


def bundle_section() -> rx.Component:
    s = RunBundleState
    busy = (s.status == "queued") | (s.status == "running")
    return section(
        "All statements",
        rx.hstack(
            rx.button(
                "Make all statements (ZIP)",
                on_click=s.request,
                loading=busy,
                disabled=busy,
                variant="soft",
                data_testid="bundle-request",
            ),
            rx.cond(
                s.href != "",
                rx.link(
                    rx.text("Download ZIP (", s.total, " statements, ", s.size, ")"),
                    href=s.href,
                    is_external=True,
                    data_testid="bundle-download",
                ),
            ),
            spacing="3",
            align="center",
        ),
        rx.cond(
            s.status != "",
            rx.vstack(
                rx.text(
                    s.done, " of ", s.total, " statements · ", s.status, size="2", data_testid="bundle-progress-text"
                ),
                rx.progress(value=s.percent, max=100, width="100%", data_testid="bundle-progress"),
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(s.error != "", rx.callout(s.error, icon="triangle-alert", color_scheme="red", size="1")),
    )
