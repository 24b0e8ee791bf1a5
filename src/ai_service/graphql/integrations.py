"""GraphQL for the integrations vault: a thin layer over IntegrationService.

Secrets are write-only: `setIntegration` takes them, every read shows a mask.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import strawberry
from strawberry.types import Info

from ai_service.graphql.context import Context
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.integrations.models import IntegrationState
from ai_service.integrations.providers import PROVIDERS, FieldKind, Provider, ProviderSpec
from ai_service.integrations.service import IntegrationView, Scope

strawberry.enum(Provider, name="IntegrationProvider")
strawberry.enum(Scope, name="IntegrationScope",
                description="GLOBAL: the whole instance (administrators). USER: yours only.")
strawberry.enum(IntegrationState, name="IntegrationState")
strawberry.enum(FieldKind, name="IntegrationFieldKind")


@strawberry.enum(description="The roll-up of every integration that applies to you.")
class IntegrationHealth(StrEnum):
    OK = "OK"  # every configured integration passed its last test
    DEGRADED = "DEGRADED"  # at least one failed, or its secret cannot be opened
    UNTESTED = "UNTESTED"  # none failed, some were never tested since they changed
    NONE = "NONE"  # nothing is configured


@strawberry.type
class IntegrationFieldSpec:
    name: str
    label: str
    kind: FieldKind
    secret: bool
    required: bool
    default: str | None
    choices: list[str]
    help: str | None


@strawberry.type
class IntegrationProviderInfo:
    provider: Provider
    label: str
    description: str
    docs_url: str
    notice: str | None = strawberry.field(description="Something to know before choosing it.")
    fields: list[IntegrationFieldSpec]

    @classmethod
    def of(cls, spec: ProviderSpec) -> IntegrationProviderInfo:
        return cls(
            provider=spec.provider, label=spec.label, description=spec.description,
            docs_url=spec.docs_url, notice=spec.notice,
            fields=[IntegrationFieldSpec(
                name=f.name, label=f.label, kind=f.kind, secret=f.secret, required=f.required,
                default=f.default, choices=list(f.choices), help=f.help or None,
            ) for f in spec.fields],
        )


@strawberry.type
class IntegrationFieldValue:
    name: str
    secret: bool
    is_set: bool
    value: str | None = strawberry.field(
        description="The value; for a secret, a mask such as sk-…9f2a. Null when not set, or "
                    "for a global integration seen by a member."
    )


@strawberry.type
class Integration:
    provider: Provider
    label: str
    configured: bool
    scope: Scope | None = strawberry.field(description="Whose integration applies; null when "
                                                       "none is configured.")
    fields: list[IntegrationFieldValue]
    status: IntegrationState
    last_checked_at: datetime | None
    last_error: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, view: IntegrationView) -> Integration:
        row = view.row
        status = row.status if row else IntegrationState.UNTESTED
        error = row.last_error if row else None
        if view.key_problem:  # whatever the last test said, it cannot work now
            status, error = IntegrationState.FAILED, view.key_problem
        return cls(
            provider=view.spec.provider, label=view.spec.label, configured=view.configured,
            scope=view.scope,
            fields=[IntegrationFieldValue(name=f.name, secret=f.secret, is_set=f.is_set,
                                          value=f.value) for f in view.fields],
            status=status, last_checked_at=row.last_checked_at if row else None,
            last_error=error, updated_at=row.updated_at if row else None,
        )


@strawberry.type
class IntegrationStatusReport:
    status: IntegrationHealth
    configured: int
    connected: int
    failed: int
    untested: int
    integrations: list[Integration] = strawberry.field(description="The configured ones.")

    @classmethod
    def of(cls, items: list[Integration]) -> IntegrationStatusReport:
        configured = [i for i in items if i.configured]
        counts = {state: sum(1 for i in configured if i.status is state)
                  for state in IntegrationState}
        if not configured:
            health = IntegrationHealth.NONE
        elif counts[IntegrationState.FAILED]:
            health = IntegrationHealth.DEGRADED
        elif counts[IntegrationState.UNTESTED]:
            health = IntegrationHealth.UNTESTED
        else:
            health = IntegrationHealth.OK
        return cls(status=health, configured=len(configured),
                   connected=counts[IntegrationState.CONNECTED],
                   failed=counts[IntegrationState.FAILED],
                   untested=counts[IntegrationState.UNTESTED], integrations=configured)


@strawberry.input
class IntegrationValueInput:
    key: str
    value: str | None = strawberry.field(
        default=None, description="Null or empty clears an optional field."
    )


@strawberry.type
class IntegrationQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Each provider and the fields its form needs.")
    async def integration_providers(self, info: Info[Context, None]
                                    ) -> list[IntegrationProviderInfo]:
        await info.context.user()
        return [IntegrationProviderInfo.of(spec) for spec in PROVIDERS.values()]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="One entry per provider. Without `scope`: the integration "
                                  "that applies to you (yours, else the global one).")
    async def integrations(
        self, info: Info[Context, None], scope: Scope | None = None
    ) -> list[Integration]:
        user = await info.context.user()
        return [Integration.of(v) for v in
                await info.context.services.integrations.overview(user, scope)]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="The roll-up a deployment script checks; `test: true` tests "
                                  "each configured integration first.")
    async def integration_status(
        self, info: Info[Context, None], test: bool = False
    ) -> IntegrationStatusReport:
        user = await info.context.user()
        service = info.context.services.integrations
        if test:
            for provider in await service.configured(user.id):
                await service.test(user, provider, None, info.context.client)
        return IntegrationStatusReport.of(
            [Integration.of(v) for v in await service.overview(user, None)]
        )


@strawberry.type
class IntegrationMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Set some fields of a provider; the others keep their "
                                     "values. Without `scope`, administrators set the global "
                                     "integration and members their own.")
    async def set_integration(
        self, info: Info[Context, None], provider: Provider, values: list[IntegrationValueInput],
        scope: Scope | None = None,
    ) -> Integration:
        user = await info.context.user()
        view = await info.context.services.integrations.set(
            user, provider, [(v.key, v.value) for v in values], scope, info.context.client
        )
        return Integration.of(view)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Forget a provider's credentials. False if there were none.")
    async def delete_integration(
        self, info: Info[Context, None], provider: Provider, scope: Scope | None = None
    ) -> bool:
        user = await info.context.user()
        return await info.context.services.integrations.delete(
            user, provider, scope, info.context.client
        )

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Call the provider with the stored credentials and keep "
                                     "the outcome in `status`. Without `scope`: the one that "
                                     "applies to you.")
    async def test_integration(
        self, info: Info[Context, None], provider: Provider, scope: Scope | None = None
    ) -> Integration:
        user = await info.context.user()
        return Integration.of(await info.context.services.integrations.test(
            user, provider, scope, info.context.client
        ))
