"""Authorization is declared on every field that reaches user data: each root field names exactly
one access class (Public, IsAuthenticated, IsAdmin), and a field below the root that takes an
ID (and so could reach any row) declares one too."""

from __future__ import annotations

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from ai_service.graphql.permissions import ACCESS, IsAuthenticated
from ai_service.graphql.schema import build_schema


def undeclared(schema: strawberry.Schema) -> list[str]:
    core = schema._schema
    roots = {t.name for t in (core.query_type, core.mutation_type, core.subscription_type) if t}
    problems = []
    for definition in schema.schema_converter.type_map.values():
        kind = definition.definition
        if not isinstance(kind, StrawberryObjectDefinition) or kind.name.startswith("__"):
            continue
        root = kind.name in roots
        for field in kind.fields:
            declared = [c for c in field.permission_classes if c in ACCESS]
            takes_id = any("ID" in str(a.type) for a in field.arguments)
            if (root or takes_id) and len(declared) != 1:
                problems.append(f"{kind.name}.{field.graphql_name or field.python_name}")
    return sorted(problems)


def test_every_field_that_reaches_user_data_declares_who_may_call_it() -> None:
    assert undeclared(build_schema()) == []


@strawberry.type
class Item:
    @strawberry.field
    def sibling(self, id: strawberry.ID) -> str:
        return str(id)


@strawberry.type
class ForgetfulQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    def declared(self) -> Item:
        return Item()

    @strawberry.field
    def forgotten(self) -> str:
        return ""


def test_the_walk_finds_a_field_without_a_declaration() -> None:
    schema = strawberry.Schema(query=ForgetfulQuery)
    assert undeclared(schema) == ["ForgetfulQuery.forgotten", "Item.sibling"]
