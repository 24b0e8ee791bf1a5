"""Spending GoCardless's scarce bank requests wisely.

Banks allow as few as 4 successful requests per account, per scope (details, balances,
transactions), per rolling 24 hours; some allow fewer and say so in the
`HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_*` response headers. The planner remembers every call in the
Cache (Redis when configured, so all processes share it), answers "may I call now?" and "when
next?", learns each bank's real limit from the headers, and after a 429 blocks that scope until
the reset the bank announced. When requests are scarce it spends them on transactions first,
then balances; details rarely change and are fetched once per consent.

Updates are read-modify-write: two processes syncing the same account at the same instant could
both spend the last request. Sync jobs run one per connection, which keeps that from happening.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ai_service.core.cache import Cache
from ai_service.finance.banking._http import seconds_header, utc_now

DEFAULT_LIMIT = 4
DEFAULT_WINDOW = timedelta(hours=24)

# The names GoCardless documents (underscored, as their API sends them), and the dashed spelling
# some proxies turn them into. httpx headers ignore case.
LIMIT_HEADERS = ("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT", "X-RateLimit-Account-Success-Limit")
REMAINING_HEADERS = ("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING",
                     "X-RateLimit-Account-Success-Remaining")
RESET_HEADERS = ("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", "X-RateLimit-Account-Success-Reset")


class Scope(StrEnum):
    """Quota scopes, most valuable first."""

    TRANSACTIONS = "transactions"
    BALANCES = "balances"
    DETAILS = "details"


@dataclass(frozen=True)
class ScopeQuota:
    scope: Scope
    limit: int
    used: int  # successful calls in the last window, as we counted them
    remaining: int  # the smaller of our count and what the bank last said
    next_allowed_at: datetime  # now when a call is allowed
    blocked_until: datetime | None  # set by a 429 or by the bank saying 0 remain

    @property
    def allowed(self) -> bool:
        return self.remaining > 0 and self.blocked_until is None


@dataclass(frozen=True)
class SyncPlan:
    account_id: str
    fetch: tuple[Scope, ...]  # call these now, in this order
    deferred: Mapping[Scope, datetime] = field(default_factory=dict)  # when the others may be


@dataclass
class _Record:
    calls: list[float] = field(default_factory=list)  # epoch seconds of successful calls
    limit: int | None = None  # the bank's own limit, once a header told us
    blocked_until: float | None = None
    remaining: int | None = None  # what the bank last said remains …
    remaining_until: float | None = None  # … until this moment

    def dump(self) -> bytes:
        return json.dumps(self.__dict__).encode()

    @classmethod
    def load(cls, raw: bytes | None) -> _Record:
        if not raw:
            return cls()
        try:
            data: dict[str, Any] = json.loads(raw)
            return cls(calls=[float(c) for c in data.get("calls", [])],
                       limit=data.get("limit"), blocked_until=data.get("blocked_until"),
                       remaining=data.get("remaining"),
                       remaining_until=data.get("remaining_until"))
        except (ValueError, TypeError, AttributeError):
            return cls()  # a damaged entry must not stop syncing; the bank's 429 still protects


class QuotaPlanner:
    def __init__(self, cache: Cache, namespace: str = "gocardless", *,
                 limit: int = DEFAULT_LIMIT, window: timedelta = DEFAULT_WINDOW,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._cache = cache
        self._namespace = namespace
        self._limit = limit
        self._window = window.total_seconds()
        self._clock = clock

    # -- reading ---------------------------------------------------------------------------

    async def quota(self, account_id: str, scope: Scope) -> ScopeQuota:
        record = await self._load(account_id, scope)
        return self._quota(record, scope, self._clock().timestamp())

    async def may_call(self, account_id: str, scope: Scope) -> bool:
        return (await self.quota(account_id, scope)).allowed

    async def next_allowed_at(self, account_id: str, scope: Scope) -> datetime:
        return (await self.quota(account_id, scope)).next_allowed_at

    async def plan(self, account_id: str, *, details_known: bool) -> SyncPlan:
        """What one sync of this account should fetch now.

        Transactions whenever allowed. Balances too, but a scope's last request of the window
        is kept for a sync that also gets transactions, so balance and transactions agree.
        Details only while unknown for this consent."""
        quotas = {scope: await self.quota(account_id, scope) for scope in Scope}
        fetch: list[Scope] = []
        deferred: dict[Scope, datetime] = {}
        transactions = quotas[Scope.TRANSACTIONS]
        if transactions.allowed:
            fetch.append(Scope.TRANSACTIONS)
        else:
            deferred[Scope.TRANSACTIONS] = transactions.next_allowed_at
        balances = quotas[Scope.BALANCES]
        if balances.allowed and (balances.remaining > 1 or transactions.allowed):
            fetch.append(Scope.BALANCES)
        else:
            deferred[Scope.BALANCES] = max(balances.next_allowed_at,
                                           transactions.next_allowed_at)
        if not details_known:
            details = quotas[Scope.DETAILS]
            if details.allowed:
                fetch.append(Scope.DETAILS)
            else:
                deferred[Scope.DETAILS] = details.next_allowed_at
        return SyncPlan(account_id, tuple(fetch), deferred)

    async def next_sync_at(self, account_ids: Iterable[str]) -> datetime | None:
        """When a sync can fetch transactions for every one of these accounts (now, if it
        can already); None without accounts. This is what the UI shows as the next sync."""
        times = [await self.next_allowed_at(a, Scope.TRANSACTIONS) for a in account_ids]
        return max(times) if times else None

    # -- writing ---------------------------------------------------------------------------

    async def record_call(self, account_id: str, scope: Scope,
                          headers: Mapping[str, str] | None = None) -> None:
        """A successful call; the bank's rate-limit headers, when given, correct our count."""
        now = self._clock().timestamp()
        record = await self._load(account_id, scope)
        record.calls = [*self._live(record, now), now]
        if record.remaining is not None and record.remaining_until is not None \
                and record.remaining_until > now:
            record.remaining = max(0, record.remaining - 1)
        self._learn(record, headers or {}, now)
        await self._save(account_id, scope, record, now)

    async def record_rate_limited(self, account_id: str, scope: Scope,
                                  headers: Mapping[str, str] | None = None) -> datetime:
        """The bank answered 429: block the scope until the reset it announced (else until our
        oldest counted call leaves the window, else a whole window). Returns that moment."""
        now = self._clock().timestamp()
        record = await self._load(account_id, scope)
        record.calls = self._live(record, now)
        headers = headers or {}
        self._learn(record, headers, now)
        seconds = seconds_header(headers, *RESET_HEADERS, "Retry-After")
        if seconds is not None:
            until = now + seconds
        elif record.calls:
            until = min(record.calls) + self._window
        else:
            until = now + self._window
        record.blocked_until = max(until, record.blocked_until or 0)
        await self._save(account_id, scope, record, now)
        return datetime.fromtimestamp(record.blocked_until, UTC)

    # -- internals -------------------------------------------------------------------------

    def _key(self, account_id: str, scope: Scope) -> str:
        return f"bank-quota:{self._namespace}:{account_id}:{scope.value}"

    async def _load(self, account_id: str, scope: Scope) -> _Record:
        return _Record.load(await self._cache.get(self._key(account_id, scope)))

    async def _save(self, account_id: str, scope: Scope, record: _Record, now: float) -> None:
        # Kept as long as anything in it still matters, so a quiet account leaves no litter.
        horizon = max([now + self._window, *(c + self._window for c in record.calls),
                       record.blocked_until or 0, record.remaining_until or 0])
        await self._cache.set(self._key(account_id, scope), record.dump(), ttl=horizon - now + 60)

    def _live(self, record: _Record, now: float) -> list[float]:
        return sorted(c for c in record.calls if c > now - self._window)

    def _learn(self, record: _Record, headers: Mapping[str, str], now: float) -> None:
        limit = seconds_header(headers, *LIMIT_HEADERS)
        if limit is not None and limit > 0:
            record.limit = limit
        remaining = seconds_header(headers, *REMAINING_HEADERS)
        reset = seconds_header(headers, *RESET_HEADERS)
        if remaining is not None:
            record.remaining = remaining
            record.remaining_until = now + (reset if reset is not None else self._window)
            if remaining == 0:
                record.blocked_until = record.remaining_until

    def _quota(self, record: _Record, scope: Scope, now: float) -> ScopeQuota:
        limit = record.limit or self._limit
        calls = self._live(record, now)
        remaining = max(0, limit - len(calls))
        next_at = now
        if remaining == 0:
            # The call that must leave the window before one more fits.
            next_at = calls[len(calls) - limit] + self._window
        server_says = record.remaining is not None and (record.remaining_until or 0) > now
        if server_says and record.remaining is not None and record.remaining < remaining:
            remaining = record.remaining
            if remaining == 0:
                next_at = max(next_at, record.remaining_until or now)
        blocked = record.blocked_until if record.blocked_until and record.blocked_until > now \
            else None
        if blocked is not None:
            next_at = max(next_at, blocked)
        return ScopeQuota(
            scope=scope, limit=limit, used=len(calls), remaining=remaining,
            next_allowed_at=datetime.fromtimestamp(next_at, UTC),
            blocked_until=datetime.fromtimestamp(blocked, UTC) if blocked else None,
        )
