"""One schema extension for everything each operation goes through, in one hook per phase:
strawberry runs hooks through per-request wrappers, so one extension costs far less than the
seven (parser cache, validation cache, token, depth and alias limits, cost, error codes) that
would otherwise do the same work.

- parse: cached by query text, with the token limit;
- validate: cached by document, with the depth, alias and NUL rules; then the cost limit and
  NUL characters in variables, which depend on the variables and so are not cached;
- results: every error gets its code (`errors.format_error`), streamed results included.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

from ai_service.config import Settings
from ai_service.core.metrics import observe_result
from ai_service.graphql.errors import VALIDATION_FAILED, format_error
from ai_service.graphql.limits import NUL_MESSAGE, NoNulInLiterals, document_cost, has_nul

CACHE_SIZE = 512  # distinct documents remembered; bounded so unique queries cannot grow memory


def guard_for(settings: Settings) -> Callable[[], SchemaExtension]:
    """A factory for the schema: strawberry builds a fresh extension per operation."""
    rules: tuple[type[ASTValidationRule], ...] = (
        depth_rule(settings.graphql_max_depth, None),
        alias_rule(settings.graphql_max_aliases),
        NoNulInLiterals,
    )
    max_tokens = settings.graphql_max_tokens
    parse_cached = lru_cache(maxsize=CACHE_SIZE)(partial(parse, max_tokens=max_tokens))
    validate_cached = lru_cache(maxsize=CACHE_SIZE)(validate_document)
    max_cost = settings.graphql_max_cost
    measure = settings.metrics_enabled  # off: not even a clock read per operation

    class RequestGuard(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            context.parse_options["max_tokens"] = max_tokens
            # On a syntax error the document stays unset: strawberry parses again (with the same
            # token limit) and reports it as a normal result rather than an escaped exception.
            with contextlib.suppress(GraphQLError):
                context.graphql_document = parse_cached(context.query)
            yield

        def on_validate(self) -> Iterator[None]:
            # Decided before the yield: strawberry checks the errors inside this step.
            context = self.execution_context
            document: DocumentNode | None = context.graphql_document
            if document is not None:
                context.validation_rules = (*context.validation_rules, *rules)
                errors = list(validate_cached(context.schema._schema, document,
                                              context.validation_rules))
                for error in errors:
                    if not (error.extensions or {}).get("code"):
                        error.extensions = {**(error.extensions or {}), "code": VALIDATION_FAILED}
                if not errors:
                    errors = _variable_errors(document, context.operation_name,
                                              context.variables or {}, max_cost)
                context.pre_execution_errors = errors
            yield

        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter() if measure else 0.0
            yield
            _format(self.execution_context.result)
            if measure:
                context = self.execution_context
                observe_result(_operation_name(context), _operation_type(context),
                               time.perf_counter() - started, context.result)

        def on_stream_result(self, result: Any) -> Iterator[None]:
            """Each result a subscription (or any WebSocket operation) sends."""
            _format(result)
            yield

    return RequestGuard


def _variable_errors(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any], max_cost: int
) -> list[GraphQLError]:
    if has_nul(variables):
        return [GraphQLError(NUL_MESSAGE, extensions={"code": "BAD_USER_INPUT"})]
    cost = document_cost(document, operation_name, variables)
    if cost > max_cost:
        return [GraphQLError(
            f"Query is too expensive: cost {cost} exceeds the limit of {max_cost}. "
            "Ask for smaller pages or fewer nested lists.",
            extensions={"code": VALIDATION_FAILED, "cost": cost, "maxCost": max_cost},
        )]
    return []


def _operation_name(context: Any) -> str | None:
    if context.operation_name:
        return str(context.operation_name)
    document: DocumentNode | None = context.graphql_document
    if document is not None and len(document.definitions) == 1:
        name = getattr(document.definitions[0], "name", None)
        return name.value if name is not None else None
    return None


def _operation_type(context: Any) -> str:
    try:
        return str(context.operation_type.value)
    except Exception:  # no document (a syntax error): nothing ran
        return "invalid"


def _format(result: Any) -> None:
    if result is not None and getattr(result, "errors", None):
        result.errors = [format_error(e) for e in result.errors]
