"""Enable Banking API.

Every request carries a short-lived RS256 JWT signed with the application's private key (the
same token the connection test makes). Consent: `POST /auth` gives the bank's URL; the bank
sends the user back with `?code=…&state=…`, and `POST /sessions` turns the code into a session
with its accounts. Amounts come unsigned with a credit/debit indicator; transactions come in
pages joined by `continuation_key`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import jwt

from ai_service.finance.banking import _http
from ai_service.finance.banking.errors import (
    BankAuthFailed,
    BankError,
    BankRateLimited,
    BankRequestRejected,
    BankUnavailable,
    ConsentExpired,
    InstitutionError,
    InstitutionIdInvalid,
    when,
)
from ai_service.finance.banking.provider import (
    Balance,
    BankAccount,
    BankTransaction,
    Consent,
    ConsentLink,
    ConsentStatus,
    Institution,
    TransactionStatus,
    balance_kind,
)
from ai_service.finance.banking.quota import QuotaPlanner, Scope
from ai_service.integrations.checks import enable_banking_jwt
from ai_service.integrations.service import IntegrationConfig

NAME = "ENABLE_BANKING"
LABEL = "Enable Banking"
DEFAULT_CONSENT_DAYS = 90
MAX_PAGES = 1000  # a provider looping on one continuation key must not hang a sync
JWT_REUSE_SECONDS = 600  # signing costs an RSA operation; the token itself lives an hour

_STATUSES = {
    "AUTHORIZED": ConsentStatus.LINKED,
    "PENDING_AUTHORIZATION": ConsentStatus.PENDING,
    "RETURNED_FROM_BANK": ConsentStatus.PENDING,
    "CANCELLED": ConsentStatus.REJECTED,
    "INVALID": ConsentStatus.REJECTED,
    "EXPIRED": ConsentStatus.EXPIRED,
    "CLOSED": ConsentStatus.REVOKED,
    "REVOKED": ConsentStatus.REVOKED,
}
_TRANSACTION_STATUSES = {"BOOK": TransactionStatus.BOOKED, "PDNG": TransactionStatus.PENDING}
_SESSION_GONE = ("SESSION", "CONSENT", "EXPIRED", "REVOKED", "CLOSED")
_BANK_REFUSALS = {"ASPSP_ERROR", "ASPSP_TIMEOUT", "ASPSP_ACCOUNT_NOT_ACCESSIBLE"}


class EnableBanking:
    name = NAME
    label = LABEL

    def __init__(self, config: IntegrationConfig, *, base_url: str, http: httpx.AsyncClient,
                 timeout: float, quota: QuotaPlanner | None = None, psu_type: str = "personal",
                 clock: Callable[[], datetime] = _http.utc_now) -> None:
        self._config = config
        self._api = base_url.rstrip("/")
        self._http = http
        self._timeout = timeout
        self._quota = quota
        self._psu_type = psu_type
        self._clock = clock
        self._jwt: tuple[str, float] | None = None

    # -- institutions and consent -------------------------------------------------------------

    async def institutions(self, country: str) -> list[Institution]:
        found = _http.obj(await self._call("GET", "/aspsps", params={
            "country": country.upper(), "psu_type": self._psu_type}))
        return [_institution(a) for a in found.get("aspsps") or [] if isinstance(a, dict)]

    async def institution(self, institution_id: str) -> Institution | None:
        country = institution_id.partition(":")[0]
        if len(country) != 2:
            raise InstitutionIdInvalid(f"An {LABEL} institutionId is COUNTRY:Name, e.g. "
                                       "FI:Nordea")
        return next((i for i in await self.institutions(country) if i.id == institution_id),
                    None)

    async def start_consent(self, institution_id: str, redirect_url: str, reference: str,
                            history_days: int | None = None,
                            consent_days: int | None = None) -> ConsentLink:
        # History is not part of the consent here: the transactions call asks for it.
        country, name = _split_id(institution_id)
        bank = next((i for i in await self.institutions(country) if i.name == name), None)
        if bank is None:
            raise BankRequestRejected(f"{LABEL} does not list the bank {name} in {country}",
                                      provider=NAME)
        allowed = bank.max_consent_days
        days = max(1, min(consent_days or allowed or DEFAULT_CONSENT_DAYS,
                          allowed or DEFAULT_CONSENT_DAYS))
        valid_until = self._clock() + timedelta(days=days)
        started = _http.obj(await self._call("POST", "/auth", json={
            "access": {"valid_until": valid_until.isoformat()},
            "aspsp": {"name": name, "country": country}, "state": reference,
            "redirect_url": redirect_url, "psu_type": self._psu_type,
        }))
        return ConsentLink(provider_ref=str(started.get("authorization_id")),
                           url=str(started.get("url")), reference=reference,
                           consent_expires_at=valid_until, institution_id=institution_id)

    async def complete_consent(self, provider_ref: str,
                               callback_params: Mapping[str, str]) -> Consent:
        if callback_params.get("error"):
            # The user cancelled or the bank refused; nothing to exchange.
            return Consent(provider_ref=provider_ref, status=ConsentStatus.REJECTED,
                           account_ids=(), consent_expires_at=None, institution_id=None,
                           raw=dict(callback_params))
        code = callback_params.get("code")
        if not code:
            raise BankRequestRejected(f"{LABEL}: the bank's redirect carried no authorisation "
                                      "code; start linking the bank again", provider=NAME)
        session = _http.obj(await self._call("POST", "/sessions", json={"code": code}))
        return _consent(session, default_status=ConsentStatus.LINKED)

    async def consent(self, provider_ref: str) -> Consent:
        session = _http.obj(await self._call("GET", f"/sessions/{provider_ref}"))
        session.setdefault("session_id", provider_ref)
        return _consent(session, default_status=ConsentStatus.PENDING)

    async def revoke(self, provider_ref: str) -> None:
        try:
            await self._call("DELETE", f"/sessions/{provider_ref}")
        except (ConsentExpired, BankRequestRejected) as exc:
            if isinstance(exc, BankRequestRejected) and exc.extensions.get("status") != 404:
                raise

    # -- accounts -------------------------------------------------------------------------------

    async def accounts(self, consent: Consent) -> list[BankAccount]:
        """The session's accounts as `POST /sessions` described them (no bank call); a consent
        read back from `GET /sessions/{id}` has only ids, so their details are fetched."""
        described = {str(a.get("uid")): a for a in consent.raw.get("accounts") or []
                     if isinstance(a, dict)}
        result = []
        for uid in consent.account_ids:
            if uid in described:
                result.append(_account(uid, described[uid], consent.institution_id))
            else:
                result.append(await self.account_details(uid))
        return result

    async def account_details(self, account_id: str) -> BankAccount:
        found = _http.obj(await self._call("GET", f"/accounts/{account_id}/details",
                                           scope=(account_id, Scope.DETAILS)))
        return _account(account_id, found, None)

    async def balances(self, account_id: str) -> list[Balance]:
        found = _http.obj(await self._call("GET", f"/accounts/{account_id}/balances",
                                           scope=(account_id, Scope.BALANCES)))
        result = []
        for item in found.get("balances") or []:
            money = _http.obj(_http.obj(item).get("balance_amount"))
            kind = str(item.get("balance_type") or "")
            result.append(Balance(
                amount=_http.amount(money.get("amount"), provider=NAME, label=LABEL),
                currency=str(money.get("currency") or ""), type=kind, kind=balance_kind(kind),
                reference_date=_http.parse_date(item.get("reference_date"))
                or _http.parse_date(item.get("last_change_date_time")), raw=item))
        return result

    async def transactions(self, account_id: str, date_from: date | None,
                           date_to: date | None) -> list[BankTransaction]:
        base: dict[str, str] = {}
        if date_from is not None:
            base["date_from"] = date_from.isoformat()
        else:
            base["strategy"] = "longest"  # as far back as the bank gives
        if date_to is not None:
            base["date_to"] = date_to.isoformat()
        fallback = date_to or self._clock().date()
        result: list[BankTransaction] = []
        seen: Counter[str] = Counter()
        keys: set[str] = set()
        params = base
        for _ in range(MAX_PAGES):
            page = _http.obj(await self._call("GET", f"/accounts/{account_id}/transactions",
                                              params=params,
                                              scope=(account_id, Scope.TRANSACTIONS)))
            for item in page.get("transactions") or []:
                if isinstance(item, dict) and item.get("status", "BOOK") in _TRANSACTION_STATUSES:
                    result.append(_transaction(account_id, item, seen, fallback))
            key = page.get("continuation_key")
            # A page may be empty and still carry a key: only its absence ends the list.
            if not key or key in keys:
                return result
            keys.add(str(key))
            params = {**base, "continuation_key": str(key)}
        raise BankUnavailable(f"{LABEL} kept sending more pages of transactions; the sync "
                              f"stopped after {MAX_PAGES}", provider=NAME)

    # -- HTTP -------------------------------------------------------------------------------------

    def _token(self) -> str:
        now = self._clock().timestamp()
        if self._jwt is None or self._jwt[1] + JWT_REUSE_SECONDS < now:
            try:
                # enable_banking_jwt reads the wall clock; the token must be valid for the API.
                self._jwt = (enable_banking_jwt(self._config, now=time.time()), now)
            except (ValueError, TypeError, jwt.PyJWTError):
                raise BankAuthFailed(f"{LABEL}: the private key cannot sign requests; enter it "
                                     "again under Settings → Integrations", provider=NAME) from None
        return self._jwt[0]

    async def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                    json: Any = None, scope: tuple[str, Scope] | None = None) -> Any:
        if scope is not None and self._quota is not None:
            quota = await self._quota.quota(*scope)
            if quota.blocked_until is not None:  # the bank said no until then: do not ask
                raise _limited(scope, quota.blocked_until)
        response = await _http.send(
            self._http, method, f"{self._api}{path}", provider=NAME, label=LABEL,
            seconds=self._timeout, params=params, json=json,
            headers={"Authorization": f"Bearer {self._token()}", "Accept": "application/json"})
        if response.status_code < 400:
            return _http.body(response)
        raise await self._failure(response, scope)

    async def _failure(self, response: httpx.Response,
                       scope: tuple[str, Scope] | None) -> BankError:
        status = response.status_code
        error = _http.obj(_http.body(response))
        code = str(error.get("error") or "").upper()
        message = " ".join(str(error.get("message") or "no reason given").split())[:200]
        if status == 429:
            if scope is not None and self._quota is not None:
                retry_at = await self._quota.record_rate_limited(*scope,
                                                                 headers=response.headers)
            else:
                seconds = _http.seconds_header(response.headers, "Retry-After")
                retry_at = self._clock() + timedelta(seconds=seconds or 3600)
            if scope is not None:
                return _limited(scope, retry_at)
            return BankRateLimited(f"{LABEL} is rate-limiting requests; try again after "
                                   f"{when(retry_at)}", provider=NAME, retry_at=retry_at)
        # A lapsed session is a 401 too: the error code tells it from a bad application key.
        if any(word in code for word in _SESSION_GONE) or (status == 403 and scope):
            return ConsentExpired(f"{LABEL}: access to this bank has expired or was revoked; "
                                  "link the bank again to keep syncing", provider=NAME)
        if status == 401:
            return BankAuthFailed(f"{LABEL} rejected the application's signed token; check the "
                                  "application id and private key under Settings → "
                                  "Integrations", provider=NAME)
        if status >= 500 or status == 408:
            if "ASPSP" in code:
                return InstitutionError(f"{LABEL}: the bank did not answer ({message}); the "
                                        "next sync will try again", provider=NAME)
            return BankUnavailable(f"{LABEL} is unavailable ({status}); the next sync will "
                                   "try again", provider=NAME)
        if code in _BANK_REFUSALS:
            return InstitutionError(f"{LABEL}: the bank refused the request ({message})",
                                    provider=NAME)
        failure = BankRequestRejected(f"{LABEL} refused the request: {message}", provider=NAME)
        failure.extensions["status"] = status
        return failure


# --------------------------------------------------------------------------- mapping


def _split_id(institution_id: str) -> tuple[str, str]:
    """Enable Banking names banks by country and name; our id is "FI:Nordea"."""
    country, _, name = institution_id.partition(":")
    if len(country) != 2 or not name:
        raise BankRequestRejected(f"{LABEL}: {institution_id!r} is not a bank id "
                                  "(expected COUNTRY:Name, e.g. FI:Nordea)", provider=NAME)
    return country.upper(), name


def _institution(item: Mapping[str, Any]) -> Institution:
    country = str(item.get("country") or "").upper()
    validity = item.get("maximum_consent_validity")
    history = item.get("transaction_total_days")
    return Institution(
        id=f"{country}:{item.get('name')}", name=str(item.get("name")),
        bic=item.get("bic") or None, countries=(country,) if country else (),
        logo=item.get("logo") or None,
        max_history_days=int(history) if isinstance(history, int) else None,
        max_consent_days=int(validity) // 86400 if isinstance(validity, int) and validity
        else None, raw=item)


def _consent(session: Mapping[str, Any], default_status: ConsentStatus) -> Consent:
    aspsp = _http.obj(session.get("aspsp"))
    accounts = session.get("accounts") or []
    ids = tuple(str(a.get("uid")) if isinstance(a, dict) else str(a) for a in accounts)
    status = _STATUSES.get(str(session.get("status") or ""), default_status)
    institution = f"{str(aspsp.get('country')).upper()}:{aspsp.get('name')}" \
        if aspsp.get("name") else None
    return Consent(provider_ref=str(session.get("session_id")), status=status, account_ids=ids,
                   consent_expires_at=_http.parse_datetime(
                       _http.obj(session.get("access")).get("valid_until")),
                   institution_id=institution, raw=session)


def _account(uid: str, item: Mapping[str, Any], institution_id: str | None) -> BankAccount:
    identification = _http.obj(item.get("account_id"))
    return BankAccount(
        provider_account_id=uid, iban=identification.get("iban"),
        name=item.get("details") or item.get("product") or item.get("name"),
        currency=item.get("currency"), owner_name=item.get("name"),
        product=item.get("product"), institution_id=institution_id, raw=item)


def _transaction(account_id: str, item: Mapping[str, Any], seen: Counter[str],
                 fallback: date) -> BankTransaction:
    status = _TRANSACTION_STATUSES[str(item.get("status", "BOOK"))]
    money = _http.obj(item.get("transaction_amount"))
    magnitude = abs(_http.amount(money.get("amount"), provider=NAME, label=LABEL))
    outgoing = str(item.get("credit_debit_indicator")).upper() == "DBIT"
    value = -magnitude if outgoing else magnitude
    currency = str(money.get("currency") or "")
    party, party_account = ("creditor", "creditor_account") if outgoing \
        else ("debtor", "debtor_account")
    counterparty = _http.obj(item.get(party)).get("name") or None
    iban = _http.obj(item.get(party_account)).get("iban") or None
    lines = item.get("remittance_information") or []
    if isinstance(lines, str):
        lines = [lines]
    description = " ".join(" ".join(str(x).strip() for x in lines if str(x).strip()).split())
    if not description:
        description = str(item.get("note") or _http.obj(item.get("bank_transaction_code"))
                          .get("description") or counterparty or "")
    value_date = _http.parse_date(item.get("value_date"))
    day = _http.parse_date(item.get("booking_date")) or value_date \
        or _http.parse_date(item.get("transaction_date")) or fallback
    reference = item.get("reference_number") or item.get("entry_reference") or None
    provider_id = item.get("transaction_id") or item.get("entry_reference")
    if not provider_id:
        facts = (account_id, status.value, day.isoformat(), str(value), currency, description,
                 counterparty, iban, reference)
        signature = _http.stable_id(*facts)
        seen[signature] += 1
        provider_id = _http.stable_id(*facts, seen[signature])
    return BankTransaction(
        provider_id=str(provider_id), account_id=account_id, status=status, booking_date=day,
        value_date=value_date, amount=value, currency=currency, description=description,
        counterparty_name=counterparty, counterparty_iban=iban,
        reference=str(reference) if reference else None, raw=item)


def _limited(scope: tuple[str, Scope], retry_at: datetime) -> BankRateLimited:
    return BankRateLimited(f"{LABEL}: the bank's limit for this account's {scope[1].value} is "
                           f"used up; the next sync is possible at {when(retry_at)}",
                           provider=NAME, retry_at=retry_at, scope=scope[1].value)
