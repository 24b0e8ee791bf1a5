"""`python -m support.job_worker`, with tests/ on PYTHONPATH: the real Worker in its own process,
with the test job kinds. Settings come from the environment, as for `ai-service worker`."""

from __future__ import annotations

import asyncio
import signal

from ai_service.config import load_settings
from ai_service.services import open_services
from support.jobkinds import register_in_subprocess


async def main() -> None:
    services = await open_services(load_settings(env_file=None))
    register_in_subprocess(services.registry)
    worker = services.worker()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, worker.stop)
    print(worker.worker_id, flush=True)
    try:
        await worker.run()
    finally:
        await services.close()


asyncio.run(main())
