"""The ingestion job, `documents.ingest`: text out of the stored file, passages into the
database (and so the keyword index), vectors into Qdrant, progress on `jobUpdates`.

Idempotent: an attempt first removes whatever an earlier one wrote, and point ids are stable
per passage, so a retry or a second delivery ends in the same state. A damaged file is not
retried: the document is FAILED with the reason and the job succeeds (it did its work). Other
failures are retried with backoff; the last one marks the document FAILED.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from itertools import islice
from typing import Any

from ai_service.core.jobs import JobContext, JobLost, JobRegistry
from ai_service.documents.chunking import Chunker
from ai_service.documents.extract import OCR_NOTE, ExtractionError, Page, Source
from ai_service.documents.models import Document, DocumentChunk, DocumentStatus
from ai_service.documents.service import INGEST, DocumentService
from ai_service.documents.sniff import Kind
from ai_service.platform.vectors import VectorPoint

log = logging.getLogger(__name__)
REINDEX = "documents.reindex"
PAGES_PER_BATCH = 16
MAX_ATTEMPTS = 4


def register(registry: JobRegistry, service: DocumentService) -> None:
    async def ingest(ctx: JobContext) -> dict[str, Any]:
        return await Ingestion(service, ctx).run()

    async def reindex(ctx: JobContext) -> dict[str, Any]:
        # After a restore the vectors are rebuilt from the passages' documents (see ops.backup).
        return {"queued": await service.reindex()}

    registry.register(INGEST, ingest, max_attempts=MAX_ATTEMPTS, timeout=3600)
    registry.register(REINDEX, reindex, max_attempts=3)


def _take(pages: Iterator[Page], count: int) -> list[Page]:
    return list(islice(pages, count))


class Ingestion:
    def __init__(self, service: DocumentService, ctx: JobContext) -> None:
        self.service = service
        self.ctx = ctx
        self.document_id = int(ctx.payload["documentId"])
        self.owner_id = int(ctx.payload["ownerId"])

    async def run(self) -> dict[str, Any]:
        try:
            return await self._run()
        except (JobLost, asyncio.CancelledError):
            raise
        except Exception as exc:
            if self.ctx.job.attempts >= self.ctx.job.max_attempts:
                await self._fail(f"Ingestion failed: {str(exc)[:300] or type(exc).__name__}")
            raise

    async def _run(self) -> dict[str, Any]:
        document = await Document.get_or_none(id=self.document_id)
        if document is None:
            await self.service.vectors.delete_document(self.owner_id, self.document_id)
            return {"skipped": "the document was deleted"}
        await Document.filter(id=document.id).update(
            status=DocumentStatus.PROCESSING, error=None, note=None)
        await self.ctx.progress(0.01, "reading the file")
        kind = Kind(document.mime_type)
        path = self.service.files.path_for(document.sha256)
        try:
            source = await asyncio.to_thread(Source, kind, path)
        except ExtractionError as exc:
            return await self._fail(str(exc))
        # Start clean: a previous attempt may have written some passages and vectors.
        await self.service.vectors.delete_document(self.owner_id, document.id)
        await DocumentChunk.filter(document_id=document.id).delete()
        embedder = await self.service.embedders.for_user(self.owner_id)
        chunker = Chunker()
        pages = source.pages()
        pages_done = chars = 0
        embedded_with: str | None = None
        while True:
            try:
                batch = await asyncio.to_thread(_take, pages, PAGES_PER_BATCH)
            except ExtractionError as exc:
                await self.service.vectors.delete_document(self.owner_id, document.id)
                await DocumentChunk.filter(document_id=document.id).delete()
                return await self._fail(str(exc))
            if not batch:
                break
            chunks = [chunk for page in batch for chunk in chunker.page(page)]
            chars += sum(len(page.text) for page in batch)
            pages_done += len(batch)
            if chunks:
                await DocumentChunk.bulk_create([
                    DocumentChunk(document_id=document.id, owner_id=self.owner_id,
                                  position=c.position, page=c.page, text=c.text)
                    for c in chunks
                ])
                ids = dict(await DocumentChunk.filter(
                    document_id=document.id, position__gte=chunks[0].position,
                    position__lte=chunks[-1].position).values_list("position", "id"))
                vectors = await embedder.embed([c.text for c in chunks])
                embedded_with = f"{vectors.embedder}:{vectors.dimension}"
                await self.service.vectors.upsert(self.owner_id, vectors.embedder, vectors.values, [
                    VectorPoint(document.id, int(ids[c.position]), c.position, c.page)
                    for c in chunks
                ])
            total = source.page_count or pages_done
            await self.ctx.progress(min(0.99, 0.02 + 0.97 * pages_done / max(total, 1)),
                                    f"{pages_done} of {total} pages" if source.page_count
                                    else "indexing")
        note = None
        if chars == 0:
            note = OCR_NOTE if kind is Kind.PDF else "No text was found in this file."
        changed = await Document.filter(id=document.id).update(
            status=DocumentStatus.READY, page_count=source.page_count,
            chunk_count=chunker.position, note=note, error=None, embedder=embedded_with)
        if not changed:  # deleted while we worked: leave nothing behind
            await self.service.vectors.delete_document(self.owner_id, document.id)
            return {"skipped": "the document was deleted"}
        return {"status": "READY", "pages": source.page_count, "chunks": chunker.position,
                "embedder": embedded_with, "note": note}

    async def _fail(self, reason: str) -> dict[str, Any]:
        log.info("document failed", extra={"document_id": self.document_id, "error": reason})
        await Document.filter(id=self.document_id).update(
            status=DocumentStatus.FAILED, error=reason[:500])
        return {"status": "FAILED", "error": reason[:500]}
