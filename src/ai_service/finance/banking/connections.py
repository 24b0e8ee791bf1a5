"""Reading bank connections: a user's own, and the batches the GraphQL loaders ask for."""

from __future__ import annotations

from collections.abc import Sequence

from ai_service.core.errors import NotFound
from ai_service.finance.bank_models import BankConnection
from ai_service.finance.models import Account


async def owned(owner_id: int, connection_id: int) -> BankConnection:
    found = await BankConnection.get_or_none(id=connection_id, owner_id=owner_id)
    if found is None:
        raise NotFound("Bank connection not found")
    return found


async def of_owner(owner_id: int) -> list[tuple[BankConnection, list[Account]]]:
    """Newest first, each with the accounts it syncs."""
    rows = await BankConnection.filter(owner_id=owner_id).order_by("-created_at", "-id")
    accounts: dict[int, list[Account]] = {}
    for account in await Account.filter(owner_id=owner_id,
                                        bank_connection_id__in=[r.id for r in rows]
                                        ).order_by("id"):
        accounts.setdefault(account.bank_connection_id or 0, []).append(account)
    return [(row, accounts.get(row.id, [])) for row in rows]


async def by_ids(ids: Sequence[int]) -> dict[int, BankConnection]:
    return {c.id: c for c in await BankConnection.filter(id__in=list(ids))}


async def accounts_of(connection_ids: Sequence[int]) -> dict[int, list[Account]]:
    """The accounts each connection syncs, oldest first."""
    found: dict[int, list[Account]] = {}
    for account in await Account.filter(bank_connection_id__in=list(connection_ids)
                                        ).order_by("id"):
        found.setdefault(account.bank_connection_id or 0, []).append(account)
    return found
