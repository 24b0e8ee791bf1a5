"""Protects the server: a cost limit that multiplies by `first`, and no U+0000 in any text
(PostgreSQL cannot store it, so it is refused here rather than deep inside a query).
Depth, alias and token limits come from strawberry's own extensions (see schema.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from ai_service.core.pagination import DEFAULT_PAGE, MAX_PAGE
from ai_service.graphql.errors import VALIDATION_FAILED

NUL_MESSAGE = "Text may not contain the NUL character (U+0000)"


class NoNulInLiterals(ValidationRule):
    """Strings written in the document itself (`"a\\u0000b"`, `"a\\u{0}b"`)."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            error = GraphQLError(NUL_MESSAGE, node, extensions={"code": "BAD_USER_INPUT"})
            self.report_error(error)


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class NoNulInVariables(SchemaExtension):
    """Strings passed as variables, over HTTP and WebSocket alike."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors and _has_nul(context.variables):
            context.pre_execution_errors = [
                GraphQLError(NUL_MESSAGE, extensions={"code": "BAD_USER_INPUT"})
            ]
        yield


def query_cost(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    """Each field costs 1; a field with `first: n` costs 1 + n x (its selection's cost)."""
    defaults = {
        d.variable.name.value: d.default_value.value
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }

    def page_size(field: FieldNode) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            raw: Any = None
            if isinstance(value, IntValueNode):
                raw = value.value
            elif isinstance(value, VariableNode):
                raw = variables.get(value.name.value, defaults.get(value.name.value))
            try:
                return max(0, min(int(raw), MAX_PAGE)) if raw is not None else DEFAULT_PAGE
            except (TypeError, ValueError):
                return MAX_PAGE
        return None

    def cost(selection_set: SelectionSetNode | None, seen: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                inner = cost(selection.selection_set, seen)
                size = page_size(selection)
                total += 1 + (inner * size if size is not None else inner)
            elif isinstance(selection, InlineFragmentNode):
                total += cost(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    total += cost(fragments[name].selection_set, seen | {name})
        return total

    return cost(operation.selection_set, frozenset())


class CostLimiter(SchemaExtension):
    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        # Before the yield: strawberry decides whether to execute inside the validation step,
        # so a verdict given on the way out would come too late. ValidationCache, listed
        # before this extension, has validated the document by now.
        self._check()
        yield

    def _check(self) -> None:
        context = self.execution_context
        if context.pre_execution_errors or context.graphql_document is None:
            return
        fragments = {
            d.name.value: d for d in context.graphql_document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        wanted = context.operation_name
        operations = [
            d for d in context.graphql_document.definitions
            if isinstance(d, OperationDefinitionNode)
            and (wanted is None or (d.name is not None and d.name.value == wanted))
        ]
        if not operations:
            return  # graphql-core reports the missing or ambiguous operation itself
        total = query_cost(operations[0], fragments, context.variables or {})
        if total > self.max_cost:
            context.pre_execution_errors = [
                GraphQLError(
                    f"Query is too expensive: cost {total} exceeds the limit of {self.max_cost}. "
                    "Ask for smaller pages or fewer nested lists.",
                    extensions={"code": VALIDATION_FAILED, "cost": total, "maxCost": self.max_cost},
                )
            ]
