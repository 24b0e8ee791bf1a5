"""What protects the server from a document: the cost of a query, where a field with `first: n`
costs n times its selection, and no U+0000 in any text (PostgreSQL cannot store it, so it is
refused here rather than deep inside a query). Depth and alias limits are strawberry's rules,
the token limit graphql-core's parser option; `guard.py` applies them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
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

from ai_service.core.pagination import DEFAULT_PAGE, MAX_PAGE

NUL_MESSAGE = "Text may not contain the NUL character (U+0000)"


class NoNulInLiterals(ValidationRule):
    """Strings written in the document itself (`"a\\u0000b"`, `"a\\u{0}b"`)."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            error = GraphQLError(NUL_MESSAGE, node, extensions={"code": "BAD_USER_INPUT"})
            self.report_error(error)


def has_nul(value: object) -> bool:
    """Strings passed as variables, nested anywhere."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def document_cost(
    document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]
) -> int:
    """The cost of the operation that will run; 0 when graphql-core will refuse to pick one."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        ):
            return query_cost(definition, fragments, variables)
    return 0


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
    # Module-level helpers, not closures: a recursive closure is a reference cycle, and every
    # cycle made per request is garbage the cyclic collector has to find.
    return _selection_cost(operation.selection_set, fragments, {**defaults, **variables},
                           frozenset())


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        raw: Any = None
        if isinstance(value, IntValueNode):
            raw = value.value
        elif isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
        try:
            return max(0, min(int(raw), MAX_PAGE)) if raw is not None else DEFAULT_PAGE
        except (TypeError, ValueError):
            return MAX_PAGE
    return None


def _selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    seen: frozenset[str],
) -> int:
    total = 0
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            inner = _selection_cost(selection.selection_set, fragments, variables, seen)
            size = _page_size(selection, variables)
            total += 1 + (inner * size if size is not None else inner)
        elif isinstance(selection, InlineFragmentNode):
            total += _selection_cost(selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += _selection_cost(fragments[name].selection_set, fragments, variables,
                                         seen | {name})
    return total
