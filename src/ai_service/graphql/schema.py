"""Assembles the schema from each domain's Query, Mutation and Subscription types."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from ai_service.audit.schema import AuditQuery
from ai_service.config import Settings
from ai_service.core.jobs.schema import JobMutation, JobQuery, JobSubscription
from ai_service.graphql.errors import ErrorCodes, ParseCache
from ai_service.graphql.limits import CostLimiter, NoNulInLiterals, NoNulInVariables
from ai_service.users.schema import UserMutation, UserQuery

Query = merge_types("Query", (UserQuery, AuditQuery, JobQuery))
Mutation = merge_types("Mutation", (UserMutation, JobMutation))
Subscription = merge_types("Subscription", (JobSubscription,))


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error with a traceback; ErrorCodes logs only unexpected ones."""


def build_schema(settings: Settings | None = None) -> Schema:
    s = settings or Settings()
    # Extensions are given as factories: strawberry builds fresh ones per operation. The rule
    # classes are built once here, or the validation cache (keyed by them) would never hit.
    rules: list[type[ASTValidationRule]] = [
        depth_rule(s.graphql_max_depth, None), alias_rule(s.graphql_max_aliases), NoNulInLiterals
    ]
    extensions: list[Any] = [
        partial(ParseCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(MaxTokensLimiter, max_token_count=s.graphql_max_tokens),
        partial(AddValidationRules, rules),
        partial(CostLimiter, max_cost=s.graphql_max_cost),
        NoNulInVariables,
        ErrorCodes,
    ]
    return Schema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
