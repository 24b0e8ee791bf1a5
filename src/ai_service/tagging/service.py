"""Tags and their links. Each domain that can be tagged registers how to tell whether one of
its entities belongs to a user, so tagging never needs to import the domains."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from ai_service.core.colors import check_color
from ai_service.core.errors import BadUserInput, Conflict, NotFound
from ai_service.tagging.models import Tag, TaggedKind, TagLink
from ai_service.users.models import User

OwnerCheck = Callable[[int, list[int]], Awaitable[set[int]]]  # (user, ids) -> the user's ids
Changed = Callable[[int, int], Awaitable[None]]  # (user, entity id): its tags changed


def owned_by(model: type[Model]) -> OwnerCheck:
    """The owner check for a model with an `owner` (what most taggable domains register)."""

    async def owned(user_id: int, ids: list[int]) -> set[int]:
        found = await model.filter(owner_id=user_id, id__in=ids).values_list("id", flat=True)
        return {int(cast(int, i)) for i in found}

    return owned


class TagService:
    def __init__(self) -> None:
        self._owners: dict[TaggedKind, OwnerCheck] = {}
        self._changed: dict[TaggedKind, Changed] = {}

    def register(self, kind: TaggedKind, owned: OwnerCheck,
                 changed: Changed | None = None) -> None:
        """`changed` lets a domain that keeps a copy of its tags (documents) follow edits."""
        self._owners[kind] = owned
        if changed is not None:
            self._changed[kind] = changed

    async def _notify(self, user: User, kind: TaggedKind, entity_id: int) -> None:
        if (changed := self._changed.get(kind)) is not None:
            await changed(user.id, entity_id)

    async def set_names(self, user_id: int, kind: TaggedKind, entity_id: int,
                        names: list[str]) -> list[Tag]:
        """Exactly these tags on the entity, by name (case-insensitive); missing tags are
        created. For domains whose API takes tag names."""
        existing = {t.name.lower(): t for t in await Tag.filter(owner_id=user_id)}
        wanted: list[Tag] = []
        for name in names:
            tag = existing.get(name.lower())
            if tag is None:
                try:
                    tag = await Tag.create(owner_id=user_id, name=name[:60])
                except IntegrityError:  # created meanwhile
                    tag = await Tag.get(owner_id=user_id, name=name[:60])
                existing[name.lower()] = tag
            wanted.append(tag)
        keep = {t.id for t in wanted}
        await TagLink.filter(entity_type=kind, entity_id=entity_id).exclude(
            tag_id__in=list(keep)).delete()
        have = set(await TagLink.filter(entity_type=kind, entity_id=entity_id).values_list(
            "tag_id", flat=True))
        for tag in wanted:
            if tag.id not in have:
                await TagLink.create(owner_id=user_id, tag_id=tag.id, entity_type=kind,
                                     entity_id=entity_id)
        return wanted

    async def tags(self, user: User) -> list[Tag]:
        return await Tag.filter(owner_id=user.id).order_by("name")

    async def create(self, user: User, name: str, color: str | None = None,
                     parent_id: int | None = None) -> Tag:
        clean = " ".join(name.split())
        if not clean or len(clean) > 60:
            raise BadUserInput("A tag name is 1 to 60 characters", field="name")
        color = check_color(color)
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
        await self._notify(user, kind, entity_id)
        return True

    async def untag(self, user: User, tag_id: int, kind: TaggedKind, entity_id: int) -> bool:
        removed = bool(await TagLink.filter(owner_id=user.id, tag_id=tag_id, entity_type=kind,
                                            entity_id=entity_id).delete())
        if removed:
            await self._notify(user, kind, entity_id)
        return removed

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
