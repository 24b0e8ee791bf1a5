"""The addresses bank linking hands out: where the bank sends the browser back, the re-link link
of a consent reminder, and where the browser goes after the callback, never off this app's
origin. The HTTP layer serves these routes; the composition root passes their paths in."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ai_service.core.errors import BadUserInput
from ai_service.finance.bank_models import BankConnection


@dataclass(frozen=True)
class BankRoutes:
    callback: str  # where the bank sends the browser back
    relink: str  # a reminder's re-link link, a template with an {id} segment


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_redirect(url: str, allowed_origin: str) -> str:
    """A relative path of this app, or an address on its own origin: never an open redirect."""
    url = (url or "").strip()
    problem = "redirectUrl must be a path of this app (/…) or an address on " + allowed_origin
    if not url or len(url) > 2000 or any(ord(c) < 33 or c == "\\" for c in url):
        raise BadUserInput(problem, field="redirectUrl")
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        if not url.startswith("/") or url.startswith("//"):
            raise BadUserInput(problem, field="redirectUrl")
        return url
    if parts.scheme not in ("http", "https") or parts.username or parts.password \
            or origin(url) != allowed_origin.lower():
        raise BadUserInput(problem, field="redirectUrl")
    return url


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


class BankUrls:
    """`public_url` (PUBLIC_URL) wins; without it, the address the request came to, or the one
    a connection's callback was sent to."""

    def __init__(self, routes: BankRoutes, public_url: str | None, secret: str) -> None:
        self.routes = routes
        self.public_url = public_url
        self._secret = secret

    def public(self, request_base_url: str) -> str:
        return self.public_url or request_base_url.rstrip("/")

    def callback(self, public: str) -> str:
        return public.rstrip("/") + self.routes.callback

    def relink_token(self, connection: BankConnection) -> str:
        return hmac.new(self._secret.encode(),
                        f"bank-relink:{connection.id}:{connection.reference}".encode(),
                        hashlib.sha256).hexdigest()[:40]

    def relink(self, connection: BankConnection) -> str | None:
        base = self.public_url or (origin(connection.callback_url)
                                   if connection.callback_url else None)
        if not base:
            return None
        return (base.rstrip("/") + self.routes.relink.format(id=connection.id)
                + f"?token={self.relink_token(connection)}")

    def back(self, connection: BankConnection) -> str:
        """Where the callback sends the browser: where linking started, with the outcome."""
        target = connection.return_url or "/"
        try:  # checked when stored; checked again before the browser is sent there
            base = self.public_url or (origin(connection.callback_url)
                                       if connection.callback_url else "")
            target = check_redirect(target, origin(base) if base else "")
        except BadUserInput:
            target = "/"
        return with_query(target, bankConnection=str(connection.id),
                          bankStatus=connection.status.value)
