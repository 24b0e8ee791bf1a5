"""A user's tags, and which entities carry them (a link per tag and entity)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ai_service.users.models import User


class TaggedKind(StrEnum):
    TRANSACTION = "TRANSACTION"
    CLIENT = "CLIENT"
    DOCUMENT = "DOCUMENT"


class Tag(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="tags", on_delete=fields.CASCADE)
    parent: fields.ForeignKeyNullableRelation[Tag] = fields.ForeignKeyField(
        "ai_service.Tag", related_name="children", null=True, on_delete=fields.CASCADE)
    name = fields.CharField(max_length=60)
    color = fields.CharField(max_length=7, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int
    parent_id: int | None

    class Meta:
        table = "tags"
        unique_together = (("owner", "name"),)


class TagLink(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="tag_links", on_delete=fields.CASCADE)
    tag: fields.ForeignKeyRelation[Tag] = fields.ForeignKeyField(
        "ai_service.Tag", related_name="links", on_delete=fields.CASCADE)
    entity_type = fields.CharEnumField(TaggedKind, max_length=16)
    entity_id = fields.BigIntField()

    owner_id: int
    tag_id: int

    class Meta:
        table = "tag_links"
        unique_together = (("tag", "entity_type", "entity_id"),)
        indexes = (("entity_type", "entity_id"),)
