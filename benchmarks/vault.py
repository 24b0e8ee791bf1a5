"""The integrations vault on its hot path: every AI call, bank sync and alert asks it for the
credentials that apply to a user, opening their sealed secrets.

    .venv/bin/python benchmarks/vault.py [--backend embedded|services] [--seconds 3]

Measures, in one process on the chosen backend:
  - seal and open of one API key (XChaCha20-Poly1305 with associated data), per second;
  - `resolve(provider, user)` (one SELECT, then opening the secrets), per second, and the number
    of SQL statements it runs;
  - the `integrations` overview (all five providers, masked) in SQL statements.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from _common import backend, write_json
from ai_service.config import load_settings
from ai_service.core import db
from ai_service.core.client import CLI_CLIENT
from ai_service.core.logging import request_id_var
from ai_service.integrations.providers import Provider
from ai_service.services import open_services
from ai_service.users.models import Role


def rate(work: Any, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(100):
            work()
        done += 100
    return done / elapsed


async def arate(work: Any, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(20):
            await work()
        done += 20
    return done / elapsed


async def measure(env: dict[str, str], seconds: float) -> dict[str, Any]:
    settings = load_settings(environ=env, env_file=None)
    services = await open_services(settings)
    try:
        vault = services.integrations
        user = await services.users.create("bench@example.com", "benchmark password 1",
                                           role=Role.ADMIN, actor=None, client=CLI_CLIENT)
        await vault.set(user, Provider.OPENAI, [("apiKey", "sk-bench-" + "x" * 40)], None,
                        CLI_CLIENT)
        await vault.set(user, Provider.ANTHROPIC, [("apiKey", "sk-ant-bench-" + "y" * 40)],
                        None, CLI_CLIENT)
        aad = b"ai-service/integration/v1\x1fglobal\x1fOPENAI\x1fapiKey"
        sealed = vault.keyring.seal("sk-bench-" + "x" * 40, aad)
        request_id_var.set("bench")  # the statement counter counts request-scoped statements
        with db.count_statements() as resolve_count:
            await vault.resolve(Provider.OPENAI, user.id)
        with db.count_statements() as overview_count:
            await vault.overview(user, None)
        return {
            "seal_per_s": round(rate(lambda: vault.keyring.seal("sk-bench-" + "x" * 40, aad),
                                     seconds)),
            "open_per_s": round(rate(lambda: vault.keyring.open(sealed, aad), seconds)),
            "resolve_per_s": round(await arate(lambda: vault.resolve(Provider.OPENAI, user.id),
                                               seconds)),
            "resolve_statements": resolve_count.count,
            "overview_statements": overview_count.count,
        }
    finally:
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    with backend(args.backend) as env:
        result = asyncio.run(measure(env, args.seconds))
    result["backend"] = args.backend
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    print(f"wrote {write_json(f'vault-{args.backend}', result).relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
