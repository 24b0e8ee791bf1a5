"""GoCardless Bank Account Data API v2 (formerly Nordigen).

Consent is a requisition tied to an end-user agreement (how many days of history, how many days
of access); the user approves it at their bank and lands on our redirect with `?ref=<reference>`.
Amounts come signed. Access tokens live 24 hours, refresh tokens 30 days: both are kept in the
Cache and renewed a minute before they lapse. Account data calls are limited by the bank per
account and scope; the `QuotaPlanner` is consulted before each and told about each.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from ai_service.core.cache import Cache
from ai_service.finance.banking import _http
from ai_service.finance.banking.errors import (
    BankAuthFailed,
    BankError,
    BankRateLimited,
    BankRequestRejected,
    BankUnavailable,
    ConsentExpired,
    InstitutionError,
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

NAME = "GOCARDLESS"
LABEL = "GoCardless"
TOKEN_MARGIN_SECONDS = 60  # renew this long before expiry: a request must not carry a dying token
DEFAULT_HISTORY_DAYS = 90  # what every bank must give under PSD2
DEFAULT_ACCESS_DAYS = 90
ACCESS_SCOPE = ["balances", "details", "transactions"]

_STATUSES = {
    "LN": ConsentStatus.LINKED,
    "EX": ConsentStatus.EXPIRED,
    "RJ": ConsentStatus.REJECTED,
    "SU": ConsentStatus.REVOKED,  # suspended after repeated bank errors
    # CR created, GC giving consent, UA authenticating, SA selecting accounts, GA granting
}
_BANK_SIDE_ERRORS = {"ServiceError", "ConnectionError", "InstitutionError", "UnknownRequestError"}


class GoCardless:
    name = NAME
    label = LABEL

    def __init__(self, secret_id: str, secret_key: str, *, base_url: str, cache: Cache,
                 http: httpx.AsyncClient, timeout: float, quota: QuotaPlanner | None = None,
                 clock: Callable[[], datetime] = _http.utc_now) -> None:
        self._secret_id = secret_id
        self._secret_key = secret_key
        self._api = f"{base_url.rstrip('/')}/api/v2"
        self._cache = cache
        self._http = http
        self._timeout = timeout
        self._quota = quota
        self._clock = clock
        # Tokens are per secret id: two users with their own GoCardless keys never share one.
        self._token_key = "bank-token:gocardless:" + hashlib.sha256(secret_id.encode()) \
            .hexdigest()[:24]
        self._token_lock = asyncio.Lock()

    # -- institutions and consent -------------------------------------------------------------

    async def institutions(self, country: str) -> list[Institution]:
        found = await self._call("GET", "/institutions/", params={"country": country.lower()})
        return [_institution(i) for i in found if isinstance(i, dict)] \
            if isinstance(found, list) else []

    async def institution(self, institution_id: str) -> Institution:
        return _institution(_http.obj(await self._call("GET",
                                                       f"/institutions/{institution_id}/")))

    async def start_consent(self, institution_id: str, redirect_url: str, reference: str,
                            history_days: int | None = None,
                            consent_days: int | None = None) -> ConsentLink:
        bank = await self.institution(institution_id)
        history = _clamp(history_days, bank.max_history_days, DEFAULT_HISTORY_DAYS)
        access = _clamp(consent_days, bank.max_consent_days, DEFAULT_ACCESS_DAYS)
        agreement = _http.obj(await self._call("POST", "/agreements/enduser/", json={
            "institution_id": institution_id, "max_historical_days": history,
            "access_valid_for_days": access, "access_scope": ACCESS_SCOPE,
        }))
        requisition = _http.obj(await self._call("POST", "/requisitions/", json={
            "redirect": redirect_url, "institution_id": institution_id,
            "reference": reference, "agreement": agreement.get("id"), "user_language": "EN",
        }))
        return ConsentLink(provider_ref=str(requisition.get("id")),
                           url=str(requisition.get("link")), reference=reference,
                           consent_expires_at=self._clock() + timedelta(days=access),
                           institution_id=institution_id)

    async def complete_consent(self, provider_ref: str,
                               callback_params: Mapping[str, str]) -> Consent:
        # GoCardless appends ?ref=<reference> (and ?error=… when the user gave up); the
        # requisition itself is the truth either way.
        return await self.consent(provider_ref)

    async def consent(self, provider_ref: str) -> Consent:
        requisition = _http.obj(await self._call("GET", f"/requisitions/{provider_ref}/"))
        status = _STATUSES.get(str(requisition.get("status")), ConsentStatus.PENDING)
        expires: datetime | None = None
        if status is ConsentStatus.LINKED and requisition.get("agreement"):
            agreement = _http.obj(await self._call(
                "GET", f"/agreements/enduser/{requisition['agreement']}/"))
            accepted = _http.parse_datetime(agreement.get("accepted"))
            days = agreement.get("access_valid_for_days")
            if accepted is not None and isinstance(days, int | str) and str(days).isdigit():
                expires = accepted + timedelta(days=int(days))
        return Consent(provider_ref=provider_ref, status=status,
                       account_ids=tuple(str(a) for a in requisition.get("accounts") or []),
                       consent_expires_at=expires,
                       institution_id=requisition.get("institution_id"), raw=requisition)

    async def revoke(self, provider_ref: str) -> None:
        try:
            await self._call("DELETE", f"/requisitions/{provider_ref}/")
        except BankRequestRejected as exc:
            if exc.extensions.get("status") != 404:  # already gone is what we wanted
                raise

    # -- accounts -------------------------------------------------------------------------------

    async def accounts(self, consent: Consent) -> list[BankAccount]:
        """Account metadata (IBAN, owner, institution): not counted against the bank's quota."""
        result = []
        for account_id in consent.account_ids:
            meta = _http.obj(await self._call("GET", f"/accounts/{account_id}/"))
            result.append(BankAccount(
                provider_account_id=account_id, iban=meta.get("iban"), name=None,
                currency=None, owner_name=meta.get("owner_name"), product=None,
                institution_id=meta.get("institution_id") or consent.institution_id, raw=meta))
        return result

    async def account_details(self, account_id: str) -> BankAccount:
        found = _http.obj(await self._call("GET", f"/accounts/{account_id}/details/",
                                           scope=(account_id, Scope.DETAILS)))
        account = _http.obj(found.get("account"))
        return BankAccount(
            provider_account_id=account_id, iban=account.get("iban"),
            name=account.get("name") or account.get("displayName") or account.get("product"),
            currency=account.get("currency"), owner_name=account.get("ownerName"),
            product=account.get("product"), institution_id=None, raw=found)

    async def balances(self, account_id: str) -> list[Balance]:
        found = _http.obj(await self._call("GET", f"/accounts/{account_id}/balances/",
                                           scope=(account_id, Scope.BALANCES)))
        result = []
        for item in found.get("balances") or []:
            money = _http.obj(_http.obj(item).get("balanceAmount"))
            kind = str(item.get("balanceType") or "")
            result.append(Balance(
                amount=_http.amount(money.get("amount"), provider=NAME, label=LABEL),
                currency=str(money.get("currency") or ""), type=kind, kind=balance_kind(kind),
                reference_date=_http.parse_date(item.get("referenceDate")), raw=item))
        return result

    async def transactions(self, account_id: str, date_from: date | None,
                           date_to: date | None) -> list[BankTransaction]:
        # One answer holds the whole window: this endpoint has no pages.
        params = {k: v.isoformat() for k, v in (("date_from", date_from),
                                                ("date_to", date_to)) if v is not None}
        found = _http.obj(await self._call("GET", f"/accounts/{account_id}/transactions/",
                                           params=params,
                                           scope=(account_id, Scope.TRANSACTIONS)))
        lists = _http.obj(found.get("transactions"))
        fallback = date_to or self._clock().date()
        result: list[BankTransaction] = []
        for status, key in ((TransactionStatus.BOOKED, "booked"),
                            (TransactionStatus.PENDING, "pending")):
            seen: Counter[str] = Counter()
            for item in lists.get(key) or []:
                if isinstance(item, dict):
                    result.append(_transaction(account_id, status, item, seen, fallback))
        return result

    # -- HTTP -------------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                    json: Any = None, scope: tuple[str, Scope] | None = None) -> Any:
        if scope is not None and self._quota is not None:
            quota = await self._quota.quota(*scope)
            if not quota.allowed:
                raise _scarce(scope[1], quota.limit, quota.next_allowed_at)
        token = await self._access_token()
        response = await self._send(method, path, token, params, json)
        if response.status_code == 401 and _error_type(response) != "AccessExpiredError":
            # Revoked or expired before its time: one fresh token, one more try.
            token = await self._access_token(renew=True)
            response = await self._send(method, path, token, params, json)
        if response.status_code < 400:
            if scope is not None and self._quota is not None:
                await self._quota.record_call(*scope, headers=response.headers)
            return _http.body(response)
        raise await self._failure(response, scope)

    async def _send(self, method: str, path: str, token: str,
                    params: Mapping[str, str] | None, json: Any) -> httpx.Response:
        return await _http.send(self._http, method, f"{self._api}{path}", provider=NAME,
                                label=LABEL, seconds=self._timeout, params=params, json=json,
                                headers={"Authorization": f"Bearer {token}",
                                         "Accept": "application/json"})

    async def _failure(self, response: httpx.Response,
                       scope: tuple[str, Scope] | None) -> BankError:
        status = response.status_code
        error = _http.obj(_http.body(response))
        kind = str(error.get("type") or "")
        if (status == 401 and kind == "AccessExpiredError") or (status == 403 and scope):
            return ConsentExpired(f"{LABEL}: access to this bank has expired or was revoked; "
                                  "link the bank again to keep syncing", provider=NAME)
        if status in (401, 403):
            return BankAuthFailed(f"{LABEL} rejected the secret id and key; check them under "
                                  "Settings → Integrations", provider=NAME)
        if status == 429:
            return await self._rate_limited(response, error, scope)
        if status == 409:
            return InstitutionError(f"{LABEL}: the bank is still preparing this account's data; "
                                    "the next sync will try again", provider=NAME)
        if status >= 500:
            if kind in _BANK_SIDE_ERRORS:
                return InstitutionError(f"{LABEL}: the bank did not answer ({_summary(error)}); "
                                        "the next sync will try again", provider=NAME)
            return BankUnavailable(f"{LABEL} is unavailable ({status}); the next sync will try "
                                   "again", provider=NAME)
        failure = BankRequestRejected(f"{LABEL} refused the request: {_summary(error)}",
                                      provider=NAME)
        failure.extensions["status"] = status
        return failure

    async def _rate_limited(self, response: httpx.Response, error: dict[str, Any],
                            scope: tuple[str, Scope] | None) -> BankError:
        headers = response.headers
        if scope is not None and self._quota is not None:
            retry_at = await self._quota.record_rate_limited(*scope, headers=headers)
        else:
            seconds = _http.seconds_header(headers, "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET",
                                           "Retry-After", "HTTP_X_RATELIMIT_RESET")
            retry_at = self._clock() + timedelta(seconds=seconds if seconds is not None else 60)
        if scope is not None:
            return BankRateLimited(f"{LABEL}: the bank's daily limit for this account's "
                                   f"{scope[1].value} is used up; the next sync is possible at "
                                   f"{when(retry_at)}", provider=NAME, retry_at=retry_at,
                                   scope=scope[1].value)
        return BankRateLimited(f"{LABEL} is rate-limiting requests; try again after "
                               f"{when(retry_at)}", provider=NAME, retry_at=retry_at)

    # -- tokens ------------------------------------------------------------------------------------

    async def _access_token(self, renew: bool = False) -> str:
        async with self._token_lock:
            now = self._clock().timestamp()
            state = _http.obj(_load(await self._cache.get(self._token_key)))
            if not renew and state.get("access") and \
                    float(state.get("access_until", 0)) - TOKEN_MARGIN_SECONDS > now:
                return str(state["access"])
            if state.get("refresh") and \
                    float(state.get("refresh_until", 0)) - TOKEN_MARGIN_SECONDS > now:
                response = await self._token_request("/token/refresh/",
                                                     {"refresh": state["refresh"]})
                if response.status_code < 400:
                    fresh = _http.obj(_http.body(response))
                    state.update(access=fresh.get("access"),
                                 access_until=now + float(fresh.get("access_expires") or 0))
                    await self._save_tokens(state, now)
                    return str(state["access"])
                # A refused refresh token: fall through to new credentials.
            response = await self._token_request("/token/new/", {
                "secret_id": self._secret_id, "secret_key": self._secret_key})
            if response.status_code >= 400:
                raise await self._failure(response, None)
            fresh = _http.obj(_http.body(response))
            if not fresh.get("access"):
                raise BankUnavailable(f"{LABEL} answered without an access token",
                                      provider=NAME)
            state = {"access": fresh["access"],
                     "access_until": now + float(fresh.get("access_expires") or 0),
                     "refresh": fresh.get("refresh"),
                     "refresh_until": now + float(fresh.get("refresh_expires") or 0)}
            await self._save_tokens(state, now)
            return str(state["access"])

    async def _token_request(self, path: str, payload: dict[str, Any]) -> httpx.Response:
        return await _http.send(self._http, "POST", f"{self._api}{path}", provider=NAME,
                                label=LABEL, seconds=self._timeout, json=payload,
                                headers={"Accept": "application/json"})

    async def _save_tokens(self, state: dict[str, Any], now: float) -> None:
        lasts = max(float(state.get("refresh_until") or 0), float(state.get("access_until") or 0))
        await self._cache.set(self._token_key, json.dumps(state).encode(),
                              ttl=max(1.0, lasts - now))


