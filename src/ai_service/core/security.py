"""Password hashing (argon2id, libsodium), access tokens (JWT HS256), opaque refresh tokens."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from nacl import pwhash
from nacl.exceptions import InvalidkeyError

ISSUER = "ai-service"


class PasswordHasher:
    """Hashing runs in a thread: libsodium releases the GIL, the event loop keeps serving.
    At most one hash per core runs at once, so a burst of logins cannot take all the memory."""

    def __init__(self, opslimit: int, memlimit: int) -> None:
        self.opslimit = opslimit
        self.memlimit = memlimit
        self._slots = asyncio.Semaphore(os.cpu_count() or 1)
        # Verified against when an email is unknown, so both answers take the same time.
        self._dummy = pwhash.argon2id.str(secrets.token_bytes(16), opslimit, memlimit)

    async def hash(self, password: str) -> str:
        async with self._slots:
            hashed = await asyncio.to_thread(
                pwhash.argon2id.str, password.encode(), self.opslimit, self.memlimit
            )
        return hashed.decode()

    async def verify(self, password_hash: str | None, password: str) -> bool:
        stored = password_hash.encode() if password_hash else self._dummy
        try:
            async with self._slots:
                ok = await asyncio.to_thread(pwhash.argon2id.verify, stored, password.encode())
        except InvalidkeyError:
            return False
        return bool(ok) and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return f"$m={self.memlimit // 1024},t={self.opslimit},p=1$" not in password_hash


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: str
    expires_at: datetime


class InvalidToken(Exception):
    pass


class AccessTokens:
    """Short-lived HS256 tokens; the algorithm is pinned so `alg: none` or RS/HS confusion fail."""

    ALGORITHM = "HS256"

    def __init__(self, secret: str, ttl: timedelta) -> None:
        self._key = secret.encode()
        self.ttl = ttl

    def issue(self, user_id: int, session_id: str) -> tuple[str, datetime]:
        now = datetime.now(UTC)
        expires = now + self.ttl
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": str(user_id),
            "sid": session_id,
            "typ": "access",
            "jti": secrets.token_hex(8),
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        token = jwt.encode(claims, self._key, algorithm=self.ALGORITHM)
        return token, expires.replace(microsecond=0)

    def decode(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[self.ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "sid", "iss"]},
                leeway=5,
            )
            if claims.get("typ") != "access":
                raise InvalidToken("not an access token")
            return AccessClaims(
                user_id=int(claims["sub"]),
                session_id=str(uuid.UUID(str(claims["sid"]))),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc


def new_refresh_token() -> tuple[str, str]:
    """A random token for the client and the SHA-256 we store: a leaked table opens nothing."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
