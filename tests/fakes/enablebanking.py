"""Enable Banking's API ({server}/enablebanking): every call signed by the application's RS256
JWT, ASPSPs, authorisation with a fake bank page that redirects back with a code, sessions,
and accounts' details, balances and transactions (in pages joined by continuation keys). Each
bank allows a few successful calls per account, scope and day, then answers 429."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .bank_data import DemoAccount, DemoBank, DemoTransaction
from .openbanking import BankFake, now_iso
from .recording import Failure, RecordedRequest


def new_rsa_key_pem(bits: int = 2048) -> str:
    """A fresh RSA private key, unencrypted PKCS8 PEM (what Enable Banking hands out)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_key_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


ENABLE_BANKING_APP_ID = "0f6a4c2e-5b7d-4e21-9c3a-8d1e2f3a4b5c"
ENABLE_BANKING_KEY_PEM = new_rsa_key_pem()
ENABLE_BANKING_PAGE_SIZE = 50
ENABLE_BANKING_REDIRECT_URLS = ["https://localhost/banking/callback"]


class EnableBankingFake(BankFake):
    name = "enablebanking"

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/application", self._application, methods=["GET"]),
            Route("/aspsps", self._aspsps, methods=["GET"]),
            Route("/auth", self._auth, methods=["POST"]),
            Route("/sessions", self._create_session, methods=["POST"]),
            Route("/sessions/{id}", self._session, methods=["GET", "DELETE"]),
            Route("/accounts/{id}/{scope}", self._account_data, methods=["GET"]),
            Route("/fake-bank/auth/{id}", self._bank_page, methods=["GET"]),
            Route("/{rest:path}", self._unknown, methods=["GET", "POST", "PUT", "DELETE"]),
        ]

    def reset(self) -> None:
        """Only the suite's own application is registered."""
        super().reset()
        with self._lock:
            self._apps: dict[str, dict[str, Any]] = {}
            self._auths: dict[str, dict[str, Any]] = {}
            self._codes: dict[str, str] = {}  # code -> auth id
            self._sessions: dict[str, dict[str, Any]] = {}
        self.register_app(ENABLE_BANKING_APP_ID, ENABLE_BANKING_KEY_PEM)

    def register_app(self, app_id: str, private_key_pem: str, environment: str = "SANDBOX",
                     active: bool = True, name: str = "ai-service tests",
                     redirect_urls: list[str] | None = None) -> None:
        with self._lock:
            self._apps[app_id] = {
                "public_key": public_key_pem(private_key_pem), "environment": environment,
                "active": active, "name": name,
                "redirect_urls": list(redirect_urls or ENABLE_BANKING_REDIRECT_URLS),
            }

    def expire_consent(self, ref: str) -> None:
        """The session runs out."""
        with self._lock:
            self._sessions[ref]["status"] = "EXPIRED"

    # -- the application -----------------------------------------------------------------------

    async def _application(self, request: Request) -> Response:
        recorded, failure = await self.enter(request)
        if failure:
            return _failure(failure)
        app_id, problem = self._verify(recorded)
        if problem is not None:
            return _error(401, problem, "UNAUTHORIZED")
        with self._lock:
            app = self._apps[app_id]
        return JSONResponse({
            "name": app["name"], "description": "Registered for the test suite",
            "kid": app_id, "environment": app["environment"],
            "redirect_urls": app["redirect_urls"], "active": app["active"],
            "countries": ["FI", "SE", "DE", "NL", "ES", "FR", "IT"], "services": ["AIS"],
        })

    def _verify(self, recorded: RecordedRequest) -> tuple[str, str | None]:
        """The application a request's JWT belongs to, or why the JWT is refused."""
        scheme, _, token = recorded.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "", "Authorization header with a Bearer JWT is required"
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            return "", "Malformed JWT"
        app_id = str(header.get("kid") or "")
        with self._lock:
            app = self._apps.get(app_id)
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return app_id, "JWT header must have typ JWT and alg RS256"
        if app is None:
            return app_id, "Application not found"
        try:
            claims = jwt.decode(token, app["public_key"], algorithms=["RS256"],
                                audience="api.enablebanking.com", issuer="enablebanking.com",
                                options={"require": ["iss", "aud", "iat", "exp"]})
        except jwt.InvalidTokenError as exc:
            return app_id, f"Invalid JWT: {exc}"
        if int(claims["exp"]) - int(claims["iat"]) > 86400:
            return app_id, "JWT lifetime must not exceed 86400 seconds"
        if int(claims["iat"]) > time.time() + 60:
            return app_id, "JWT is issued in the future"
        return app_id, None

    async def _unknown(self, request: Request) -> Response:
        await self.enter(request)
        return _error(404, "Not found", "NOT_FOUND")

    async def _authorised(self, request: Request) -> tuple[RecordedRequest, Response | None]:
        recorded, failure = await self.enter(request)
        if failure:
            return recorded, _failure(failure)
        _app_id, problem = self._verify(recorded)
        if problem is not None:
            return recorded, _error(401, problem, "UNAUTHORIZED")
        return recorded, None

    # -- banks and consent ---------------------------------------------------------------------

    async def _aspsps(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        country = recorded.query.get("country", "").upper()
        return JSONResponse({"aspsps": [_aspsp(b, c) for b in self.banks.data.banks
                                        for c in b.countries if not country or c == country]})

    async def _auth(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        body = recorded.json if isinstance(recorded.json, dict) else {}
        aspsp = body.get("aspsp") if isinstance(body.get("aspsp"), dict) else {}
        bank = self.banks.data.bank_named(str(aspsp.get("name")), str(aspsp.get("country")))
        if bank is None:
            return _error(404, "ASPSP not found", "ASPSP_NOT_FOUND")
        app_id = str(jwt.get_unverified_header(
            recorded.headers["authorization"].partition(" ")[2]).get("kid"))
        with self._lock:
            allowed = self._apps[app_id]["redirect_urls"]
        if body.get("redirect_url") not in allowed:
            return _error(422, "Redirect URI not allowed", "REDIRECT_URI_NOT_ALLOWED")
        access = body.get("access") if isinstance(body.get("access"), dict) else {}
        try:
            valid_until = datetime.fromisoformat(str(access.get("valid_until")))
        except ValueError:
            return _error(422, "access.valid_until must be an RFC 3339 date-time",
                          "WRONG_REQUEST_PARAMETERS")
        longest = datetime.now(UTC) + timedelta(days=bank.consent_days, minutes=5)
        if valid_until.tzinfo is None or valid_until > longest:
            return _error(422, "Access valid until exceeds maximum consent validity of the "
                               "ASPSP", "WRONG_ACCESS_VALID_UNTIL")
        auth_id = str(uuid.uuid4())
        with self._lock:
            self._auths[auth_id] = {
                "bank": bank, "country": str(aspsp.get("country")).upper(),
                "state": body.get("state"), "redirect_url": body["redirect_url"],
                "valid_until": valid_until.isoformat(),
                "psu_type": body.get("psu_type", "personal")}
        return JSONResponse({"url": f"{self.url}/fake-bank/auth/{auth_id}",
                             "authorization_id": auth_id,
                             "psu_id_hash": hashlib.sha256(auth_id.encode()).hexdigest()})

    async def _bank_page(self, request: Request) -> Response:
        await self.browser(request)
        with self._lock:
            auth = self._auths.get(request.path_params["id"])
        if auth is None or auth.get("used"):
            return HTMLResponse("<p>This link is no longer valid.</p>", status_code=400)
        auth["used"] = True
        glue = "&" if "?" in auth["redirect_url"] else "?"
        state = f"state={auth['state']}"
        if self.take_outcome() == "reject":
            return RedirectResponse(f"{auth['redirect_url']}{glue}error=access_denied&"
                                    f"error_description=User+cancelled&{state}",
                                    status_code=302)
        code = str(uuid.uuid4())
        with self._lock:
            self._codes[code] = request.path_params["id"]
        return RedirectResponse(f"{auth['redirect_url']}{glue}code={code}&{state}",
                                status_code=302)

    async def _create_session(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        body = recorded.json if isinstance(recorded.json, dict) else {}
        with self._lock:
            auth_id = self._codes.pop(str(body.get("code")), None)
            auth = self._auths.get(auth_id or "")
        if auth is None:
            return _error(422, "Authorization code is invalid or already used",
                          "WRONG_AUTHORIZATION_CODE")
        session_id = str(uuid.uuid4())
        bank: DemoBank = auth["bank"]
        uids = self.link_accounts(session_id, bank)
        session = {"session_id": session_id, "status": "AUTHORIZED",
                   "aspsp": {"name": bank.name, "country": auth["country"]},
                   "psu_type": auth["psu_type"], "access": {"valid_until": auth["valid_until"]},
                   "accounts": uids, "created": now_iso(), "authorized": now_iso()}
        with self._lock:
            self._sessions[session_id] = session
            accounts = [self._account(uid) for uid in uids]
        return JSONResponse({**{k: session[k] for k in ("session_id", "aspsp", "psu_type",
                                                        "access")}, "accounts": accounts})

    async def _session(self, request: Request) -> Response:
        _, problem = await self._authorised(request)
        if problem:
            return problem
        with self._lock:
            session = self._sessions.get(request.path_params["id"])
            if session is not None and request.method == "DELETE":
                session["status"] = "CLOSED"
        if session is None:
            return _error(404, "Session not found", "SESSION_DOES_NOT_EXIST")
        if request.method == "DELETE":
            return JSONResponse({"message": "OK"})
        return JSONResponse({**session, "accounts_data": [
            {"uid": uid, "identification_hash": hashlib.sha256(uid.encode()).hexdigest()}
            for uid in session["accounts"]]})

    # -- accounts ------------------------------------------------------------------------------

    def _account(self, uid: str) -> dict[str, Any]:
        linked = self.linked(uid)
        assert linked is not None
        account = linked.account
        return {"uid": uid, "account_id": {"iban": account.iban},
                "all_account_ids": [{"identification": account.iban, "scheme_name": "IBAN"}],
                "account_servicer": {"bic_fi": linked.bank.bic}, "name": account.owner,
                "details": account.name, "usage": "PRIV",
                "cash_account_type": "CACC" if "Current" in account.product else "SVGS",
                "product": account.product, "currency": account.currency,
                "identification_hash": hashlib.sha256(account.iban.encode()).hexdigest()}

    async def _account_data(self, request: Request) -> Response:
        recorded, problem = await self._authorised(request)
        if problem:
            return problem
        uid, scope = request.path_params["id"], request.path_params["scope"]
        linked = self.linked(uid)
        with self._lock:
            session = self._sessions.get(linked.consent_id) if linked is not None else None
        if scope not in ("details", "balances", "transactions") or linked is None \
                or session is None:
            return _error(404, "Account not found", "ACCOUNT_DOES_NOT_EXIST")
        if session["status"] != "AUTHORIZED" or datetime.fromisoformat(
                session["access"]["valid_until"]) < datetime.now(UTC):
            error = "CLOSED_SESSION" if session["status"] == "CLOSED" else "EXPIRED_SESSION"
            return _error(401, "Session is not authorized any more", error)
        data = self.banks.data
        key = recorded.query.get("continuation_key")
        # Every call reaches the bank except the pages that follow the first.
        if key is None:
            allowed, _, _ = self.bank_call(uid, scope, linked.bank.daily_limit)
            if not allowed:
                return _error(429, "ASPSP rate limit exceeded", "ASPSP_RATE_LIMIT_EXCEEDED")
        account = linked.account
        if scope == "details":
            with self._lock:
                return JSONResponse(self._account(uid))
        if scope == "balances":
            return JSONResponse({"balances": [
                {"name": "Booked balance", "balance_type": "CLBD",
                 "balance_amount": {"currency": account.currency,
                                    "amount": f"{account.booked_balance():.2f}"},
                 "reference_date": (data.today - timedelta(days=1)).isoformat()},
                {"name": "Expected balance", "balance_type": "XPCD",
                 "balance_amount": {"currency": account.currency,
                                    "amount": f"{account.expected_balance():.2f}"},
                 "reference_date": data.today.isoformat()}]})
        return self._transactions(recorded.query, account, linked.bank, data.today)

    def _transactions(self, query: dict[str, str], account: DemoAccount, bank: DemoBank,
                      today: date) -> Response:
        try:
            earliest = today - timedelta(days=bank.history_days - 1)
            if query.get("date_from"):
                start = max(date.fromisoformat(query["date_from"]), earliest)
            elif query.get("strategy") == "longest":
                start = earliest
            else:
                start = today - timedelta(days=89)
            end = date.fromisoformat(query["date_to"]) if query.get("date_to") else today
            offset, empty = 0, False
            if query.get("continuation_key"):
                page = json.loads(base64.urlsafe_b64decode(query["continuation_key"]))
                offset, empty = int(page["offset"]), bool(page["empty"])
        except (ValueError, KeyError, TypeError):
            return _error(422, "Wrong request parameters", "WRONG_REQUEST_PARAMETERS")
        with self._lock:
            chosen = [_transaction(t) for t in account.transactions
                      if start <= (t.booking_date or t.value_date) <= end]
        size = ENABLE_BANKING_PAGE_SIZE
        if empty:  # the API may send an empty page that still has a key: clients must go on
            return JSONResponse({"transactions": [], "continuation_key": _page_key(offset)})
        items = chosen[offset:offset + size]
        following = offset + size
        next_key = None
        if following < len(chosen):
            next_key = _page_key(following, empty=offset == 0)
        return JSONResponse({"transactions": items, "continuation_key": next_key})


# --------------------------------------------------------------------------- shapes


def _error(status: int, message: str, error: str,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "message": message, "error": error},
                        status_code=status, headers=headers)


def _failure(failure: Failure) -> Response:
    errors = {401: ("Invalid JWT", "UNAUTHORIZED"), 403: ("Forbidden", "FORBIDDEN"),
              429: ("Too many requests", "TOO_MANY_REQUESTS")}
    message, error = errors.get(failure.status, ("Internal server error", "INTERNAL_ERROR"))
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    return _error(failure.status, message, error, headers)


def _aspsp(bank: DemoBank, country: str) -> dict[str, Any]:
    return {"name": bank.name, "country": country, "logo": bank.logo,
            "psu_types": ["personal", "business"],
            "auth_methods": [{"name": "redirect", "title": "Online banking",
                              "psu_type": "personal", "approach": "REDIRECT",
                              "hidden_method": False}],
            "maximum_consent_validity": bank.consent_days * 86400, "sandbox": None,
            "beta": False, "bic": bank.bic, "required_psu_headers": [], "payments": []}


def _transaction(t: DemoTransaction) -> dict[str, Any]:
    outgoing = t.amount < 0
    lines = [t.description, "Kartenzahlung"] if t.card and not t.pending else [t.description]
    out: dict[str, Any] = {
        "entry_reference": None, "transaction_id": None,
        "transaction_amount": {"currency": t.currency, "amount": f"{abs(t.amount):.2f}"},
        "credit_debit_indicator": "DBIT" if outgoing else "CRDT",
        "status": "PDNG" if t.pending else "BOOK",
        "booking_date": t.booking_date.isoformat() if t.booking_date else None,
        "value_date": t.value_date.isoformat(), "transaction_date": t.value_date.isoformat(),
        "balance_after_transaction": None, "reference_number": t.end_to_end_id,
        "remittance_information": lines,
        "bank_transaction_code": {"description": "Card payment" if t.card else "Transfer",
                                  "code": "PMNT", "sub_code": "CCRD" if t.card else "ESCT"},
        "creditor": None, "creditor_account": None, "debtor": None, "debtor_account": None,
        "note": None,
    }
    if not t.pending:
        out["transaction_id"] = t.id
        out["entry_reference"] = t.id.replace("-", "")[:20].upper()
    party = "creditor" if outgoing else "debtor"
    out[party] = {"name": t.counterparty}
    if t.counterparty_iban:
        out[f"{party}_account"] = {"iban": t.counterparty_iban}
    return out


def _page_key(offset: int, empty: bool = False) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "empty": empty})
                                    .encode()).decode()
