"""The Accounts behind a consent: kept across syncs, adopted after a re-link, named and given a
currency as the bank tells them."""

from __future__ import annotations

from ai_service.finance.bank_models import BankConnection
from ai_service.finance.banking.provider import BankAccount, BankProvider, Consent
from ai_service.finance.models import Account, AccountSource, AccountType

UNKNOWN_CURRENCY = "XXX"  # ISO 4217 "no currency": until the bank tells the account's


async def ensure_accounts(connection: BankConnection, bank: BankProvider,
                          consent: Consent) -> list[Account]:
    """An Account per account of the consent: existing ones kept, ones the user had linked
    before (same IBAN) adopted, new ones created."""
    existing = {a.provider_account_id: a for a in
                await Account.filter(bank_connection_id=connection.id)}
    missing = [pid for pid in consent.account_ids if pid not in existing]
    if missing:
        described = {b.provider_account_id: b for b in await bank.accounts(consent)}
        known = list(connection.details_known or [])
        for pid in missing:
            about = described.get(pid)
            existing[pid] = await _account_for(connection, pid, about)
            if about is not None and about.name and about.currency:
                known.append(pid)
        connection.details_known = known
        await BankConnection.filter(id=connection.id).update(details_known=known)
    return [existing[pid] for pid in consent.account_ids if pid in existing]


async def _account_for(connection: BankConnection, pid: str,
                       about: BankAccount | None) -> Account:
    source = AccountSource(connection.provider)
    iban = (about.iban or "").replace(" ", "").upper()[:34] or None if about else None
    if iban:
        adopted = await Account.filter(
            owner_id=connection.owner_id, iban=iban,
            source__in=[AccountSource.GOCARDLESS, AccountSource.ENABLE_BANKING],
        ).exclude(bank_connection_id=connection.id).order_by("id").first()
        if adopted is not None:
            adopted.provider_account_id = pid
            adopted.bank_connection_id = connection.id
            adopted.source = source
            adopted.archived = False
            await adopted.save(update_fields=["provider_account_id", "bank_connection_id",
                                              "source", "archived", "updated_at"])
            return adopted
    product = (about.product or "") if about else ""
    name = (about.name if about else None) or product or placeholder(connection, iban, pid)
    return await Account.create(
        owner_id=connection.owner_id, name=name[:100],
        institution=connection.institution_name[:100], iban=iban,
        currency=((about.currency if about else None) or UNKNOWN_CURRENCY).upper()[:3],
        type=AccountType.SAVINGS if "saving" in product.lower() else AccountType.CHECKING,
        source=source, provider_account_id=pid, bank_connection_id=connection.id)


def placeholder(connection: BankConnection, iban: str | None, pid: str) -> str:
    """An account's name until the bank says it."""
    return f"{connection.institution_name} {('…' + iban[-4:]) if iban else pid[:8]}"[:100]


def apply_details(account: Account, details: BankAccount, placeholder_name: str) -> set[str]:
    """What the bank's account details fill in; returns the changed fields."""
    changed = set()
    if details.currency and account.currency == UNKNOWN_CURRENCY:
        account.currency = details.currency.upper()[:3]
        changed.add("currency")
    if details.name and account.name == placeholder_name:  # never over the user's own name
        account.name = details.name[:100]
        changed.add("name")
    if details.iban and not account.iban:
        account.iban = details.iban.replace(" ", "").upper()[:34]
        changed.add("iban")
    return changed
