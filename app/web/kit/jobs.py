"""`JobWatchMixin`: follow a job live from a page (execution progress today, any job kind next).

`watch` is a background event: it subscribes to the job's progress (`models.jobs.progress.watch_job`:
Redis pub/sub, Postgres polling as the fallback), re-reads the page's view of the watched record on
each snapshot and once more at the end. A token guards the page: when the page loads something else
(`_start_watch` again, or `_stop_watch`), the old watcher stops writing into it.

Page hooks: `_watch_permission`, `_watch_fetch(ctx, key)` (worker thread, reads only) and
`_watch_apply(ctx, data)` (under the state lock).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, ClassVar

import reflex as rx

from app.web.kit.format import error_text
from engine.context import TenantContext
from engine.errors import DomainError
from models.jobs.progress import watch_job


class JobWatchMixin(rx.State, mixin=True):
    live: bool = False
    _watch_key: str = ""
    _watch_job: str = ""
    _watch_token: str = ""

    _watch_permission: ClassVar[str] = ""

    def _watch_fetch(self, ctx: TenantContext, key: str) -> Any:
        """page: the watched record's view (runs in a worker thread)."""
        raise NotImplementedError

    def _watch_apply(self, ctx: TenantContext, data: Any) -> None:
        """page: show the view `_watch_fetch` returned."""
        raise NotImplementedError

    def _watch_failed(self, message: str) -> None:
        """page: a read failed while watching (default: nothing shown)."""

    def _start_watch(self, key: str, job_id: str) -> Any:
        """Arm a watcher for `key` (the record) and `job_id`; return the event to chain."""
        self._watch_key, self._watch_job, self._watch_token = key, job_id, uuid.uuid4().hex
        return type(self).watch

    def _stop_watch(self) -> None:
        self._watch_key = self._watch_job = self._watch_token = ""

    @rx.event(background=True)
    async def watch(self):
        """Follow the job until it ends or the page moves on."""
        async with self:
            ctx = await self._require(self._watch_permission)  # type: ignore[attr-defined]
            key, job_id, token = self._watch_key, self._watch_job, self._watch_token
            if ctx is None or not key or not job_id or not token:
                return
            self.live = True
        try:
            async for _snap in watch_job(ctx, job_id):
                data = await asyncio.to_thread(self._watch_fetch, ctx, key)
                async with self:
                    if self._watch_token != token:  # another load took over
                        return
                    self._watch_apply(ctx, data)
            data = await asyncio.to_thread(self._watch_fetch, ctx, key)
            async with self:
                if self._watch_token == token:
                    self._watch_apply(ctx, data)
        except DomainError as exc:
            async with self:
                if self._watch_token == token:
                    self._watch_failed(error_text(exc))
        finally:
            async with self:
                if self._watch_token == token:
                    self.live = False
