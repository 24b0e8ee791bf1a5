"""The web app in a real headless Chromium (Debian's, driven by Playwright): one `Tab` per
test, with its own storage, that records console errors, page errors and CSP violations so a
test can assert the page stayed clean."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 15_000
SESSION_KEY = "ai-service.session"


def launch(playwright: Any) -> Any:
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` or set CHROMIUM_PATH")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class Tab:
    def __init__(self, browser: Any, base_url: str, **context: Any) -> None:
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, **context)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("websocket", self._websocket)
        self.frames: list[str | bytes] = []  # what the server sent over WebSockets

    def _websocket(self, socket: Any) -> None:
        self.requests.append(socket.url)
        socket.on("framereceived", lambda payload: self.frames.append(payload))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def goto(self, path: str) -> Any:
        return self.page.goto(path)

    def sign_in_as(self, auth: dict[str, Any], path: str = "/") -> None:
        """Start signed in with an AuthPayload (as the login page would store it)."""
        user = {"fullName": "", **auth["user"]}
        session = {"accessToken": auth["accessToken"], "refreshToken": auth["refreshToken"],
                   "expiresAt": auth["expiresAt"], "user": user}
        self.page.goto("/login")
        self.page.evaluate("([k, v]) => localStorage.setItem(k, v)", [SESSION_KEY, json.dumps(session)])
        self.page.goto(path)

    def heading(self, name: str) -> Any:
        """Wait for the page's h1 to say `name`."""
        locator = self.page.get_by_role("heading", name=name, level=1)
        locator.wait_for()
        return locator

    def assert_clean(self) -> None:
        """No console errors, page errors or CSP violations, and nothing fetched off-origin."""
        assert not self.errors, self.errors
        foreign = [u for u in self.requests if not u.startswith(
            (self.base_url, self.base_url.replace("http", "ws"), "data:", "blob:"))]
        assert not foreign, foreign

    def close(self) -> None:
        self.context.close()
