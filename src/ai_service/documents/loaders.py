"""This domain's DataLoaders, created per operation alongside the context's own loaders (and
forgotten with them: a WebSocket operation's fresh Loaders gets fresh ones here too)."""

from __future__ import annotations

from functools import cached_property
from weakref import WeakKeyDictionary

from strawberry.dataloader import DataLoader

from ai_service.core.jobs.models import Job
from ai_service.documents.models import Document
from ai_service.graphql.context import Context, Loaders

_per_operation: WeakKeyDictionary[Loaders, DocumentLoaders] = WeakKeyDictionary()


class DocumentLoaders:
    def __init__(self, context: Context) -> None:
        self._service = context.services.documents

    @cached_property
    def document(self) -> DataLoader[int, Document | None]:
        service = self._service

        async def load(ids: list[int]) -> list[Document | None]:
            found = await service.by_ids(ids)
            return [found.get(i) for i in ids]

        return DataLoader(load)

    @cached_property
    def job(self) -> DataLoader[int, Job | None]:
        async def load(ids: list[int]) -> list[Job | None]:
            found = {job.id: job for job in await Job.filter(id__in=ids)}
            return [found.get(i) for i in ids]

        return DataLoader(load)


def loaders(context: Context) -> DocumentLoaders:
    registry = context.loaders
    found = _per_operation.get(registry)
    if found is None:
        found = _per_operation[registry] = DocumentLoaders(context)
    return found
