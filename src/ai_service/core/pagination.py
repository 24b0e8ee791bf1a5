"""Keyset pagination over an id-ordered queryset: stable under inserts, O(page) per request."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from ai_service.core.errors import BadUserInput

MAX_PAGE = 100
MAX_ID = 2**63 - 1  # BIGINT: anything larger cannot name a row, and would overflow the driver
DEFAULT_PAGE = 20
M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    items: Sequence[M]
    has_next: bool
    has_previous: bool


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        key = int(value)
        if prefix != "k" or not 0 <= key <= MAX_ID:
            raise ValueError(prefix)
        return key
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadUserInput("Invalid cursor", field="after") from exc


def check_first(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE}", field="first")
    return first


async def keyset_page(
    query: QuerySet[M], first: int, after: str | None, order: Literal["asc", "desc"] = "asc"
) -> Page[M]:
    """One page of `query` ordered by id, starting after the `after` cursor."""
    check_first(first)
    if after is not None:
        key = decode_cursor(after)
        query = query.filter(id__gt=key) if order == "asc" else query.filter(id__lt=key)
    rows = await query.order_by("id" if order == "asc" else "-id").limit(first + 1)
    return Page(items=rows[:first], has_next=len(rows) > first, has_previous=after is not None)


def parse_id(value: str, field: str = "id") -> int:
    """A row id from a client (a GraphQL ID or a path segment); BadUserInput naming `field`."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number <= MAX_ID:
        raise BadUserInput(f"`{field}` is not a valid id", field=field)
    return number
