"""Linking a bank through an open-banking provider: `connect` asks the provider for a consent
link and remembers a PENDING connection under a random `reference`; the bank sends the browser
back to the callback route, where `complete` finishes the consent, creates (or, after a
re-link, adopts) the accounts, retires the connection a re-link replaced, queues the first sync
and says where to send the browser. `relink` starts a new consent from a reminder's link;
`disconnect` ends one.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from ai_service.core.errors import (
    BadUserInput,
    IntegrationNotConfigured,
    IntegrationUnavailable,
    NotFound,
)
from ai_service.finance.bank_models import BankConnection, ConnectionStatus
from ai_service.finance.banking.access import BankAccess, bank_provider_name
from ai_service.finance.banking.accounts import ensure_accounts
from ai_service.finance.banking.errors import BankError, InstitutionIdInvalid
from ai_service.finance.banking.provider import Consent, ConsentStatus, Institution
from ai_service.finance.banking.syncing import BankSyncing
from ai_service.finance.banking.urls import BankUrls, check_redirect, origin
from ai_service.finance.models import Account
from ai_service.integrations.providers import Provider

log = logging.getLogger(__name__)


class BankLinking:
    def __init__(self, access: BankAccess, syncing: BankSyncing, urls: BankUrls) -> None:
        self.access = access
        self.syncing = syncing
        self.urls = urls

    async def institutions(self, owner_id: int, provider: str,
                           country: str) -> list[Institution]:
        name = bank_provider_name(provider)
        country = (country or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise BadUserInput("country is a two-letter ISO 3166 code, e.g. DE", field="country")
        async with self.access.open(name, owner_id) as bank:
            return sorted(await bank.institutions(country), key=lambda i: i.name.lower())

    async def connect(self, owner_id: int, provider: str, institution_id: str,
                      redirect_url: str, *, base_url: str) -> tuple[BankConnection, str]:
        """A PENDING connection and the bank's consent URL to send the browser to."""
        name = bank_provider_name(provider)
        public = self.urls.public(base_url)
        return_url = check_redirect(redirect_url, origin(public))
        institution_id = (institution_id or "").strip()
        if not institution_id or len(institution_id) > 200:
            raise BadUserInput("institutionId is required", field="institutionId")
        return await self._start(owner_id, name, institution_id, return_url,
                                 self.urls.callback(public))

    async def _start(self, owner_id: int, provider: Provider, institution_id: str,
                     return_url: str | None, callback_url: str) -> tuple[BankConnection, str]:
        reference = secrets.token_urlsafe(24)
        async with self.access.open(provider, owner_id) as bank:
            try:
                institution = await bank.institution(institution_id)
            except InstitutionIdInvalid as exc:
                raise BadUserInput(str(exc), field="institutionId") from None
            link = await bank.start_consent(institution_id, callback_url, reference)
        connection = await BankConnection.create(
            owner_id=owner_id, provider=provider.value, institution_id=institution_id,
            institution_name=(institution.name if institution else institution_id)[:200],
            reference=reference, provider_ref=link.provider_ref, return_url=return_url,
            callback_url=callback_url,
            max_history_days=institution.max_history_days if institution else None,
            consent_expires_at=link.consent_expires_at)
        return connection, link.url

    async def complete(self, params: Mapping[str, str]) -> str:
        """The bank sent the browser back: finish the consent; returns where to send it next.
        Raises NotFound for a reference we never issued."""
        reference = params.get("state") or params.get("ref") or ""
        connection = await BankConnection.get_or_none(reference=reference[:64]) \
            if reference else None
        if connection is None:
            raise NotFound("This bank link is unknown; start linking the bank again")
        if connection.status is not ConnectionStatus.PENDING:  # a reload of the callback
            return self.urls.back(connection)
        linked = False
        try:
            async with self.access.open(connection.provider, connection.owner_id) as bank:
                consent = await bank.complete_consent(connection.provider_ref or "", params)
                status = _status_of(consent)
                values: dict[str, Any] = {"status": status, "last_error": None}
                if status is ConnectionStatus.LINKED:
                    values.update(provider_ref=consent.provider_ref,
                                  consent_expires_at=consent.consent_expires_at
                                  or connection.consent_expires_at, details_known=[])
                elif status is ConnectionStatus.REJECTED:
                    values["last_error"] = "The consent was cancelled at the bank"
                claimed = await BankConnection.filter(
                    id=connection.id, status=ConnectionStatus.PENDING).update(**values)
                if not claimed:  # another request completed it meanwhile
                    await connection.refresh_from_db()
                    return self.urls.back(connection)
                await connection.refresh_from_db()
                if status is ConnectionStatus.LINKED:
                    await ensure_accounts(connection, bank, consent)
                    linked = True
        except (BankError, IntegrationNotConfigured, IntegrationUnavailable) as exc:
            await BankConnection.filter(id=connection.id).update(
                status=ConnectionStatus.FAILED, last_error=exc.message)
            await connection.refresh_from_db()
            return self.urls.back(connection)
        if linked:
            await self._retire_replaced(connection)
            await self.syncing.enqueue(connection)
        return self.urls.back(connection)

    async def relink(self, connection_id: int, token: str) -> str:
        """The re-link link of a reminder: a new consent at the same bank; returns the bank's
        URL. The accounts move to the new connection once it is linked."""
        connection = await BankConnection.get_or_none(id=connection_id)
        if connection is None or not hmac.compare_digest(self.urls.relink_token(connection),
                                                         token or ""):
            raise NotFound("This re-link link is not valid; link the bank again in the app")
        if connection.status not in (ConnectionStatus.LINKED, ConnectionStatus.EXPIRED):
            raise NotFound("This connection was disconnected; link the bank again in the app")
        callback = connection.callback_url or self.urls.callback(self.urls.public_url or "")
        _, url = await self._start(connection.owner_id, Provider(connection.provider),
                                   connection.institution_id, connection.return_url, callback)
        return url

    async def _retire_replaced(self, connection: BankConnection) -> None:
        """A re-link took over every account of an older connection: end that one."""
        older = await BankConnection.filter(
            owner_id=connection.owner_id, provider=connection.provider,
            institution_id=connection.institution_id,
            status__in=[ConnectionStatus.LINKED, ConnectionStatus.EXPIRED],
        ).exclude(id=connection.id)
        for old in older:
            if await Account.filter(bank_connection_id=old.id).exists():
                continue
            await BankConnection.filter(id=old.id).update(
                status=ConnectionStatus.REVOKED,
                last_error=f"Replaced by connection {connection.id}")
            try:
                async with self.access.open(old.provider, old.owner_id) as bank:
                    await bank.revoke(old.provider_ref or "")
            except (BankError, IntegrationNotConfigured, IntegrationUnavailable) as exc:
                log.info("could not revoke a replaced bank consent: %s", exc.message)

    async def disconnect(self, connection: BankConnection) -> BankConnection:
        """Ends the consent at the provider; the accounts and their transactions stay."""
        problem = None
        if connection.provider_ref and connection.status in (
                ConnectionStatus.LINKED, ConnectionStatus.PENDING, ConnectionStatus.EXPIRED):
            try:
                async with self.access.open(connection.provider, connection.owner_id) as bank:
                    await bank.revoke(connection.provider_ref)
            except (BankError, IntegrationNotConfigured, IntegrationUnavailable) as exc:
                problem = f"Disconnected here, but the provider could not be told: {exc.message}"
        await BankConnection.filter(id=connection.id).update(
            status=ConnectionStatus.REVOKED, last_error=problem, next_sync_at=None)
        await connection.refresh_from_db()
        return connection


def _status_of(consent: Consent) -> ConnectionStatus:
    return {ConsentStatus.LINKED: ConnectionStatus.LINKED,
            ConsentStatus.PENDING: ConnectionStatus.PENDING,
            ConsentStatus.EXPIRED: ConnectionStatus.EXPIRED,
            ConsentStatus.REJECTED: ConnectionStatus.REJECTED,
            ConsentStatus.REVOKED: ConnectionStatus.REVOKED}[consent.status]
