"""Accounts: creation, roles, activation and passwords. Plain async code, no GraphQL here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ai_service.audit.service import AuditLog
from ai_service.core.client import ClientInfo
from ai_service.core.db import dialect
from ai_service.core.errors import BadUserInput, Conflict, Forbidden, NotFound, RateLimited
from ai_service.core.pagination import Page, keyset_page
from ai_service.core.ratelimit import RateLimiter
from ai_service.core.security import PasswordHasher
from ai_service.users.models import AuthSession, Role, User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FIRST_ADMIN_LOCK = 7_400_211  # arbitrary, constant PostgreSQL advisory-lock key


def normalize_email(email: str) -> str:
    normalized = email.strip().lower()
    if len(normalized) > 254 or not _EMAIL.match(normalized):
        raise BadUserInput("Enter a valid email address", field="email")
    return normalized


def check_password(password: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadUserInput(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters long", field=field
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise BadUserInput(
            f"Password must be at most {MAX_PASSWORD_LENGTH} characters long", field=field
        )
    return password


def check_full_name(full_name: str) -> str:
    cleaned = " ".join(full_name.split())
    if len(cleaned) > 200:
        raise BadUserInput("Full name must be at most 200 characters", field="fullName")
    return cleaned


async def revoke_sessions(user_id: int, reason: str, *, keep: str | None = None) -> int:
    query = AuthSession.filter(user_id=user_id, revoked_at=None)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.update(revoked_at=datetime.now(UTC), revoked_reason=reason)


class UserService:
    def __init__(
        self, hasher: PasswordHasher, audit: AuditLog, password_limiter: RateLimiter
    ) -> None:
        self.hasher = hasher
        self.audit = audit
        self._password_limiter = password_limiter

    async def any_exist(self) -> bool:
        """Whether setup is done; an EXISTS, not a COUNT over every user."""
        return bool(await User.exists())

    async def get(self, user_id: int) -> User:
        user = await User.get_or_none(id=user_id)
        if user is None:
            raise NotFound(f"User {user_id} not found")
        return user

    async def by_ids(self, ids: Iterable[int]) -> dict[int, User]:
        return {u.id: u for u in await User.filter(id__in=list(ids))}

    async def by_email(self, email: str) -> User | None:
        return await User.get_or_none(email=email.strip().lower())

    async def page(self, first: int, after: str | None) -> Page[User]:
        return await keyset_page(User.all(), first, after)

    async def create(
        self,
        email: str,
        password: str,
        full_name: str = "",
        role: Role = Role.MEMBER,
        *,
        actor: User | None,
        client: ClientInfo,
    ) -> User:
        email = normalize_email(email)
        check_password(password)
        full_name = check_full_name(full_name)
        password_hash = await self.hasher.hash(password)
        try:
            async with in_transaction():
                user = await User.create(
                    email=email, full_name=full_name, password_hash=password_hash, role=role,
                    password_changed_at=datetime.now(UTC),
                )
                await self._audit_created(user, actor, client)
        except IntegrityError as exc:
            raise Conflict("A user with this email already exists", field="email") from exc
        return user

    async def create_first_admin(
        self, email: str, password: str, full_name: str, client: ClientInfo
    ) -> User:
        """The unauthenticated first-run setup: allowed only while there is no user at all."""
        email = normalize_email(email)
        check_password(password)
        full_name = check_full_name(full_name)
        if await User.exists():
            raise Forbidden("Setup is already complete: log in as an administrator")
        password_hash = await self.hasher.hash(password)
        async with in_transaction() as conn:
            if dialect() == "postgres":  # two racing setups must not both see an empty table
                await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_FIRST_ADMIN_LOCK])
            if await User.exists():
                raise Forbidden("Setup is already complete: log in as an administrator")
            user = await User.create(
                email=email, full_name=full_name, password_hash=password_hash, role=Role.ADMIN,
                password_changed_at=datetime.now(UTC),
            )
            await self._audit_created(user, None, client, first_admin=True)
        return user

    async def _audit_created(
        self, user: User, actor: User | None, client: ClientInfo, first_admin: bool = False
    ) -> None:
        await self.audit.record(
            "user.created", client,
            actor_id=actor.id if actor else None, actor_email=actor.email if actor else None,
            target_type="user", target_id=user.id,
            details={"email": user.email, "role": str(user.role), "firstAdmin": first_admin},
        )

    async def update(
        self,
        user_id: int,
        *,
        actor: User,
        client: ClientInfo,
        full_name: str | None = None,
        role: Role | None = None,
        active: bool | None = None,
    ) -> User:
        async with in_transaction():
            user = await User.select_for_update().get_or_none(id=user_id)
            if user is None:
                raise NotFound(f"User {user_id} not found")
            events: list[tuple[str, dict[str, object]]] = []
            if full_name is not None:
                user.full_name = check_full_name(full_name)
            if role is not None and role != user.role:
                if user.role == Role.ADMIN:
                    await self._keep_an_admin(user, "demote")
                events.append(("user.role_changed", {"from": str(user.role), "to": str(role)}))
                user.role = role
            if active is not None and active != user.is_active:
                if not active:
                    if user.id == actor.id:
                        raise BadUserInput("You cannot deactivate your own account", field="active")
                    if user.role == Role.ADMIN:
                        await self._keep_an_admin(user, "deactivate")
                events.append(("user.activated" if active else "user.deactivated", {}))
                user.is_active = active
            await user.save()
            if active is False:
                await revoke_sessions(user.id, "deactivated")
            for action, details in events:
                await self.audit.record(
                    action, client, actor_id=actor.id, actor_email=actor.email,
                    target_type="user", target_id=user.id, details={"email": user.email, **details},
                )
        return user

    async def _keep_an_admin(self, user: User, verb: str) -> None:
        # Lock every active admin, not only this one: two admins demoting each other at once
        # must not both see the other one still there.
        admins = await User.select_for_update().filter(role=Role.ADMIN, is_active=True)
        if not [a for a in admins if a.id != user.id]:
            raise Conflict(f"Cannot {verb} the last active administrator")

    async def reset_password(
        self, user_id: int, new_password: str, *, actor: User | None, client: ClientInfo
    ) -> User:
        check_password(new_password, field="newPassword")
        user = await self.get(user_id)
        await self._set_password(user, new_password, keep_session=None)
        await self.audit.record(
            "user.password_reset", client,
            actor_id=actor.id if actor else None, actor_email=actor.email if actor else None,
            target_type="user", target_id=user.id, details={"email": user.email},
        )
        return user

    async def change_password(
        self,
        user: User,
        current_password: str,
        new_password: str,
        *,
        session_id: str | None,
        client: ClientInfo,
    ) -> None:
        """Checks the current password (rate-limited like logins) and signs out other sessions."""
        check_password(new_password, field="newPassword")
        subject = f"email:{user.email}"
        if refusal := await self._password_limiter.attempt(subject):
            raise RateLimited(f"Too many failed attempts. Try again in {refusal.retry_after} "
                              "seconds.", retry_after=refusal.retry_after)
        if not await self.hasher.verify(user.password_hash, current_password):
            await self.audit.record(
                "user.password_change_failed", client, actor_id=user.id, actor_email=user.email,
                target_type="user", target_id=user.id,
            )
            raise BadUserInput("Current password is incorrect", field="currentPassword")
        await self._password_limiter.reset(subject)
        if current_password == new_password:
            raise BadUserInput("The new password must differ from the current one",
                               field="newPassword")
        await self._set_password(user, new_password, keep_session=session_id)
        await self.audit.record(
            "user.password_changed", client, actor_id=user.id, actor_email=user.email,
            target_type="user", target_id=user.id,
        )

    async def _set_password(self, user: User, password: str, *, keep_session: str | None) -> None:
        password_hash = await self.hasher.hash(password)
        async with in_transaction():
            user.password_hash = password_hash
            user.password_changed_at = datetime.now(UTC)
            await user.save(update_fields=["password_hash", "password_changed_at", "updated_at"])
            await revoke_sessions(user.id, "password_changed", keep=keep_session)
