"""Assembles the schema from each domain's Query, Mutation and Subscription types."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, OperationType
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from ai_service.config import Settings
from ai_service.graphql.ai import LLMQuery
from ai_service.graphql.audit import AuditQuery
from ai_service.graphql.documents import DocumentMutation, DocumentQuery
from ai_service.graphql.finance.bank import BankMutation, BankQuery
from ai_service.graphql.finance.mutations import FinanceMutation
from ai_service.graphql.finance.queries import FinanceQuery
from ai_service.graphql.guard import guard_for
from ai_service.graphql.integrations import IntegrationMutation, IntegrationQuery
from ai_service.graphql.jobs import JobMutation, JobQuery, JobSubscription
from ai_service.graphql.notifications import NotificationMutation
from ai_service.graphql.scalars import SCALARS
from ai_service.graphql.tagging import TagMutation, TagQuery
from ai_service.graphql.trading.mutations import TradingMutation
from ai_service.graphql.trading.queries import TradingQuery
from ai_service.graphql.users import UserMutation, UserQuery

Query = merge_types(
    "Query",
    (UserQuery, AuditQuery, JobQuery, IntegrationQuery, LLMQuery, TradingQuery, FinanceQuery,
     BankQuery, TagQuery, DocumentQuery),
)
Mutation = merge_types(
    "Mutation",
    (UserMutation, JobMutation, IntegrationMutation, NotificationMutation, TradingMutation,
     FinanceMutation, BankMutation, TagMutation, DocumentMutation),
)
Subscription = merge_types("Subscription", (JobSubscription,))


class CycleFreeExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core 3.3's executor keeps bound methods of itself (`async_helpers`): a reference
    cycle that holds each request's objects (request, context, user...) until the cyclic
    collector runs. Once a query's or mutation's response is built, break it."""

    def build_response(self, data: Any) -> Any:
        result = super().build_response(data)
        if self.operation.operation is not OperationType.SUBSCRIPTION:
            self.__dict__.pop("async_helpers", None)
        return result


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error with a traceback; format_error logs only unexpected ones."""


def build_schema(settings: Settings | None = None) -> Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[guard_for(settings or Settings())],
        execution_context_class=CycleFreeExecutionContext,
        config=StrawberryConfig(scalar_map=SCALARS),
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
