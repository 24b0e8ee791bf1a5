"""GraphQL for tags: one vocabulary per user, attached to transactions, clients, documents."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.tagging.models import Tag, TaggedKind

strawberry.enum(TaggedKind, name="TaggedEntity")


@strawberry.type(name="Tag")
class TagType:
    id: strawberry.ID
    name: str
    color: str | None
    parent_id: strawberry.ID | None

    @classmethod
    def of(cls, row: Tag) -> TagType:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, color=row.color,
                   parent_id=None if row.parent_id is None else strawberry.ID(str(row.parent_id)))


@strawberry.type
class TagQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def tags(self, info: Info[Context, None]) -> list[TagType]:
        user = await info.context.user()
        return [TagType.of(t) for t in await info.context.services.tags.tags(user)]


@strawberry.type
class TagMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Names are unique per user (CONFLICT); colour #rrggbb.")
    async def create_tag(self, info: Info[Context, None], name: str, color: str | None = None,
                         parent_id: strawberry.ID | None = None) -> TagType:
        user = await info.context.user()
        parent = None if parent_id is None else parse_id(parent_id, "parentId")
        return TagType.of(await info.context.services.tags.create(user, name, color, parent))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Removes the tag everywhere it is used.")
    async def delete_tag(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.tags.delete(user, parse_id(id))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="False when it was already tagged.")
    async def tag_entity(self, info: Info[Context, None], tag_id: strawberry.ID,
                         entity_type: TaggedKind, entity_id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.tags.tag(
            user, parse_id(tag_id, "tagId"), entity_type, parse_id(entity_id, "entityId"))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="False when it was not tagged.")
    async def untag_entity(self, info: Info[Context, None], tag_id: strawberry.ID,
                           entity_type: TaggedKind, entity_id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.tags.untag(
            user, parse_id(tag_id, "tagId"), entity_type, parse_id(entity_id, "entityId"))
