"""The AI usage ledger: sums by provider and model over a period, and who may see whose."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from ai_service.core.client import CLI_CLIENT
from ai_service.integrations.providers import Provider
from ai_service.platform.ai import AiUsage, LLMGateway, usage_summary
from ai_service.users.models import User
from fakes.anthropic import ANTHROPIC_KEY
from fakes.openai import OPENAI_KEY
from fakes.server import FakeProviders
from support.accounts import make_member
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

T = TypeVar("T")
START = datetime(2025, 3, 1, tzinfo=UTC)
END = datetime(2025, 4, 1, tzinfo=UTC)
USAGE = """query($from: DateTime!, $to: DateTime!, $userId: ID) {
  aiUsage(from: $from, to: $to, userId: $userId) {
    from to userId calls failedCalls inputTokens outputTokens costUsd
    byModel { provider model calls failedCalls inputTokens outputTokens costUsd } } }"""


def fetch(server: LiveServer, query: Awaitable[T]) -> T:
    async def run() -> T:
        return await query

    return server.call(run())


def record(server: LiveServer, user_id: int | None, at: datetime, provider: str = "OPENAI",
           model: str = "gpt-4.1-mini", input_tokens: int = 0, output_tokens: int = 0,
           cost: str = "0", succeeded: bool = True) -> None:
    fetch(server, AiUsage.create(
        user_id=user_id, provider=provider, model=model, operation="complete",
        input_tokens=input_tokens, output_tokens=output_tokens, cost_usd=Decimal(cost),
        succeeded=succeeded, error=None if succeeded else "HTTP 500 server error",
        created_at=at))


@pytest.fixture
def people(server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]) -> dict[str, Any]:
    """An administrator and two members, with their tokens and ids."""
    first = make_member(gql, admin["accessToken"], "first@example.com")
    second = make_member(gql, admin["accessToken"], "second@example.com")
    return {
        "admin": (admin["accessToken"], int(admin["user"]["id"])),
        "first": (first["accessToken"], int(first["user"]["id"])),
        "second": (second["accessToken"], int(second["user"]["id"])),
    }


@pytest.fixture
def ledger(server: LiveServer, people: dict[str, Any]) -> dict[str, Any]:
    """March 2025: the first member's calls on two models, one of them failed; the second
    member's and the instance's (no user); calls just outside the month on both sides."""
    first, second = people["first"][1], people["second"][1]
    record(server, first, START, input_tokens=100, output_tokens=20, cost="0.000072")
    # Together beyond GraphQL's 32-bit Int
    record(server, first, START + timedelta(days=3), input_tokens=1_500_000_000,
           output_tokens=10, cost="600.000016")
    record(server, first, START + timedelta(days=3, hours=1), input_tokens=1_500_000_000,
           cost="600")
    record(server, first, START + timedelta(days=4), succeeded=False)
    record(server, first, END - timedelta(microseconds=1), provider="ANTHROPIC",
           model="claude-sonnet-4-5-20250929", input_tokens=1000, output_tokens=500,
           cost="0.010500")
    record(server, second, START + timedelta(days=10), input_tokens=7, output_tokens=3,
           cost="0.000008")
    record(server, None, START + timedelta(days=11), provider="ANTHROPIC",
           model="claude-sonnet-4-5-20250929", input_tokens=50, output_tokens=5,
           cost="0.000225")
    record(server, first, START - timedelta(microseconds=1), input_tokens=999, cost="9")
    record(server, first, END, input_tokens=999, cost="9")  # the end is not included
    return people


def test_the_summary_sums_by_provider_and_model_within_the_range(
    server: LiveServer, ledger: dict[str, Any]
) -> None:
    first = ledger["first"][1]
    mine = server.call(usage_summary(START, END, first))
    assert (mine.calls, mine.failed_calls) == (5, 1)
    assert (mine.input_tokens, mine.output_tokens) == (3_000_001_100, 530)
    assert mine.cost_usd == Decimal("1200.010588")
    assert [(r.provider, r.model, r.calls, r.failed_calls, r.input_tokens, r.output_tokens,
             r.cost_usd) for r in mine.rows] == [
        ("OPENAI", "gpt-4.1-mini", 4, 1, 3_000_000_100, 30, Decimal("1200.000088")),
        ("ANTHROPIC", "claude-sonnet-4-5-20250929", 1, 0, 1000, 500, Decimal("0.010500")),
    ]
    everyone = server.call(usage_summary(START, END, None))
    assert (everyone.calls, everyone.failed_calls) == (7, 1)
    assert everyone.cost_usd == Decimal("1200.010821")
    by_model = {(r.provider, r.model): r for r in everyone.rows}
    assert by_model["ANTHROPIC", "claude-sonnet-4-5-20250929"].calls == 2
    assert by_model["OPENAI", "gpt-4.1-mini"].input_tokens == 3_000_000_107
    assert server.call(usage_summary(END, END + timedelta(days=1), first)).calls == 1
    nothing = server.call(usage_summary(START, END, ledger["admin"][1]))
    assert (nothing.calls, nothing.cost_usd, nothing.rows) == (0, Decimal("0.000000"), ())


def test_members_see_their_own_usage(gql: GraphQLClient, ledger: dict[str, Any]) -> None:
    token, first = ledger["first"]
    variables = {"from": START.isoformat(), "to": END.isoformat()}
    usage = gql.data(USAGE, variables, token=token)["aiUsage"]
    assert usage["userId"] == str(first)
    assert (usage["calls"], usage["failedCalls"]) == (5, 1)
    assert (usage["inputTokens"], usage["outputTokens"]) == (3_000_001_100, 530)
    assert usage["costUsd"] == "1200.010588"
    assert [(m["provider"], m["calls"], m["costUsd"]) for m in usage["byModel"]] == [
        ("OPENAI", 4, "1200.000088"), ("ANTHROPIC", 1, "0.010500")]
    assert datetime.fromisoformat(usage["from"]) == START
    assert datetime.fromisoformat(usage["to"]) == END
    own = gql.data(USAGE, {**variables, "userId": str(first)}, token=token)["aiUsage"]
    assert own == usage


def test_a_member_may_not_see_another_users_usage(
    gql: GraphQLClient, ledger: dict[str, Any]
) -> None:
    token, _ = ledger["first"]
    for other in (ledger["second"][1], ledger["admin"][1]):
        error = gql.error(USAGE, {"from": START.isoformat(), "to": END.isoformat(),
                                  "userId": str(other)}, token=token)
        assert error["extensions"]["code"] == "FORBIDDEN"


def test_an_admin_sees_the_instance_or_any_user(
    gql: GraphQLClient, ledger: dict[str, Any]
) -> None:
    token, _ = ledger["admin"]
    variables = {"from": START.isoformat(), "to": END.isoformat()}
    instance = gql.data(USAGE, variables, token=token)["aiUsage"]
    assert instance["userId"] is None
    assert (instance["calls"], instance["failedCalls"], instance["costUsd"]) == (
        7, 1, "1200.010821")
    second = gql.data(USAGE, {**variables, "userId": str(ledger["second"][1])},
                      token=token)["aiUsage"]
    assert (second["calls"], second["inputTokens"], second["costUsd"]) == (1, 7, "0.000008")


def test_the_range_is_checked(gql: GraphQLClient, ledger: dict[str, Any]) -> None:
    token, _ = ledger["first"]
    backwards = gql.error(USAGE, {"from": END.isoformat(), "to": START.isoformat()},
                          token=token)
    assert backwards["extensions"]["code"] == "BAD_USER_INPUT"
    assert backwards["extensions"]["field"] == "from"
    too_long = gql.error(USAGE, {"from": "2000-01-01T00:00:00+00:00",
                                 "to": "2020-01-01T00:00:00+00:00"}, token=token)
    assert too_long["extensions"]["code"] == "BAD_USER_INPUT"
    bad_id = gql.error(USAGE, {"from": START.isoformat(), "to": END.isoformat(),
                               "userId": "nope"}, token=token)
    assert bad_id["extensions"]["code"] == "BAD_USER_INPUT"
    # A time without a zone is UTC: the same month, the same sums.
    naive = gql.data(USAGE, {"from": "2025-03-01T00:00:00", "to": "2025-04-01T00:00:00"},
                     token=token)["aiUsage"]
    assert naive["calls"] == 5
    # Another zone is the same instant: midnight UTC is 02:00 in Helsinki (EET, +02:00).
    zoned = gql.data(USAGE, {"from": "2025-03-01T02:00:00+02:00",
                             "to": "2025-04-01T03:00:00+03:00"}, token=token)["aiUsage"]
    assert zoned["calls"] == 5


def test_usage_needs_a_signed_in_user(gql: GraphQLClient) -> None:
    error = gql.error(USAGE, {"from": START.isoformat(), "to": END.isoformat()})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_gateway_calls_show_up_in_the_usage(
    server: LiveServer, gql: GraphQLClient, people: dict[str, Any],
    fake_providers: FakeProviders,
) -> None:
    admin_token, admin_id = people["admin"]
    admin = fetch(server, User.get(id=admin_id))
    for provider, key in ((Provider.OPENAI, OPENAI_KEY), (Provider.ANTHROPIC, ANTHROPIC_KEY)):
        server.call(server.services.integrations.set(admin, provider, [("apiKey", key)], None,
                                                     CLI_CLIENT))
    gateway = LLMGateway(server.services.integrations, server.services.settings)
    member_token, member_id = people["first"]
    fake_providers.fail_next("anthropic", 401)
    try:
        answered = server.call(gateway.complete("Summarise this", user_id=member_id))
        embedded = server.call(gateway.embed(["one", "two"], user_id=member_id))
        server.call(gateway.complete("Another", user_id=admin_id, prefer=Provider.OPENAI))
    finally:
        server.call(gateway.close())
    now = datetime.now(UTC)
    variables = {"from": (now - timedelta(hours=1)).isoformat(),
                 "to": (now + timedelta(hours=1)).isoformat()}
    usage = gql.data(USAGE, variables, token=member_token)["aiUsage"]
    assert (usage["calls"], usage["failedCalls"]) == (3, 1)  # Claude refused, OpenAI answered
    assert usage["inputTokens"] == answered.input_tokens + embedded.input_tokens
    assert usage["outputTokens"] == answered.output_tokens
    assert Decimal(usage["costUsd"]) == answered.cost_usd + embedded.cost_usd > 0
    models = {(m["provider"], m["model"]): m for m in usage["byModel"]}
    assert set(models) == {("ANTHROPIC", "claude-sonnet-4-5"), ("OPENAI", "gpt-4.1-mini"),
                           ("OPENAI", "text-embedding-3-small")}
    assert models["ANTHROPIC", "claude-sonnet-4-5"]["failedCalls"] == 1
    instance = gql.data(USAGE, variables, token=admin_token)["aiUsage"]
    assert instance["calls"] == 4
