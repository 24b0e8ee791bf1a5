"""GraphQL for notifications: a test message, and the Telegram bot's webhook registration."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ai_service.graphql.context import Context
from ai_service.graphql.permissions import IsAdmin, IsAuthenticated


@strawberry.type(name="TestNotificationResult")
class SentTestNotification:
    delivered: bool
    message: str = strawberry.field(description="What happened, or what to fix.")


@strawberry.type
class TelegramWebhook:
    url: str
    bot_username: str | None


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Send a test message now to the Telegram chat that applies to you (yours, "
        "else the instance's); the outcome becomes the integration's status."
    )
    async def send_test_notification(self, info: Info[Context, None]) -> SentTestNotification:
        ctx = info.context
        result = await ctx.services.notifier.send_test(await ctx.user(), ctx.client)
        return SentTestNotification(delivered=result.delivered, message=result.message)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Point the global Telegram bot at PUBLIC_URL/api/telegram/webhook, so it "
        "answers /status and the other commands. Administrators only."
    )
    async def register_telegram_webhook(self, info: Info[Context, None]) -> TelegramWebhook:
        ctx = info.context
        webhook = await ctx.services.notifier.register_webhook(await ctx.admin(), ctx.client)
        return TelegramWebhook(url=webhook.url, bot_username=webhook.bot_username)

    @strawberry.mutation(permission_classes=[IsAdmin],
                         description="Stop the global Telegram bot's webhook. Administrators "
                                     "only.")
    async def unregister_telegram_webhook(self, info: Info[Context, None]) -> bool:
        ctx = info.context
        return await ctx.services.notifier.unregister_webhook(await ctx.admin(), ctx.client)
