"""`python -m workers`: one arq worker process for the job path."""

from __future__ import annotations

import asyncio
import logging
import os

from arq.worker import create_worker

from workers.main import WorkerSettings, worker_options


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("PHAROS_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    asyncio.set_event_loop(asyncio.new_event_loop())  # arq's Worker asks for the current loop
    create_worker(WorkerSettings, **worker_options()).run()


if __name__ == "__main__":
    main()
