"""Bot commands: a registry other domains add to, the built-in /start and /help, and /status
(registered by the composition root, which owns the health checks).

A handler gets a CommandContext and returns the reply as Telegram HTML (escape user content
with `telegram.escape` or `telegram.fit`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ai_service.core.health import Check, is_ready
from ai_service.notifications.telegram import escape

_NAME = re.compile(r"[a-z0-9_]{1,32}")  # what Telegram accepts as a command name


@dataclass(frozen=True)
class CommandContext:
    command: str  # without the slash, lower case; "" for plain text
    args: str  # the text after the command
    chat_id: int | str
    message: Mapping[str, Any] = field(repr=False)


CommandHandler = Callable[[CommandContext], Awaitable[str]]


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    handler: CommandHandler


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def register(self, name: str, description: str, handler: CommandHandler) -> None:
        name = name.removeprefix("/")
        if not _NAME.fullmatch(name):
            raise ValueError(f"bot command {name!r} must be 1-32 of a-z, 0-9 and _")
        if name in self._commands:
            raise ValueError(f"bot command /{name} is already registered")
        self._commands[name] = Command(name, description, handler)

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def help_text(self, unknown: str | None = None) -> str:
        lines = []
        if unknown is not None:
            lines += [f"I don't know {escape(unknown[:64]) or 'that'}.", ""]
        lines.append("<b>Commands</b>")
        lines += [f"/{c.name} — {escape(c.description)}" for c in self]
        return "\n".join(lines)


def parse_command(text: str) -> tuple[str, str] | None:
    """`/Status@MyBot now` → ("status", "now"); None when the text is not a command."""
    if not text.startswith("/"):
        return None
    head, _, args = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return name, args.strip()


def register_builtin(registry: CommandRegistry) -> None:
    async def start(ctx: CommandContext) -> str:
        return ("Hello! I am the ai-service bot: I send this chat its alerts and answer a few "
                "commands.\n\n" + registry.help_text())

    async def help_(ctx: CommandContext) -> str:
        return registry.help_text()

    registry.register("start", "introduction", start)
    registry.register("help", "the commands I know", help_)


_ICONS = {"up": "✅", "down": "❌", "unknown": "❔"}


def status_command(checks: Callable[[], Awaitable[dict[str, Check]]], version: str
                   ) -> CommandHandler:
    """/status: the readiness checks, as `/status` (the route) reports them."""

    async def status(ctx: CommandContext) -> str:
        return status_reply(await checks(), version)

    return status


def status_reply(checks: dict[str, Check], version: str) -> str:
    ready = is_ready(checks)
    lines = [f"{'✅' if ready else '⚠️'} <b>ai-service {'is ready' if ready else 'is degraded'}"
             f"</b> (version {escape(version)})", ""]
    integrations = []
    for name, check in checks.items():
        icon = _ICONS.get(check["state"], "❔")
        if check["required"]:
            detail = (f"{check['latencyMs']} ms" if check["state"] == "up"
                      else escape(str(check.get("error", "down"))))
            lines.append(f"{icon} {escape(name)} ({escape(check['backend'])}): {detail}")
        else:
            checked = check.get("lastCheckedAt")
            when = f", checked {escape(checked[:16].replace('T', ' '))} UTC" if checked else ""
            integrations.append(f"{icon} {escape(name)}: {escape(check['status'].lower())}"
                                f"{when}")
    if integrations:
        lines += ["", "<b>Integrations</b>", *integrations]
    return "\n".join(lines)
