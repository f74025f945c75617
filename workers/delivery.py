"""The dispatcher's loop in every worker process (models/delivery/dispatcher.py does the work).

It runs beside arq's job functions: a round every PHAROS_DELIVERY_POLL_SECONDS (0.2), at once again
when a round found work (a backlog drains at full speed). A failing round is logged and retried;
PHAROS_DELIVERY=off leaves delivery to other workers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from models.core.settings import delivery_settings
from models.delivery.dispatcher import Dispatcher

log = logging.getLogger("pharos.delivery")


async def dispatch_forever(ctx: dict[str, Any]) -> None:
    dispatcher = Dispatcher(owner=f"{ctx['worker_id']}:delivery")
    ctx["dispatcher"] = dispatcher
    try:
        while True:
            settings = delivery_settings()
            try:
                report = await dispatcher.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed; retrying in %ss", settings.poll_seconds)
                await asyncio.sleep(settings.poll_seconds)
                continue
            if report.sent == 0 and report.fanned_out == 0:
                await asyncio.sleep(settings.poll_seconds)
    finally:
        await dispatcher.aclose()
