"""GoCardless Bank Account Data ({server}/gocardless/api/v2/...): tokens (new, refresh,
lapsing), institutions, end-user agreements, requisitions with a fake bank page that redirects
back, and accounts' details, balances and booked and pending transactions. Each bank allows a
few successful calls per account, scope and day, then answers 429, with GoCardless's
`HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_*` headers on every answer."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .bank_data import DemoBank, DemoTransaction
from .openbanking import BankFake, LinkedAccount, now_iso
from .recording import Failure, RecordedRequest

GOCARDLESS_SECRET_ID = "fa1e5ec7-1d00-4c0d-9b1a-0123456789ab"
GOCARDLESS_SECRET_KEY = ("fakeGoCardlessSecretKey0123456789abcdef0123456789abcdef0123456789abcdef"
                         "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab")


class GoCardlessFake(BankFake):
    name = "gocardless"

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/v2/token/new/", self._token, methods=["POST"]),
            Route("/api/v2/token/refresh/", self._refresh, methods=["POST"]),
            Route("/api/v2/institutions/", self._institutions, methods=["GET"]),
            Route("/api/v2/institutions/{id}/", self._institution, methods=["GET"]),
            Route("/api/v2/agreements/enduser/", self._create_agreement, methods=["POST"]),
            Route("/api/v2/agreements/enduser/{id}/", self._agreement, methods=["GET"]),
            Route("/api/v2/requisitions/", self._create_requisition, methods=["POST"]),
            Route("/api/v2/requisitions/{id}/", self._requisition, methods=["GET", "DELETE"]),
            Route("/api/v2/accounts/{id}/", self._account, methods=["GET"]),
            Route("/api/v2/accounts/{id}/{scope}/", self._account_data, methods=["GET"]),
            Route("/psd2/start/{id}/{institution}", self._bank_page, methods=["GET"]),
            Route("/{rest:path}", self._unknown, methods=["GET", "POST", "PUT", "DELETE"]),
        ]

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self._tokens: dict[str, str] = {}  # token -> kind
            self._agreements: dict[str, dict[str, Any]] = {}
            self._requisitions: dict[str, dict[str, Any]] = {}

    def expire_consent(self, ref: str) -> None:
        """The requisition runs out."""
        with self._lock:
            self._requisitions[ref]["status"] = "EX"

    def expire_tokens(self, refresh_too: bool = False) -> None:
        """Every access token (and refresh token) stops working, as after 24 hours."""
        with self._lock:
            for token in [t for t, kind in self._tokens.items()
                          if kind == "access" or refresh_too]:
                del self._tokens[token]

    # -- tokens ------------------------------------------------------------------------------

    async def _token(self, request: Request) -> Response:
        recorded, failure = await self.enter(request)
        if failure:
            return _failure(failure)
        body = recorded.json if isinstance(recorded.json, dict) else (recorded.form or {})
        missing = {name: {"summary": "This field is required.",
                          "detail": "This field is required."}
                   for name in ("secret_id", "secret_key") if not body.get(name)}
        if missing:
            return JSONResponse({**missing, "status_code": 400}, status_code=400)
        if (body["secret_id"], body["secret_key"]) != (GOCARDLESS_SECRET_ID,
                                                        GOCARDLESS_SECRET_KEY):
            return JSONResponse({"summary": "Authentication failed",
                                 "detail": "No active account found with the given credentials",
                                 "status_code": 401}, status_code=401)
        access, refresh = self._token_pair()
        return JSONResponse({"access": access, "access_expires": 86400, "refresh": refresh,
                             "refresh_expires": 2592000})

    def _token_pair(self) -> tuple[str, str]:
        access, refresh = (f"eyJ{uuid.uuid4().hex}{uuid.uuid4().hex}" for _ in range(2))
        with self._lock:
            self._tokens[access] = "access"
            self._tokens[refresh] = "refresh"
        return access, refresh

    async def _refresh(self, request: Request) -> Response:
        recorded, failure = await self.enter(request)
        if failure:
            return _failure(failure)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        with self._lock:
            kind = self._tokens.get(str(body.get("refresh")))
        if kind != "refresh":
            return JSONResponse({"summary": "Invalid token",
                                 "detail": "Token is invalid or expired",
                                 "status_code": 401}, status_code=401)
        access, _ = self._token_pair()
        return JSONResponse({"access": access, "access_expires": 86400})

    async def _unknown(self, request: Request) -> Response:
        await self.enter(request)
        return JSONResponse({"summary": "Not found.", "detail": "Not found.",
                             "status_code": 404}, status_code=404)

    async def _authorised(self, request: Request) -> tuple[RecordedRequest, Response | None]:
        recorded, failure = await self.enter(request)
        if failure:
            return recorded, _failure(failure)
        scheme, _, token = recorded.headers.get("authorization", "").partition(" ")
        with self._lock:
            kind = self._tokens.get(token)
        if scheme.lower() != "bearer" or kind != "access":
            return recorded, _error(401, "Invalid token", "Token is invalid or expired")
        return recorded, None

    # -- institutions and consent -------------------------------------------------------------

    async def _institutions(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        country = recorded.query.get("country", "").upper()
        return JSONResponse([_institution(b) for b in self.banks.data.banks
                             if not country or country in b.countries])

    async def _institution(self, request: Request) -> Response:
        _, problem = await self._authorised(request)
        if problem:
            return problem
        bank = self.banks.data.bank(request.path_params["id"])
        if bank is None:
            return _error(404, "Not found.", "Not found.")
        return JSONResponse(_institution(bank))

    async def _create_agreement(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        body = recorded.json if isinstance(recorded.json, dict) else {}
        bank = self.banks.data.bank(str(body.get("institution_id")))
        if bank is None:
            return _field_error("institution_id", "Unknown Institution ID",
                                "Get Institution IDs from /institutions/?country=")
        history = int(body.get("max_historical_days") or 90)
        access = int(body.get("access_valid_for_days") or 90)
        if not 1 <= history <= bank.history_days:
            return _field_error("max_historical_days", "Incorrect max_historical_days",
                                f"max_historical_days must be > 0 and <= "
                                f"{bank.history_days} for {bank.gocardless_id}")
        if not 1 <= access <= bank.consent_days:
            return _field_error("access_valid_for_days", "Incorrect access_valid_for_days",
                                f"access_valid_for_days must be > 0 and <= "
                                f"{bank.consent_days}")
        agreement = {"id": str(uuid.uuid4()), "created": now_iso(),
                     "institution_id": bank.gocardless_id, "max_historical_days": history,
                     "access_valid_for_days": access,
                     "access_scope": body.get("access_scope") or ["balances", "details",
                                                                  "transactions"],
                     "accepted": None}
        with self._lock:
            self._agreements[agreement["id"]] = agreement
        return JSONResponse(agreement, status_code=201)

    async def _agreement(self, request: Request) -> Response:
        _, problem = await self._authorised(request)
        if problem:
            return problem
        with self._lock:
            agreement = self._agreements.get(request.path_params["id"])
        if agreement is None:
            return _error(404, "Not found.", "Not found.")
        return JSONResponse(agreement)

    async def _create_requisition(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        body = recorded.json if isinstance(recorded.json, dict) else {}
        bank = self.banks.data.bank(str(body.get("institution_id")))
        if not body.get("redirect"):
            return _field_error("redirect", "This field is required.",
                                "This field is required.")
        if bank is None:
            return _field_error("institution_id", "Unknown Institution ID",
                                "Get Institution IDs from /institutions/?country=")
        with self._lock:
            agreement = self._agreements.get(str(body.get("agreement")))
            taken = any(r["reference"] == body.get("reference")
                        for r in self._requisitions.values())
        if body.get("agreement") and (agreement is None
                                      or agreement["institution_id"] != bank.gocardless_id):
            return _field_error("agreement", "Incorrect agreement",
                                "The agreement does not exist or is for another institution")
        if taken:
            return _field_error("reference", "Client reference must be unique",
                                "The reference is used by another requisition")
        requisition_id = str(uuid.uuid4())
        requisition = {
            "id": requisition_id, "created": now_iso(), "redirect": body["redirect"],
            "status": "CR", "institution_id": bank.gocardless_id,
            "agreement": body.get("agreement"), "reference": body.get("reference")
            or requisition_id, "accounts": [], "user_language": body.get("user_language", "EN"),
            "link": f"{self.url}/psd2/start/{requisition_id}/{bank.gocardless_id}",
            "ssn": None, "account_selection": False, "redirect_immediate": False,
        }
        with self._lock:
            self._requisitions[requisition_id] = requisition
        return JSONResponse(requisition, status_code=201)

    async def _requisition(self, request: Request) -> Response:
        _, problem = await self._authorised(request)
        if problem:
            return problem
        requisition_id = request.path_params["id"]
        with self._lock:
            requisition = self._requisitions.get(requisition_id)
            if requisition is not None and request.method == "DELETE":
                del self._requisitions[requisition_id]
        if requisition is None:
            return _error(404, "Not found.", "Not found.")
        if request.method == "DELETE":
            return JSONResponse({"summary": "Requisition deleted",
                                 "detail": f"Requisition {requisition_id} deleted with all its "
                                           "End User Agreements"})
        return JSONResponse(requisition)

    async def _bank_page(self, request: Request) -> Response:
        """The bank's consent page: the user approves (or cancels) and goes back."""
        await self.browser(request)
        with self._lock:
            requisition = self._requisitions.get(request.path_params["id"])
        if requisition is None or requisition["status"] != "CR":
            return HTMLResponse("<p>This link is no longer valid.</p>", status_code=400)
        glue = "&" if "?" in requisition["redirect"] else "?"
        target = f"{requisition['redirect']}{glue}ref={requisition['reference']}"
        if self.take_outcome() == "reject":
            requisition["status"] = "RJ"
            return RedirectResponse(target + "&error=UserCancelledSession&details="
                                    "User+cancelled+the+session.", status_code=302)
        bank = self.banks.data.bank(requisition["institution_id"])
        assert bank is not None
        requisition["accounts"] = self.link_accounts(requisition["id"], bank)
        requisition["status"] = "LN"
        with self._lock:
            agreement = self._agreements.get(str(requisition["agreement"]))
            if agreement is not None:
                agreement["accepted"] = now_iso()
        return RedirectResponse(target, status_code=302)

    # -- accounts ------------------------------------------------------------------------------

    def _linked(self, account_id: str) -> tuple[LinkedAccount | None, Response | None]:
        linked = self.linked(account_id)
        with self._lock:
            requisition = self._requisitions.get(linked.consent_id) \
                if linked is not None else None
        if linked is None:
            return None, _error(404, "Not found.", "Not found.")
        if requisition is None or requisition["status"] != "LN":
            return None, _error(401, "Access has expired or it has been revoked",
                                "To restore access reconnect the account.",
                                type_="AccessExpiredError")
        return linked, None

    async def _account(self, request: Request) -> Response:
        _, problem = await self._authorised(request)
        if problem:
            return problem
        account_id = request.path_params["id"]
        linked, problem = self._linked(account_id)
        if linked is None:
            return problem or _error(404, "Not found.", "Not found.")
        return JSONResponse({"id": account_id, "created": now_iso(),
                             "last_accessed": now_iso(), "iban": linked.account.iban,
                             "bban": linked.account.iban[4:],
                             "institution_id": linked.bank.gocardless_id, "status": "READY",
                             "owner_name": linked.account.owner})

    async def _account_data(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        account_id, scope = request.path_params["id"], request.path_params["scope"]
        if scope not in ("details", "balances", "transactions"):
            return _error(404, "Not found.", "Not found.")
        linked, problem = self._linked(account_id)
        if linked is None:
            return problem or _error(404, "Not found.", "Not found.")
        data = self.banks.data
        window: tuple[date, date] | None = None
        if scope == "transactions":
            with self._lock:
                requisition = self._requisitions[linked.consent_id]
                agreement = self._agreements.get(str(requisition["agreement"])) or {}
            history = int(agreement.get("max_historical_days") or 90)
            window, problem = _window(recorded.query, data.today, history)
            if window is None:
                return problem or _error(400, "Invalid date", "Invalid date")
        allowed, remaining, reset = self.bank_call(account_id, scope, linked.bank.daily_limit)
        headers = {"HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT": str(linked.bank.daily_limit),
                   "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING": str(remaining),
                   "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET": str(reset)}
        if not allowed:
            what = {"details": "account details"}.get(scope, scope)
            return JSONResponse({"summary": f"Couldn't update {what}",
                                 "detail": "Daily request limit set by the Institution has "
                                           "been exceeded.",
                                 "type": "RateLimitError", "status_code": 429},
                                status_code=429, headers=headers)
        account = linked.account
        if scope == "details":
            body: dict[str, Any] = {"account": {
                "resourceId": account.iban[-10:], "iban": account.iban,
                "currency": account.currency, "ownerName": account.owner, "name": account.name,
                "product": account.product, "cashAccountType": "CACC"
                if "Current" in account.product else "SVGS", "status": "enabled",
                "bic": linked.bank.bic}}
        elif scope == "balances":
            body = {"balances": [
                {"balanceAmount": {"amount": f"{account.booked_balance():.2f}",
                                   "currency": account.currency},
                 "balanceType": "closingBooked",
                 "referenceDate": (data.today - timedelta(days=1)).isoformat()},
                {"balanceAmount": {"amount": f"{account.expected_balance():.2f}",
                                   "currency": account.currency},
                 "balanceType": "expected", "referenceDate": data.today.isoformat()},
            ]}
        else:
            assert window is not None
            with self._lock:
                chosen = [t for t in account.transactions
                          if window[0] <= (t.booking_date or t.value_date) <= window[1]]
                body = {"transactions": {
                    "booked": [_transaction(t) for t in reversed(chosen) if not t.pending],
                    "pending": [_transaction(t) for t in reversed(chosen) if t.pending]},
                    "last_updated": now_iso()}
        return JSONResponse(body, headers=headers)


# --------------------------------------------------------------------------- shapes


def _failure(failure: Failure) -> Response:
    status = failure.status
    if status == 401:
        body = {"summary": "Authentication failed",
                "detail": "No active account found with the given credentials"}
    elif status == 429:
        body = {"summary": "Rate limit exceeded",
                "detail": f"Request was throttled. Expected available in "
                          f"{failure.retry_after or 60} seconds."}
    elif status >= 500:
        body = {"summary": "Internal server error", "detail": "Internal server error"}
    else:
        body = {"summary": "Invalid request", "detail": "Invalid request"}
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    return JSONResponse({**body, "status_code": status}, status_code=status, headers=headers)


def _error(status: int, summary: str, detail: str, type_: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"summary": summary, "detail": detail, "status_code": status}
    if type_:
        body["type"] = type_
    return JSONResponse(body, status_code=status)


def _field_error(name: str, summary: str, detail: str) -> JSONResponse:
    return JSONResponse({name: {"summary": summary, "detail": detail}, "status_code": 400},
                        status_code=400)


def _institution(bank: DemoBank) -> dict[str, Any]:
    # GoCardless sends the day counts as strings.
    return {"id": bank.gocardless_id, "name": bank.name, "bic": bank.bic,
            "transaction_total_days": str(bank.history_days), "countries": list(bank.countries),
            "logo": bank.logo, "max_access_valid_for_days": str(bank.consent_days),
            "supported_features": ["account_selection", "business_accounts"],
            "identification_codes": []}


def _window(query: dict[str, str], today: date, history: int
            ) -> tuple[tuple[date, date] | None, Response | None]:
    earliest = today - timedelta(days=history - 1)
    try:
        start = date.fromisoformat(query["date_from"]) if query.get("date_from") else earliest
        end = date.fromisoformat(query["date_to"]) if query.get("date_to") else today
    except ValueError:
        return None, _field_error("date_from", "Invalid date format",
                                  "Dates must be in ISO 8601 format: YYYY-MM-DD")
    if start < earliest:
        return None, _field_error("date_from", "Date too far in the past",
                                  f"Requested date_from {start} is before the "
                                  f"{history} days of history the agreement allows")
    if start > end or start > today:
        return None, _field_error("date_from", "Incorrect date range",
                                  "date_from must be before date_to and not in the future")
    return (start, end), None


def _transaction(t: DemoTransaction) -> dict[str, Any]:
    out: dict[str, Any] = {
        "transactionAmount": {"amount": f"{t.amount:.2f}", "currency": t.currency},
        "valueDate": t.value_date.isoformat(),
        "bankTransactionCode": "PMNT-CCRD-POSD" if t.card else
        ("PMNT-RCDT-ESCT" if t.amount > 0 else "PMNT-ICDT-ESCT"),
    }
    if not t.pending:
        assert t.booking_date is not None
        out["bookingDate"] = t.booking_date.isoformat()
        if t.card:  # card payments come with the bank's internal id only
            out["internalTransactionId"] = t.id.replace("-", "")
        else:
            out["transactionId"] = t.id
            out["entryReference"] = t.id[:8].upper()
    if t.end_to_end_id:
        out["endToEndId"] = t.end_to_end_id
    party = "creditor" if t.amount < 0 else "debtor"
    out[f"{party}Name"] = t.counterparty
    if t.counterparty_iban:
        out[f"{party}Account"] = {"iban": t.counterparty_iban}
    if t.card and not t.pending:
        out["remittanceInformationUnstructuredArray"] = [t.description, "Kartenzahlung"]
    else:
        out["remittanceInformationUnstructured"] = t.description
    return out
