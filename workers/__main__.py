"""`python -m workers`: one arq worker process for the job path."""

from __future__ import annotations

import asyncio
import logging
import os

from arq.worker import create_worker

from models.core.logs import configure_json_logging
from workers.main import WorkerSettings, worker_options


def main() -> None:
    level = getattr(logging, os.environ.get("PHAROS_LOG_LEVEL", "INFO").upper(), logging.INFO)
    configure_json_logging(level)  # one JSON object per line, with the job's correlation id
    logging.basicConfig(level=logging.WARNING)  # arq's own messages
    asyncio.set_event_loop(asyncio.new_event_loop())  # arq's Worker asks for the current loop
    create_worker(WorkerSettings, **worker_options()).run()


if __name__ == "__main__":
    main()
