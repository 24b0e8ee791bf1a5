"""Logins, rotating refresh tokens and per-request authentication."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from tortoise.transactions import in_transaction

from ai_service.audit.service import AuditLog
from ai_service.core.client import ClientInfo
from ai_service.core.errors import RateLimited, Unauthenticated
from ai_service.core.ratelimit import RateLimiter
from ai_service.core.security import (
    AccessTokens,
    InvalidToken,
    PasswordHasher,
    hash_refresh_token,
    new_refresh_token,
)
from ai_service.users.models import AuthSession, RefreshToken, User

log = logging.getLogger(__name__)
INVALID_LOGIN = "Invalid email or password"


@dataclass(frozen=True, slots=True)
class AuthResult:
    access_token: str
    refresh_token: str
    expires_at: datetime
    user: User


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    session_id: str


class AuthService:
    def __init__(
        self,
        hasher: PasswordHasher,
        tokens: AccessTokens,
        limiter: RateLimiter,
        audit: AuditLog,
        refresh_ttl: timedelta,
    ) -> None:
        self.hasher = hasher
        self.tokens = tokens
        self.limiter = limiter
        self.audit = audit
        self.refresh_ttl = refresh_ttl

    async def login(self, email: str, password: str, client: ClientInfo) -> AuthResult:
        email = email.strip().lower()[:254]
        email_subject = f"email:{email}"
        subjects = [email_subject] + ([f"ip:{client.ip}"] if client.ip else [])
        if refusal := await self.limiter.attempt(*subjects):
            if refusal.first:
                await self.audit.record("auth.login_throttled", client, actor_email=email)
            raise RateLimited(
                f"Too many failed login attempts. Try again in {refusal.retry_after} seconds.",
                retry_after=refusal.retry_after,
            )
        user = await User.get_or_none(email=email)
        # The hash is checked even for an unknown email, so timing does not tell them apart.
        verified_hash = user.password_hash if user else None
        password_ok = await self.hasher.verify(verified_hash, password)
        if user is None or not password_ok or not user.is_active:
            reason = "unknown_email" if user is None else (
                "wrong_password" if not password_ok else "inactive")
            await self.audit.record(
                "auth.login_failed", client, actor_id=user.id if user else None,
                actor_email=email, details={"reason": reason},
            )
            raise Unauthenticated(INVALID_LOGIN)
        await self.limiter.reset(email_subject)
        await self.limiter.refund(*subjects[1:])
        new_hash = (await self.hasher.hash(password)
                    if self.hasher.needs_rehash(user.password_hash) else None)
        async with in_transaction():
            # The password may have been changed or reset while we were hashing: then this
            # login used a password that no longer exists, and must not create a session.
            current = await User.select_for_update().get_or_none(id=user.id)
            if current is None or current.password_hash != verified_hash or not current.is_active:
                raise Unauthenticated(INVALID_LOGIN)
            user = current
            user.last_login_at = datetime.now(UTC)
            fields = ["last_login_at"]
            if new_hash:
                user.password_hash = new_hash
                fields.append("password_hash")
            await user.save(update_fields=fields)
            session = await AuthSession.create(
                id=uuid.uuid4(), user=user, expires_at=datetime.now(UTC) + self.refresh_ttl,
                ip=client.ip, user_agent=(client.user_agent or "")[:255] or None,
            )
            result = await self._issue(user, session)
            await self.audit.record(
                "auth.login", client, actor_id=user.id, actor_email=user.email,
                target_type="session", target_id=session.id,
            )
        return result

    async def _issue(self, user: User, session: AuthSession) -> AuthResult:
        token, token_hash = new_refresh_token()
        await RefreshToken.create(
            session=session, token_hash=token_hash, expires_at=session.expires_at
        )
        access, expires_at = self.tokens.issue(user.id, str(session.id))
        return AuthResult(access, token, expires_at, user)

    async def refresh(self, refresh_token: str, client: ClientInfo) -> AuthResult:
        """Rotate: the presented token is spent and a new one issued in the same session.
        A spent token presented again means it leaked, so its whole session is revoked."""
        now = datetime.now(UTC)
        stored = await RefreshToken.filter(
            token_hash=hash_refresh_token(refresh_token)
        ).select_related("session__user").first()
        if stored is None:
            raise Unauthenticated("Invalid refresh token")
        session = stored.session
        user = session.user
        if stored.used_at is not None:
            await self._reuse_detected(session, user, client)
        if session.revoked_at is not None or session.expires_at <= now or stored.expires_at <= now:
            raise Unauthenticated("Session expired or signed out: log in again")
        if not user.is_active:
            raise Unauthenticated("Invalid refresh token")
        async with in_transaction():
            spent = await RefreshToken.filter(id=stored.id, used_at=None).update(used_at=now)
            if spent:
                session.last_used_at = now
                session.expires_at = now + self.refresh_ttl
                # Conditional: a logout or password change that just committed wins.
                live = await AuthSession.filter(id=session.id, revoked_at=None).update(
                    last_used_at=session.last_used_at, expires_at=session.expires_at
                )
                if not live:
                    raise Unauthenticated("Session expired or signed out: log in again")
                return await self._issue(user, session)
        # Two exchanges of one token at once: one of them is not its owner.
        await self._reuse_detected(session, user, client)

    async def _reuse_detected(
        self, session: AuthSession, user: User, client: ClientInfo
    ) -> NoReturn:
        if session.revoked_at is None:
            await AuthSession.filter(id=session.id).update(
                revoked_at=datetime.now(UTC), revoked_reason="token_reuse"
            )
            log.warning("refresh token reuse: session revoked", extra={"user_id": user.id})
            await self.audit.record(
                "auth.refresh_token_reuse", client, actor_id=user.id, actor_email=user.email,
                target_type="session", target_id=session.id,
            )
        raise Unauthenticated(
            "Refresh token was already used: this session is revoked, log in again"
        )

    async def logout(self, refresh_token: str, client: ClientInfo) -> None:
        stored = await RefreshToken.filter(
            token_hash=hash_refresh_token(refresh_token)
        ).select_related("session__user").first()
        if stored is None or stored.session.revoked_at is not None:
            return  # idempotent, and says nothing about tokens it does not know
        await AuthSession.filter(id=stored.session.id).update(
            revoked_at=datetime.now(UTC), revoked_reason="logout"
        )
        user = stored.session.user
        await self.audit.record(
            "auth.logout", client, actor_id=user.id, actor_email=user.email,
            target_type="session", target_id=stored.session.id,
        )

    async def authenticate(self, access_token: str) -> Principal:
        """One query per request: the session must be live and its user active, so a revoked
        session or a deactivated user stops working at once, not when the token expires."""
        try:
            claims = self.tokens.decode(access_token)
        except InvalidToken as exc:
            raise Unauthenticated("Invalid or expired access token") from exc
        session = await AuthSession.filter(
            id=claims.session_id, user_id=claims.user_id, revoked_at=None,
            expires_at__gt=datetime.now(UTC), user__is_active=True,
        ).select_related("user").first()
        if session is None:
            raise Unauthenticated("Session ended: log in again")
        return Principal(session.user, claims.session_id)