# --------------------------------------------------------------------------- mapping


def _institution(item: Mapping[str, Any]) -> Institution:
    return Institution(
        id=str(item.get("id")), name=str(item.get("name") or item.get("id")),
        bic=item.get("bic") or None, countries=tuple(item.get("countries") or ()),
        logo=item.get("logo") or None,
        max_history_days=_int(item.get("transaction_total_days")),
        max_consent_days=_int(item.get("max_access_valid_for_days")), raw=item)


def _transaction(account_id: str, status: TransactionStatus, item: Mapping[str, Any],
                 seen: Counter[str], fallback: date) -> BankTransaction:
    money = _http.obj(item.get("transactionAmount"))
    value = _http.amount(money.get("amount"), provider=NAME, label=LABEL)
    currency = str(money.get("currency") or "")
    booking = _http.parse_date(item.get("bookingDate")) or _http.parse_date(
        item.get("bookingDateTime"))
    value_date = _http.parse_date(item.get("valueDate")) or _http.parse_date(
        item.get("valueDateTime"))
    outgoing = value < 0
    name_keys = ("creditorName", "debtorName") if outgoing else ("debtorName", "creditorName")
    account_keys = ("creditorAccount", "debtorAccount") if outgoing \
        else ("debtorAccount", "creditorAccount")
    counterparty = next((str(item[k]) for k in name_keys if item.get(k)), None)
    iban = next((str(_http.obj(item.get(k)).get("iban")) for k in account_keys
                 if _http.obj(item.get(k)).get("iban")), None)
    description = _description(item) or counterparty or ""
    reference = next((str(item[k]) for k in ("endToEndId", "entryReference", "mandateId")
                      if item.get(k) and str(item[k]).upper() != "NOTPROVIDED"), None)
    day = booking or value_date or _http.parse_date(item.get("transactionDate")) or fallback
    provider_id = item.get("transactionId") or item.get("internalTransactionId")
    if not provider_id:
        facts = (account_id, status.value, day.isoformat(), str(value), currency, description,
                 counterparty, iban, reference)
        signature = _http.stable_id(*facts)
        seen[signature] += 1  # two genuine identical payments on one day keep apart
        provider_id = _http.stable_id(*facts, seen[signature])
    return BankTransaction(
        provider_id=str(provider_id), account_id=account_id, status=status, booking_date=day,
        value_date=value_date, amount=value, currency=currency, description=description,
        counterparty_name=counterparty, counterparty_iban=iban, reference=reference, raw=item)


