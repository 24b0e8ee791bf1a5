"""The integrations vault: credentials sealed at rest, shown masked, used by the other domains.

An integration belongs to the instance (global, managed by admins) or to one user. What applies to
a user is their own integration for a provider, else the global one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ai_service.audit.service import AuditLog
from ai_service.core.client import ClientInfo
from ai_service.core.crypto import Keyring, KeyUnavailable, SealBroken
from ai_service.core.errors import (
    BadUserInput,
    Conflict,
    Forbidden,
    IntegrationNotConfigured,
    IntegrationUnavailable,
    NotFound,
    RateLimited,
)
from ai_service.core.logging import redact
from ai_service.core.ratelimit import RateLimiter
from ai_service.integrations.models import (
    GLOBAL_SCOPE,
    Integration,
    IntegrationState,
    user_scope,
)
from ai_service.integrations.providers import PROVIDERS, Provider, ProviderSpec, mask, spec_for
from ai_service.users.models import User

log = logging.getLogger(__name__)
MAX_VALUES = 20


class Scope(StrEnum):
    GLOBAL = "GLOBAL"
    USER = "USER"


def _aad(scope: str, provider: str, name: str) -> bytes:
    return f"ai-service/integration/v1\x1f{scope}\x1f{provider}\x1f{name}".encode()


@dataclass(frozen=True)
class IntegrationConfig:
    """One integration's values, secrets opened and defaults filled in: what clients use."""

    id: int
    provider: Provider
    scope: str
    owner_id: int | None
    values: Mapping[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def flag(self, name: str) -> bool:
        return self.values.get(name) == "true"

    def scrub(self, text: str) -> str:
        """The text with every secret of this integration replaced, for errors and logs."""
        for secret in self.secrets:
            for part in (secret, secret.strip()):
                if len(part) >= 4:
                    text = text.replace(part, "[redacted]")
        return text


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str | None = None  # what went wrong, written for the user, without secrets
    details: Mapping[str, str] = field(default_factory=dict)


Checker = Callable[[IntegrationConfig], Awaitable[CheckResult]]


@dataclass(frozen=True)
class FieldView:
    name: str
    secret: bool
    is_set: bool
    value: str | None  # a mask for secrets; None when not set or not shown


@dataclass(frozen=True)
class IntegrationView:
    spec: ProviderSpec
    row: Integration | None
    fields: tuple[FieldView, ...]
    key_problem: str | None = None  # a secret this keyring cannot open (names the key id)

    @property
    def configured(self) -> bool:
        return self.row is not None

    @property
    def scope(self) -> Scope | None:
        if self.row is None:
            return None
        return Scope.GLOBAL if self.row.is_global else Scope.USER


@dataclass(frozen=True)
class RotationReport:
    resealed: int
    integrations: int
    primary: str


class IntegrationService:
    def __init__(
        self, keyring: Keyring, audit: AuditLog, checker: Checker, test_limiter: RateLimiter
    ) -> None:
        self.keyring = keyring
        self.audit = audit
        self._checker = checker
        self._test_limiter = test_limiter

    # -- used by the other domains -------------------------------------------------------

    async def find(self, provider: str, user_id: int | None) -> IntegrationConfig | None:
        """What applies to this user (or, for None, to the instance); None if not configured.
        Raises IntegrationUnavailable when it is configured but its secrets do not open.
        (The AI gateway's `CredentialSource`, which names providers by their value.)"""
        row = await self._effective_row(Provider(provider), user_id)
        return None if row is None else self._open(row)

    async def resolve(self, provider: Provider, user_id: int | None) -> IntegrationConfig:
        config = await self.find(provider, user_id)
        if config is None:
            spec = PROVIDERS[provider]
            raise IntegrationNotConfigured(
                f"{spec.label} is not configured: add it under Settings → Integrations "
                f"(or the setIntegration mutation with provider {provider.value})",
                providers=[provider.value],
            )
        return config

    async def configured(self, user_id: int | None) -> list[Provider]:
        scopes = [GLOBAL_SCOPE] if user_id is None else [GLOBAL_SCOPE, user_scope(user_id)]
        rows = await Integration.filter(scope__in=scopes).only("id", "provider")
        return sorted({Provider(r.provider) for r in rows}, key=list(Provider).index)

    async def record_check(self, integration_id: int, result: CheckResult) -> None:
        await Integration.filter(id=integration_id).update(
            status=IntegrationState.CONNECTED if result.ok else IntegrationState.FAILED,
            last_checked_at=datetime.now(UTC),
            last_error=None if result.ok else (result.message or "failed")[:500],
        )

    # -- what the API offers -------------------------------------------------------------

    async def overview(self, user: User, scope: Scope | None) -> list[IntegrationView]:
        """One entry per provider. No scope: what applies to the user. Values of the global
        integrations are shown to admins only."""
        if scope is Scope.GLOBAL:
            _require_admin(user, "view the global integrations")
        rows = await Integration.filter(scope__in=self._scopes(user, scope))
        by_provider: dict[Provider, Integration] = {}
        for row in sorted(rows, key=lambda r: r.is_global):  # own rows first, they win
            by_provider.setdefault(Provider(row.provider), row)
        return [self._view(spec, by_provider.get(spec.provider), user) for spec in
                PROVIDERS.values()]

    async def set(
        self,
        user: User,
        provider: Provider,
        values: Iterable[tuple[str, str | None]],
        scope: Scope | None,
        client: ClientInfo,
    ) -> IntegrationView:
        spec = spec_for(provider)
        target = self._write_scope(user, scope)
        changes = _validate(spec, values)
        async with in_transaction():
            row = await Integration.select_for_update().get_or_none(scope=target,
                                                                    provider=provider)
            settings = dict(row.settings) if row else {}
            sealed = dict(row.secrets) if row else {}
            masks = dict(row.masks) if row else {}
            for name, value in changes.items():
                spec_field = spec.field(name)
                assert spec_field is not None
                for store in (settings, sealed, masks):
                    store.pop(name, None)
                if value is None:
                    continue
                if spec_field.secret:
                    sealed[name] = self.keyring.seal(value, _aad(target, provider, name))
                    masks[name] = mask(value)
                else:
                    settings[name] = value
            missing = [f.name for f in spec.fields
                       if f.required and f.name not in settings and f.name not in sealed]
            if missing:
                raise BadUserInput(
                    f"{spec.label} needs {', '.join(missing)}", field=missing[0], missing=missing
                )
            fields_changed = sorted(changes)
            try:
                if row is None:
                    row = await Integration.create(
                        scope=target, owner_id=None if target == GLOBAL_SCOPE else user.id,
                        provider=provider, settings=settings, secrets=sealed, masks=masks,
                    )
                else:
                    row.settings, row.secrets, row.masks = settings, sealed, masks
                    # New credentials: the last test said nothing about them.
                    row.status, row.last_error, row.last_checked_at = (
                        IntegrationState.UNTESTED, None, None)
                    await row.save()
            except IntegrityError as exc:  # two first writes at once: the other one won
                raise Conflict(f"{spec.label} was just configured by another request; "
                               "try again") from exc
            await self.audit.record(
                "integration.set", client, actor_id=user.id, actor_email=user.email,
                target_type="integration", target_id=row.id,
                details={"provider": provider.value, "scope": _scope_name(target),
                         "fields": fields_changed},
            )
        return self._view(spec, row, user)

    async def delete(
        self, user: User, provider: Provider, scope: Scope | None, client: ClientInfo
    ) -> bool:
        spec = spec_for(provider)
        target = self._write_scope(user, scope)
        async with in_transaction():
            row = await Integration.get_or_none(scope=target, provider=provider)
            if row is None:
                return False
            await row.delete()
            await self.audit.record(
                "integration.deleted", client, actor_id=user.id, actor_email=user.email,
                target_type="integration", target_id=row.id,
                details={"provider": spec.provider.value, "scope": _scope_name(target)},
            )
        return True

    async def test(
        self, user: User, provider: Provider, scope: Scope | None, client: ClientInfo
    ) -> IntegrationView:
        """Call the provider with the stored credentials and keep the outcome."""
        spec = spec_for(provider)
        row = await self._row_for(user, provider, scope)
        if row is None:
            raise NotFound(f"{spec.label} is not configured")
        if refusal := await self._test_limiter.attempt(f"user:{user.id}"):
            raise RateLimited(f"Too many connection tests; try again in {refusal.retry_after}s",
                              retry_after=refusal.retry_after)
        try:
            config = self._open(row)
        except IntegrationUnavailable as exc:
            result = CheckResult(False, exc.message)
        else:
            try:
                result = await self._checker(config)
            except Exception as exc:  # a bug in a check must not leave the status stale
                log.exception("connection check crashed", extra={"provider": provider.value})
                result = CheckResult(False, f"The check failed unexpectedly "
                                            f"({type(exc).__name__})")
            if not result.ok and result.message:
                result = CheckResult(False, config.scrub(result.message), result.details)
        await self.record_check(row.id, result)
        await row.refresh_from_db()
        await self.audit.record(
            "integration.tested", client, actor_id=user.id, actor_email=user.email,
            target_type="integration", target_id=row.id,
            details={"provider": provider.value, "scope": _scope_name(row.scope),
                     "status": row.status.value},
        )
        return self._view(spec, row, user)

    async def rotate(self) -> RotationReport:
        """Re-seal every secret under the primary key, in one transaction. Idempotent: a secret
        already under the primary key is left alone. Any secret that cannot be opened aborts the
        whole rotation, so nothing is half-done."""
        resealed = 0
        async with in_transaction():
            rows = await Integration.all().select_for_update()
            for row in rows:
                changed = {}
                for name, sealed in row.secrets.items():
                    if not self.keyring.needs_reseal(sealed):
                        continue
                    aad = _aad(row.scope, row.provider, name)
                    try:
                        plain = self.keyring.open(sealed, aad)
                    except (KeyUnavailable, SealBroken) as exc:
                        raise IntegrationUnavailable(
                            f"{_label(row)}: {name} cannot be opened ({exc}); nothing was "
                            "re-sealed", provider=row.provider,
                        ) from None
                    changed[name] = self.keyring.seal(plain, aad)
                if changed:
                    row.secrets = {**row.secrets, **changed}
                    await row.save(update_fields=["secrets"])
                    resealed += len(changed)
        return RotationReport(resealed=resealed, integrations=len(rows),
                              primary=self.keyring.primary)

    # -- helpers ---------------------------------------------------------------------------

    async def _effective_row(self, provider: Provider, user_id: int | None) -> Integration | None:
        scopes = [GLOBAL_SCOPE] if user_id is None else [user_scope(user_id), GLOBAL_SCOPE]
        rows = await Integration.filter(provider=provider, scope__in=scopes)
        rows.sort(key=lambda r: r.is_global)
        return rows[0] if rows else None

    async def _row_for(self, user: User, provider: Provider, scope: Scope | None
                       ) -> Integration | None:
        spec_for(provider)
        if scope is None:
            return await self._effective_row(provider, user.id)
        if scope is Scope.GLOBAL:
            _require_admin(user, "manage the global integrations")
        return await Integration.get_or_none(
            scope=GLOBAL_SCOPE if scope is Scope.GLOBAL else user_scope(user.id),
            provider=provider,
        )

    @staticmethod
    def _scopes(user: User, scope: Scope | None) -> list[str]:
        if scope is Scope.GLOBAL:
            return [GLOBAL_SCOPE]
        if scope is Scope.USER:
            return [user_scope(user.id)]
        return [user_scope(user.id), GLOBAL_SCOPE]

    @staticmethod
    def _write_scope(user: User, scope: Scope | None) -> str:
        """Admins write the global integration unless they ask for their own; members their own."""
        if scope is None:
            scope = Scope.GLOBAL if user.is_admin else Scope.USER
        if scope is Scope.GLOBAL:
            _require_admin(user, "manage the global integrations")
            return GLOBAL_SCOPE
        return user_scope(user.id)

    def _open(self, row: Integration) -> IntegrationConfig:
        spec = spec_for(row.provider)
        values = {f.name: f.default for f in spec.fields if f.default is not None}
        values.update(row.settings)
        opened = []
        for name, sealed in row.secrets.items():
            try:
                plain = self.keyring.open(sealed, _aad(row.scope, row.provider, name))
            except KeyUnavailable as exc:
                raise IntegrationUnavailable(
                    f"{_label(row)}: {name} was {exc}", provider=row.provider,
                    keyId=exc.key_id) from None
            except SealBroken:
                raise IntegrationUnavailable(
                    f"{_label(row)}: {name} does not open (it was altered or moved); enter it "
                    "again", provider=row.provider) from None
            values[name] = plain
            opened.append(plain)
        redact(*opened)  # whatever logs it later, the line shows [redacted]
        return IntegrationConfig(row.id, Provider(row.provider), row.scope, row.owner_id,  # type: ignore[attr-defined]
                                 values, tuple(opened))

    def _key_problem(self, row: Integration) -> str | None:
        for name, sealed in row.secrets.items():
            try:
                key_id = self.keyring.key_id(sealed)
            except SealBroken:
                return f"{name} is not a sealed value; enter it again"
            if key_id not in self.keyring.keys:
                return (f"{name} was sealed with key '{key_id}', which INTEGRATION_CONFIG_KEY "
                        "no longer holds: add that key back, or enter the secret again")
        return None

    def _view(self, spec: ProviderSpec, row: Integration | None, user: User) -> IntegrationView:
        shown = row is not None and (not row.is_global or user.is_admin)
        views = []
        for f in spec.fields:
            value: str | None = None
            is_set = False
            if row is not None:
                if f.secret:
                    is_set = f.name in row.secrets
                    value = row.masks.get(f.name) if is_set else None
                else:
                    is_set = f.name in row.settings
                    value = row.settings.get(f.name, f.default)
            views.append(FieldView(f.name, f.secret, is_set, value if shown else None))
        return IntegrationView(spec, row, tuple(views),
                               self._key_problem(row) if row is not None else None)


def _validate(spec: ProviderSpec, values: Iterable[tuple[str, str | None]]
              ) -> dict[str, str | None]:
    """Each known field once, cleaned; None or "" clears an optional field."""
    changes: dict[str, str | None] = {}
    for count, (name, value) in enumerate(values, 1):
        if count > MAX_VALUES:
            raise BadUserInput(f"At most {MAX_VALUES} values at once", field="values")
        spec_field = spec.field(name)
        if spec_field is None:
            known = ", ".join(f.name for f in spec.fields)
            raise BadUserInput(f"{spec.label} has no field {name[:40]!r} (fields: {known})",
                               field=name[:40])
        if name in changes:
            raise BadUserInput(f"{name} is given twice", field=name)
        if value is None or not value.strip():
            if spec_field.required:
                raise BadUserInput(f"{spec_field.label} ({name}) is required and cannot be "
                                   "cleared", field=name)
            changes[name] = None
        else:
            changes[name] = spec_field.clean(value)
    if not changes:
        raise BadUserInput("Give at least one value", field="values")
    return changes


def _require_admin(user: User, what: str) -> None:
    if not user.is_admin:
        raise Forbidden(f"Only administrators can {what}")


def _scope_name(scope: str) -> str:
    return Scope.GLOBAL.value if scope == GLOBAL_SCOPE else Scope.USER.value


def _label(row: Integration) -> str:
    where = "global" if row.is_global else "personal"
    return f"{PROVIDERS[Provider(row.provider)].label} ({where})"
