"""Telegram notifications: alerts (Notifier.notify), the health monitor and the bot's webhook.

Other domains raise alerts with `services.notifier.notify(Alert(...))` and add bot commands with
`services.notifier.commands.register(name, description, handler)`.
"""

from ai_service.notifications.commands import CommandContext, CommandRegistry
from ai_service.notifications.service import (
    DELIVER_KIND,
    Alert,
    Notifier,
    Outcome,
    Priority,
    SentTest,
)

__all__ = [
    "DELIVER_KIND",
    "Alert",
    "CommandContext",
    "CommandRegistry",
    "Notifier",
    "Outcome",
    "Priority",
    "SentTest",
]
