"""The five provider fakes on one local port, so the real SDKs and clients run against them.

One Starlette app, served by uvicorn on 127.0.0.1 in a background thread, mounts each fake
under its own prefix, with the documented request and response shapes:

    {url}/openai/v1      OpenAI (the SDK's base_url)                fakes/openai.py
    {url}/anthropic      Anthropic (the SDK's base_url)             fakes/anthropic.py
    {url}/telegram       Telegram Bot API (/bot<token>/<method>)    fakes/telegram.py
    {url}/gocardless     GoCardless Bank Account Data (/api/v2/...) fakes/gocardless.py
    {url}/enablebanking  Enable Banking (RS256 JWT auth)            fakes/enablebanking.py

Tests script failures (`fail_next`), slowness (`delay`) and canned model replies (`reply`),
and read back what was sent (`requests`, `telegram_messages`, `telegram_webhook`). Both banks
serve the same demo data (`bank_data`, fakes/bank_data.py); tests script the user at the bank
(`next_consent_outcome`), lapse consents and tokens (`expire_consent`,
`expire_gocardless_tokens`) and book pending payments (`settle_pending`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from .anthropic import AnthropicFake
from .bank_data import DemoData
from .enablebanking import EnableBankingFake
from .gocardless import GoCardlessFake
from .openai import OpenAIFake
from .openbanking import BankFake, DemoBanks
from .recording import Journal, ProviderFake, RecordedRequest
from .telegram import TelegramFake


class FakeProviders:
    """The five provider APIs on one local port. Use `start()`/`stop()` or `with`."""

    def __init__(self) -> None:
        self.journal = Journal()
        self.banks = DemoBanks(self.journal)
        self.openai = OpenAIFake(self.journal)
        self.anthropic = AnthropicFake(self.journal)
        self.telegram = TelegramFake(self.journal)
        self.gocardless = GoCardlessFake(self.journal, self.banks)
        self.enablebanking = EnableBankingFake(self.journal, self.banks)
        self.fakes: dict[str, ProviderFake] = {fake.name: fake for fake in (
            self.openai, self.anthropic, self.telegram, self.gocardless, self.enablebanking)}
        self.app = Starlette(routes=[Mount(f"/{name}", routes=fake.routes())
                                     for name, fake in self.fakes.items()])
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_config=None,
                                access_log=False, lifespan="off", server_header=False)
        self._server = uvicorn.Server(config)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="fake-providers")
        self.url = ""

    # -- lifecycle --------------------------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._server.serve())

    def start(self) -> FakeProviders:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake provider APIs did not start")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        for name, fake in self.fakes.items():
            fake.url = f"{self.url}/{name}"
        return self

    def stop(self) -> None:
        self.journal.restart()  # ends pending delays
        self._server.should_exit = True
        self._thread.join(30)

    def __enter__(self) -> FakeProviders:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def openai_url(self) -> str:
        return f"{self.openai.url}/v1"

    @property
    def anthropic_url(self) -> str:
        return self.anthropic.url

    @property
    def telegram_url(self) -> str:
        return self.telegram.url

    @property
    def gocardless_url(self) -> str:
        return self.gocardless.url

    @property
    def enable_banking_url(self) -> str:
        return self.enablebanking.url

    def env(self) -> dict[str, str]:
        return {
            "OPENAI_BASE_URL": self.openai_url,
            "ANTHROPIC_BASE_URL": self.anthropic_url,
            "TELEGRAM_API_URL": self.telegram_url,
            "GOCARDLESS_API_URL": self.gocardless_url,
            "ENABLE_BANKING_API_URL": self.enable_banking_url,
        }

    # -- scripting ---------------------------------------------------------------------------

    def fake(self, provider: str) -> ProviderFake:
        """openai, anthropic, telegram, gocardless, enablebanking; accepts Provider values too."""
        name = str(provider).lower().replace("_", "").replace("-", "")
        if name not in self.fakes:
            raise ValueError(f"unknown provider {provider!r}; one of {', '.join(self.fakes)}")
        return self.fakes[name]

    def bank(self, provider: str) -> BankFake:
        fake = self.fake(provider)
        if not isinstance(fake, BankFake):
            raise ValueError(f"{provider!r} is not a bank")
        return fake

    def reset(self) -> None:
        """Forget requests, scripted failures, delays and replies; back to the default data."""
        self.journal.restart()
        self.banks.reset()
        for fake in self.fakes.values():
            fake.reset()

    def fail_next(self, provider: str, status: int, times: int = 1,
                  retry_after: int | None = None, path: str | None = None) -> None:
        """The next `times` requests to the provider (to a path ending with `path`, if given,
        e.g. "getChat") get this error, in the provider's shape."""
        self.fake(provider).fail_next(status, times, retry_after, path)

    def delay(self, provider: str, seconds: float) -> None:
        """Every answer from the provider waits this long (0 to stop), until reset."""
        self.fake(provider).delay(seconds)

    def reply(self, provider: str, value: Any, times: int = 1) -> None:
        """What the next chat completion / message says: a string, or a JSON value (the content
        in JSON modes, the tool's input when a tool is forced)."""
        self.fake(provider).reply(value, times)

    def add_telegram_chat(self, chat_id: str | int, type: str = "private",
                          **fields: Any) -> None:
        self.telegram.add_chat(chat_id, type, **fields)

    def register_enable_banking_app(
        self, app_id: str, private_key_pem: str, environment: str = "SANDBOX",
        active: bool = True, name: str = "ai-service tests",
        redirect_urls: list[str] | None = None,
    ) -> None:
        self.enablebanking.register_app(app_id, private_key_pem, environment, active, name,
                                        redirect_urls)

    @property
    def bank_data(self) -> DemoData:
        """The demo banks, accounts and transactions both bank fakes serve."""
        return self.banks.data

    def settle_pending(self) -> int:
        return self.banks.settle_pending()

    def next_consent_outcome(self, provider: str, outcome: str) -> None:
        self.bank(provider).next_consent_outcome(outcome)

    def expire_consent(self, provider: str, ref: str) -> None:
        """A GoCardless requisition or an Enable Banking session runs out."""
        self.bank(provider).expire_consent(ref)

    def expire_gocardless_tokens(self, refresh_too: bool = False) -> None:
        self.gocardless.expire_tokens(refresh_too)

    # -- what happened -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.journal.lock:
            return list(self.journal.requests)

    def requests_to(self, provider: str) -> list[RecordedRequest]:
        return self.fake(provider).requests

    @property
    def telegram_messages(self) -> list[dict[str, Any]]:
        return self.telegram.messages

    @property
    def telegram_webhook(self) -> dict[str, Any] | None:
        return self.telegram.webhook