def _description(item: Mapping[str, Any]) -> str:
    for key in ("remittanceInformationUnstructured", "remittanceInformationStructured"):
        if isinstance(item.get(key), str) and item[key].strip():
            return " ".join(item[key].split())
    for key in ("remittanceInformationUnstructuredArray",
                "remittanceInformationStructuredArray"):
        parts = [str(p).strip() for p in item.get(key) or [] if str(p).strip()]
        if parts:
            return " ".join(" ".join(parts).split())
    extra = item.get("additionalInformation")
    return " ".join(str(extra).split()) if extra else ""


def _scarce(scope: Scope, limit: int, at: datetime) -> BankRateLimited:
    return BankRateLimited(f"{LABEL}: the bank allows {limit} {scope.value} requests a day for "
                           f"this account and they are used up; the next sync is possible at "
                           f"{when(at)}", provider=NAME, retry_at=at, scope=scope.value)


def _error_type(response: httpx.Response) -> str:
    return str(_http.obj(_http.body(response)).get("type") or "")


def _summary(error: Mapping[str, Any]) -> str:
    text = str(error.get("summary") or error.get("detail") or "no reason given")
    # Field errors come as {"field": {"summary": …}}.
    if not error.get("summary"):
        for value in error.values():
            if isinstance(value, dict) and value.get("summary"):
                text = str(value["summary"])
                break
    return " ".join(text.split())[:200]


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip() else None
    except ValueError:
        return None


def _clamp(asked: int | None, allowed: int | None, default: int) -> int:
    days = asked or allowed or default
    return max(1, min(days, allowed) if allowed else days)


def _load(raw: bytes | None) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


__all__ = ["GoCardless"]
