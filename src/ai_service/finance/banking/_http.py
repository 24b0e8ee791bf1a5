"""Plumbing the provider clients share: bounded requests, answers read defensively, dates and
amounts parsed strictly."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ai_service.finance.banking.errors import BankRequestRejected, BankUnavailable


async def send(client: httpx.AsyncClient, method: str, url: str, *, provider: str, label: str,
               seconds: float, **kwargs: Any) -> httpx.Response:
    """One request bounded by `seconds`; network trouble becomes `BankUnavailable` naming
    only the host."""
    try:
        return await client.request(method, url, timeout=seconds, **kwargs)
    except httpx.TimeoutException:
        raise BankUnavailable(f"{label} did not answer within {seconds:g}s; the next sync "
                              "will try again", provider=provider) from None
    except httpx.TransportError:
        host = urlsplit(url).netloc.rpartition("@")[2]  # never user:password@ of a proxy
        raise BankUnavailable(f"{label} could not be reached ({host}); the next sync will try "
                              "again", provider=provider) from None


def body(response: httpx.Response) -> Any:
    """The JSON of an answer, or {} (a proxy in front may answer HTML)."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return {}


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def seconds_header(headers: Mapping[str, str], *names: str) -> int | None:
    """The first of `names` holding a whole number of seconds (Retry-After may be a date)."""
    for name in names:
        raw = headers.get(name)
        if raw is None:
            continue
        raw = raw.strip()
        if raw.isdigit():
            return int(raw)
        try:
            moment = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            continue
        return max(0, int((moment - datetime.now(UTC)).total_seconds()))
    return None


def parse_date(value: Any) -> date | None:
    """An ISO date, or the date part of an ISO date-time; None when absent or unreadable."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        day = parse_date(value)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def amount(value: Any, *, provider: str, label: str) -> Decimal:
    """A money amount from its decimal string (or a JSON number, read through str so no
    binary float rounding creeps in)."""
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BankRequestRejected(f"{label} sent an amount that is not a number",
                                  provider=provider) from None
    if not result.is_finite():
        raise BankRequestRejected(f"{label} sent an amount that is not a number",
                                  provider=provider)
    return result


def stable_id(*parts: Any) -> str:
    """An id for a transaction the bank gave none: the same facts always give the same id."""
    text = json.dumps([str(p) if p is not None else None for p in parts], ensure_ascii=False)
    return "h:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def utc_now() -> datetime:
    return datetime.now(UTC)


def days_from_now(days: int, now: datetime | None = None) -> datetime:
    return (now or utc_now()) + timedelta(days=days)
