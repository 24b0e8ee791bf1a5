"""Tags and their links. Each domain that can be tagged registers how to tell whether one of
its entities belongs to a user, so tagging never needs to import the domains."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Awaitable, Callable

from tortoise.exceptions import IntegrityError

from ai_service.core.errors import BadUserInput, Conflict, NotFound
from ai_service.tagging.models import Tag, TaggedKind, TagLink
from ai_service.users.models import User

OwnerCheck = Callable[[int, list[int]], Awaitable[set[int]]]  # (user, ids) -> the user's ids
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class TagService:
    def __init__(self) -> None:
        self._owners: dict[TaggedKind, OwnerCheck] = {}

    def register(self, kind: TaggedKind, owned: OwnerCheck) -> None:
        self._owners[kind] = owned

    async def tags(self, user: User) -> list[Tag]:
        return await Tag.filter(owner_id=user.id).order_by("name")

    async def create(self, user: User, name: str, color: str | None = None,
                     parent_id: int | None = None) -> Tag:
        clean = " ".join(name.split())
        if not clean or len(clean) > 60:
            raise BadUserInput("A tag name is 1 to 60 characters", field="name")
        if color is not None and not _COLOR.fullmatch(color):
            raise BadUserInput("A colour is #rrggbb", field="color")
        if parent_id is not None and not await Tag.exists(id=parent_id, owner_id=user.id):
            raise NotFound(f"Tag {parent_id} not found")
        try:
            return await Tag.create(owner_id=user.id, name=clean, color=color,
                                    parent_id=parent_id)
        except IntegrityError:
            raise Conflict(f"You already have a tag named {clean!r}", field="name") from None

    async def delete(self, user: User, tag_id: int) -> bool:
        return bool(await Tag.filter(id=tag_id, owner_id=user.id).delete())

    async def _check(self, user: User, kind: TaggedKind, entity_ids: list[int]) -> None:
        owned = self._owners.get(kind)
        if owned is None:
            raise BadUserInput(f"{kind.value} cannot be tagged here", field="entityType")
        mine = await owned(user.id, entity_ids)
        missing = [i for i in entity_ids if i not in mine]
        if missing:
            raise NotFound(f"{kind.value.capitalize()} {missing[0]} not found")

    async def tag(self, user: User, tag_id: int, kind: TaggedKind, entity_id: int) -> bool:
        """True when the link is new; tagging twice is harmless."""
        if not await Tag.exists(id=tag_id, owner_id=user.id):
            raise NotFound(f"Tag {tag_id} not found")
        await self._check(user, kind, [entity_id])
        try:
            await TagLink.create(owner_id=user.id, tag_id=tag_id, entity_type=kind,
                                 entity_id=entity_id)
        except IntegrityError:
            return False
        return True

    async def untag(self, user: User, tag_id: int, kind: TaggedKind, entity_id: int) -> bool:
        return bool(await TagLink.filter(owner_id=user.id, tag_id=tag_id, entity_type=kind,
                                         entity_id=entity_id).delete())

    async def forget(self, kind: TaggedKind, entity_ids: list[int]) -> None:
        """Called by a domain when it deletes entities: their links go too."""
        if entity_ids:
            await TagLink.filter(entity_type=kind, entity_id__in=entity_ids).delete()

    async def tags_of(self, kind: TaggedKind, entity_ids: list[int]) -> dict[int, list[Tag]]:
        """One query for the tags of many entities (the DataLoader's batch)."""
        found: dict[int, list[Tag]] = defaultdict(list)
        links = await TagLink.filter(entity_type=kind, entity_id__in=entity_ids).order_by(
            "tag__name").select_related("tag")
        for link in links:
            found[link.entity_id].append(link.tag)
        return found
