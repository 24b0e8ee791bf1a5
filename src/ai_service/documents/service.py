"""Documents: upload, list, delete, reindex, search, analysis and questions. Plain async code;
the GraphQL layer (schema.py) and the download route (routes.py) sit on top.

A member sees, searches and asks only their own documents, administrators included: documents
are private papers, and `reindexDocuments` is the one thing an administrator does to all.
Another user's document is NOT_FOUND, never FORBIDDEN, so ids reveal nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from ai_service.config import Settings
from ai_service.core.errors import (
    BadUserInput,
    Conflict,
    IntegrationUnavailable,
    NotFound,
)
from ai_service.core.jobs import JobQueue
from ai_service.core.jobs.models import TERMINAL_STATES, Job
from ai_service.core.pagination import Page, keyset_page
from ai_service.documents.embedder import Embedders
from ai_service.documents.models import Document, DocumentChunk, DocumentStatus, tag_index
from ai_service.documents.search import HybridSearch, Passage
from ai_service.documents.sniff import sniff
from ai_service.documents.storage import FileStore, Reader
from ai_service.platform.ai import LLMGateway
from ai_service.platform.vectors import VectorStore
from ai_service.tagging.models import TaggedKind
from ai_service.tagging.service import TagService, owned_by
from ai_service.users.models import User

log = logging.getLogger(__name__)

INGEST = "documents.ingest"
MAX_TAGS = 20
MAX_TAG_CHARS = 40
MAX_QUERY_CHARS = 2000
MAX_SEARCH_LIMIT = 50
ASK_PASSAGES = 6
ANALYSIS_INPUT_CHARS = 12_000
NO_PASSAGE_ANSWER = ("None of your documents has a passage about this, so there is nothing to "
                     "answer from. Try other words, or upload the document that covers it.")

ANALYSIS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "description": "Three to five sentences."},
        "entities": {"type": "array", "items": {
            "type": "object",
            "properties": {"name": {"type": "string"},
                           "type": {"type": "string", "description":
                                    "PERSON, ORGANIZATION, PLACE, DATE, AMOUNT or OTHER"}},
            "required": ["name", "type"], "additionalProperties": False}},
        "topics": {"type": "array", "items": {"type": "string"}},
        "suggestedTags": {"type": "array", "items": {"type": "string"},
                          "description": "Up to five short lower-case tags."},
    },
    "required": ["summary", "entities", "topics", "suggestedTags"],
    "additionalProperties": False,
}
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "citations": {"type": "array", "items": {"type": "integer"},
                      "description": "The numbers of the passages the answer relies on."},
    },
    "required": ["answer", "citations"],
    "additionalProperties": False,
}
ASK_SYSTEM = (
    "You answer questions about the user's own documents using only the numbered passages "
    "given. Cite the numbers of the passages you used. If the passages do not contain the "
    "answer, say so plainly and cite nothing; never add facts that are not in the passages."
)


@dataclass(frozen=True)
class DocumentFilter:
    status: DocumentStatus | None = None
    tag: str | None = None
    search: str | None = None  # in the title or file name


@dataclass(frozen=True)
class Citation:
    document_id: int
    page: int | None
    passage: str
    score: float


@dataclass(frozen=True)
class Answer:
    text: str
    citations: list[Citation]
    grounded: bool  # passages were found (the answer came from them, not from nowhere)
    provider: str | None = None
    model: str | None = None


class DocumentService:
    def __init__(self, settings: Settings, jobs: JobQueue, llm: LLMGateway,
                 vectors: VectorStore, tags: TagService) -> None:
        self.settings = settings
        # A document's tags are the shared tags (tagging): `tags` on the row is their copy,
        # kept for filtering and kept in step through the change hook.
        self.tags = tags
        tags.register(TaggedKind.DOCUMENT, owned_by(Document), self._tags_changed)
        self.jobs = jobs
        self.llm = llm
        self.vectors = vectors
        self.files = FileStore(settings.data_dir / "documents", settings.max_upload_bytes)
        self.embedders = Embedders(llm)
        self.hybrid = HybridSearch(self.embedders, vectors)
        # Upload and delete of one hash take turns, so a delete never removes a file that an
        # upload has just found and is about to point a new row at.
        self._file_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def _tags_changed(self, user_id: int, document_id: int) -> None:
        linked = (await self.tags.tags_of(TaggedKind.DOCUMENT, [document_id])).get(document_id, [])
        names = clean_tag_list(sorted((t.name for t in linked), key=str.lower), strict=False)
        await Document.filter(id=document_id, owner_id=user_id).update(
            tags=names, tag_index=tag_index(names))

    # -- upload ----------------------------------------------------------------------------

    async def upload(self, user: User, read: Reader, filename: str | None,
                     title: str | None = None, tags: Sequence[str] | None = None) -> Document:
        name = clean_filename(filename)
        clean_title = _title(title, name)
        clean_tags = clean_tag_list(tags or [])
        staged = await self.files.stage(read)
        try:
            if staged.size == 0:
                raise BadUserInput("The file is empty", field="file")
            kind = await asyncio.to_thread(sniff, staged.head, staged.path)
        except BaseException:
            self.files.discard(staged)
            raise
        async with self._file_locks[staged.sha256]:
            existing = await Document.get_or_none(owner_id=user.id, sha256=staged.sha256)
            if existing is not None:  # the same file again is the same document
                self.files.discard(staged)
                return existing
            await asyncio.to_thread(self.files.commit, staged)  # on disk before the row
            try:
                document = await Document.create(
                    owner_id=user.id, title=clean_title, filename=name, mime_type=kind.value,
                    size_bytes=staged.size, sha256=staged.sha256, tags=clean_tags,
                    tag_index=tag_index(clean_tags),
                )
            except IntegrityError:  # the same upload, twice at once: the other one won
                return await Document.get(owner_id=user.id, sha256=staged.sha256)
            if clean_tags:
                await self.tags.set_names(user.id, TaggedKind.DOCUMENT, document.id, clean_tags)
        try:
            job = await self._enqueue(document, "upload")
        except BaseException:
            await self._remove(document)
            raise
        log.info("document uploaded", extra={"document_id": document.id, "job_id": job.id,
                                             "kind": kind.name, "bytes": staged.size})
        return document

    async def _enqueue(self, document: Document, reason: str) -> Job:
        key = f"{INGEST}:{document.id}:{reason}"
        if reason != "upload":
            key += f":{datetime.now(UTC).timestamp():.6f}"
        job = await self.jobs.enqueue(INGEST, {"documentId": document.id,
                                               "ownerId": document.owner_id},  # type: ignore[attr-defined]
                                      owner_id=document.owner_id,  # type: ignore[attr-defined]
                                      dedupe_key=key)
        await Document.filter(id=document.id).update(job_id=job.id)
        document.job_id = job.id
        return job

    # -- reading ---------------------------------------------------------------------------

    async def get(self, user: User, document_id: int) -> Document:
        document = await Document.get_or_none(id=document_id, owner_id=user.id)
        if document is None:
            raise NotFound(f"Document {document_id} not found")
        return document

    async def by_ids(self, ids: Sequence[int]) -> dict[int, Document]:
        return {d.id: d for d in await Document.filter(id__in=list(ids))}

    async def page(self, user: User, first: int, after: str | None,
                   where: DocumentFilter | None = None) -> Page[Document]:
        query: QuerySet[Document] = Document.filter(owner_id=user.id)
        if where is not None:
            if where.status is not None:
                query = query.filter(status=where.status)
            if where.tag:
                query = query.filter(tag_index__contains=f"|{where.tag.strip()}|")
            if where.search and where.search.strip():
                term = where.search.strip()
                query = query.filter(Q(title__icontains=term) | Q(filename__icontains=term))
        return await keyset_page(query, first, after, order="desc")

    async def file(self, user: User, document_id: int) -> tuple[Document, Path]:
        document = await self.get(user, document_id)
        path = self.files.path_for(document.sha256)
        if not path.is_file():
            log.error("document file missing", extra={"document_id": document.id})
            raise NotFound(f"The file of document {document_id} is missing")
        return document, path

    # -- changes ---------------------------------------------------------------------------

    async def update(self, user: User, document_id: int, title: str | None,
                     tags: Sequence[str] | None) -> Document:
        document = await self.get(user, document_id)
        if title is not None:
            document.title = _title(title, document.filename)
        if tags is not None:
            document.tags = clean_tag_list(tags)
            document.tag_index = tag_index(document.tags)
            await self.tags.set_names(user.id, TaggedKind.DOCUMENT, document.id, document.tags)
        await document.save(update_fields=["title", "tags", "tag_index", "updated_at"])
        return document

    async def delete(self, user: User, document_id: int) -> bool:
        document = await self.get(user, document_id)
        if document.job_id is not None:
            job = await self.jobs.get(document.job_id)
            if job is not None and job.state not in TERMINAL_STATES:
                with contextlib.suppress(Conflict):  # it finished meanwhile
                    await self.jobs.cancel(job.id)
        await self._remove(document)
        log.info("document deleted", extra={"document_id": document.id})
        return True

    async def _remove(self, document: Document) -> None:
        """Vectors, rows (passages cascade, with their keyword index) and, when no other
        document uses it, the file."""
        owner_id: int = document.owner_id  # type: ignore[attr-defined]
        await self.vectors.delete_document(owner_id, document.id)
        async with self._file_locks[document.sha256]:
            await document.delete()
            await self.tags.forget(TaggedKind.DOCUMENT, [document.id])
            if not await Document.filter(sha256=document.sha256).exists():
                await asyncio.to_thread(self.files.delete, document.sha256)
        self._file_locks.pop(document.sha256, None)

    async def reindex(self, document_ids: Sequence[int] | None = None) -> int:
        """Queue every document (or those given) for ingestion again, with the embedder that
        now applies to its owner. For administrators, after an embedder change."""
        query = Document.all() if document_ids is None else Document.filter(
            id__in=list(document_ids))
        count = 0
        for document in await query.order_by("id"):
            await Document.filter(id=document.id).update(status=DocumentStatus.PENDING)
            await self._enqueue(document, "reindex")
            count += 1
        return count

    # -- search and AI ---------------------------------------------------------------------

    async def search(self, user: User, query: str, limit: int = 10,
                     document_ids: Sequence[int] | None = None) -> list[Passage]:
        query = query.strip()
        if not query:
            raise BadUserInput("Say what to search for", field="query")
        if len(query) > MAX_QUERY_CHARS:
            raise BadUserInput(f"The query is longer than {MAX_QUERY_CHARS} characters",
                               field="query")
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise BadUserInput(f"`limit` must be between 1 and {MAX_SEARCH_LIMIT}",
                               field="limit")
        if document_ids is not None:
            owned = await Document.filter(id__in=list(document_ids),
                                          owner_id=user.id).values_list("id", flat=True)
            document_ids = [int(i) for i in owned]  # type: ignore[call-overload]
            if not document_ids:
                return []
        try:
            return await self.hybrid.search(user.id, query, limit, document_ids)
        except IntegrationUnavailable as exc:
            # OpenAI is configured but failing: words still find things.
            log.warning("query embedding failed; keyword search only",
                        extra={"error": exc.message})
            return await self.hybrid.search(user.id, query, limit, document_ids,
                                            use_vectors=False)

    async def analyze(self, user: User, document_id: int) -> Document:
        document = await self.get(user, document_id)
        if document.status is not DocumentStatus.READY:
            raise Conflict(f"Document {document_id} is {document.status}; analysis needs it "
                           "READY")
        texts = await DocumentChunk.filter(document_id=document.id).order_by(
            "position").limit(40).values_list("text", flat=True)
        text = _head("\n\n".join(str(t) for t in texts), ANALYSIS_INPUT_CHARS)
        if not text.strip():
            raise Conflict(f"Document {document_id} has no text to analyse"
                           + (f" ({document.note})" if document.note else ""))
        completion = await self.llm.complete(
            f"Document title: {document.title}\n\n<document>\n{text}\n</document>\n\n"
            "Summarise this document and list its named entities, its topics and tags that "
            "would help find it again.",
            user_id=user.id, schema=ANALYSIS_SCHEMA, purpose="documents.analyze",
            system="You analyse documents for their owner. Report only what the text says.",
            max_tokens=1500,
        )
        data = completion.data
        document.analysis = {
            "summary": str(data["summary"]).strip(),
            "entities": [{"name": str(e["name"]).strip(), "type": str(e["type"]).strip()}
                         for e in data["entities"] if str(e["name"]).strip()][:50],
            "topics": [str(t).strip() for t in data["topics"] if str(t).strip()][:20],
            "suggestedTags": clean_tag_list([str(t) for t in data["suggestedTags"]],
                                            strict=False)[:10],
            "provider": completion.provider, "model": completion.model,
        }
        document.analyzed_at = datetime.now(UTC)
        await document.save(update_fields=["analysis", "analyzed_at", "updated_at"])
        return document

    async def ask(self, user: User, question: str,
                  document_ids: Sequence[int] | None = None) -> Answer:
        question = question.strip()
        if not question:
            raise BadUserInput("Ask a question", field="question")
        passages = await self.search(user, question, ASK_PASSAGES, document_ids)
        if not passages:
            return Answer(NO_PASSAGE_ANSWER, [], grounded=False)
        titles = dict(await Document.filter(
            id__in={p.document_id for p in passages}).values_list("id", "title"))
        numbered = "\n\n".join(
            f"[{n}] {titles.get(p.document_id, '')}"
            + (f", page {p.page}" if p.page else "") + f"\n{p.text}"
            for n, p in enumerate(passages, start=1)
        )
        completion = await self.llm.complete(
            f"<passages>\n{numbered}\n</passages>\n\nQuestion: {question}",
            user_id=user.id, system=ASK_SYSTEM, schema=ANSWER_SCHEMA,
            purpose="documents.ask", max_tokens=1200, temperature=0.0,
        )
        cited: list[int] = []
        for number in completion.data["citations"]:
            valid = isinstance(number, int | float) and 1 <= int(number) <= len(passages)
            if valid and int(number) not in cited:
                cited.append(int(number))
        return Answer(
            str(completion.data["answer"]).strip(),
            [Citation(passages[n - 1].document_id, passages[n - 1].page, passages[n - 1].text,
                      passages[n - 1].score) for n in cited],
            grounded=True, provider=completion.provider, model=completion.model,
        )


# -- input cleaning ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(filename: str | None) -> str:
    """A name to show and to offer on download: its last path component, no control
    characters. It is never used as a path."""
    raw = (filename or "").strip()
    name = PureWindowsPath(PurePosixPath(raw).name).name
    name = _CONTROL.sub("", unicodedata.normalize("NFC", name)).strip(" .")
    return name[:255] or "document"


def _title(title: str | None, filename: str) -> str:
    if title is not None and title.strip():
        cleaned = _CONTROL.sub(" ", title).strip()
        if len(cleaned) > 300:
            raise BadUserInput("The title is longer than 300 characters", field="title")
        return cleaned
    stem = filename.rsplit(".", 1)[0] if "." in filename[1:] else filename
    return stem[:300] or "document"


def clean_tag_list(tags: Sequence[str], *, strict: bool = True) -> list[str]:
    """Trimmed, lower-case, unique; `strict` refuses bad ones instead of dropping them."""
    cleaned: list[str] = []
    for tag in tags:
        value = " ".join(_CONTROL.sub(" ", tag).split()).lower()
        problem = None
        if not value:
            problem = "A tag is empty"
        elif len(value) > MAX_TAG_CHARS:
            problem = f"Tags are at most {MAX_TAG_CHARS} characters"
        elif "|" in value:
            problem = "Tags cannot contain |"
        if problem:
            if strict:
                raise BadUserInput(problem, field="tags")
            continue
        if value not in cleaned:
            cleaned.append(value)
    if strict and len(cleaned) > MAX_TAGS:
        raise BadUserInput(f"At most {MAX_TAGS} tags", field="tags")
    return cleaned


def _head(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]

