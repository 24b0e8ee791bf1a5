"""GraphQL for documents: a thin layer over DocumentService. Relations (a hit's document, a
document's job and owner) resolve through per-operation DataLoaders."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.documents.models import Document, DocumentStatus
from ai_service.documents.search import Passage
from ai_service.documents.service import Answer, Citation, DocumentFilter
from ai_service.graphql.context import Context
from ai_service.graphql.jobs import JobType
from ai_service.graphql.pagination import Connection
from ai_service.graphql.permissions import IsAdmin, IsAuthenticated
from ai_service.graphql.scalars import BigInt

strawberry.enum(DocumentStatus, name="DocumentStatus")


@strawberry.type
class DocumentEntity:
    name: str
    type: str


@strawberry.type
class DocumentAnalysis:
    summary: str
    entities: list[DocumentEntity]
    topics: list[str]
    suggested_tags: list[str]
    provider: str | None
    model: str | None
    analyzed_at: datetime | None

    @classmethod
    def of(cls, data: dict[str, Any], at: datetime | None) -> DocumentAnalysis:
        return cls(
            summary=data.get("summary", ""),
            entities=[DocumentEntity(name=e["name"], type=e["type"])
                      for e in data.get("entities", [])],
            topics=list(data.get("topics", [])),
            suggested_tags=list(data.get("suggestedTags", [])),
            provider=data.get("provider"), model=data.get("model"), analyzed_at=at,
        )


@strawberry.type(name="Document")
class DocumentType:
    id: strawberry.ID
    title: str
    filename: str = strawberry.field(description="As uploaded; only ever shown and offered "
                                                 "on download.")
    mime_type: str = strawberry.field(description="Decided from the content, not the name.")
    size_bytes: BigInt
    sha256: str
    page_count: int | None = strawberry.field(description="PDFs only.")
    chunk_count: int = strawberry.field(description="Passages indexed for search.")
    status: DocumentStatus
    error: str | None = strawberry.field(description="Why it FAILED.")
    note: str | None = strawberry.field(description="Something to know, e.g. that a scanned "
                                                    "PDF needs OCR.")
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    download_url: str = strawberry.field(description="GET it with the bearer token.")
    job_id: strawberry.Private[int | None]
    analysis_data: strawberry.Private[dict[str, Any] | None]
    analyzed_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The AI analysis, once analyzeDocument ran.")
    def analysis(self) -> DocumentAnalysis | None:
        if self.analysis_data is None:
            return None
        return DocumentAnalysis.of(self.analysis_data, self.analyzed_at)

    @strawberry.field(description="The latest ingestion job (follow it with jobUpdates).")
    async def job(self, info: Info[Context, None]) -> JobType | None:
        if self.job_id is None:
            return None
        job = await info.context.loaders.job.load(self.job_id)
        return JobType.of(job) if job else None

    @classmethod
    def of(cls, document: Document) -> DocumentType:
        return cls(
            id=strawberry.ID(str(document.id)), title=document.title, filename=document.filename,
            mime_type=document.mime_type, size_bytes=BigInt(document.size_bytes),
            sha256=document.sha256, page_count=document.page_count,
            chunk_count=document.chunk_count, status=document.status, error=document.error,
            note=document.note, tags=list(document.tags or []),
            created_at=document.created_at, updated_at=document.updated_at,
            download_url=f"/api/documents/{document.id}/file", job_id=document.job_id,
            analysis_data=document.analysis, analyzed_at=document.analyzed_at,
        )


async def _document(info: Info[Context, None], document_id: int) -> DocumentType:
    document = await info.context.loaders.document.load(document_id)
    assert document is not None  # hits and citations come from the owner's own rows
    return DocumentType.of(document)


@strawberry.type
class DocumentHit:
    text: str = strawberry.field(description="The matching passage.")
    page: int | None
    score: float = strawberry.field(description="Reciprocal-rank fusion score: higher is "
                                                "better; only comparable within one search.")
    by_vector: bool = strawberry.field(description="Found by meaning (vector search).")
    by_keyword: bool = strawberry.field(description="Found by its words (full-text search).")
    document_id: strawberry.Private[int]

    @strawberry.field
    async def document(self, info: Info[Context, None]) -> DocumentType:
        return await _document(info, self.document_id)

    @classmethod
    def of(cls, passage: Passage) -> DocumentHit:
        return cls(text=passage.text, page=passage.page, score=passage.score,
                   by_vector=passage.by_vector, by_keyword=passage.by_keyword,
                   document_id=passage.document_id)


@strawberry.type
class DocumentCitation:
    page: int | None
    passage: str
    document_id: strawberry.Private[int]

    @strawberry.field
    async def document(self, info: Info[Context, None]) -> DocumentType:
        return await _document(info, self.document_id)

    @classmethod
    def of(cls, citation: Citation) -> DocumentCitation:
        return cls(page=citation.page, passage=citation.passage,
                   document_id=citation.document_id)


@strawberry.type(name="Answer")
class AnswerType:
    answer: str
    citations: list[DocumentCitation]
    grounded: bool = strawberry.field(description="False when no passage matched: the answer "
                                                  "then says so, and no AI was asked.")
    provider: str | None
    model: str | None

    @classmethod
    def of(cls, answer: Answer) -> AnswerType:
        return cls(answer=answer.text, citations=[DocumentCitation.of(c)
                                                  for c in answer.citations],
                   grounded=answer.grounded, provider=answer.provider, model=answer.model)


@strawberry.input(name="DocumentFilter")
class DocumentFilterInput:
    status: DocumentStatus | None = None
    tag: str | None = None
    search: str | None = strawberry.field(default=None,
                                          description="Part of the title or file name.")


def _ids(values: list[strawberry.ID] | None) -> list[int] | None:
    return None if values is None else [parse_id(v, "documentIds") for v in values]


@strawberry.type
class DocumentQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Your documents, newest first.")
    async def documents(
        self, info: Info[Context, None], first: int = 20, after: str | None = None,
        filter: DocumentFilterInput | None = None,
    ) -> Connection[DocumentType]:
        user = await info.context.user()
        where = DocumentFilter(filter.status, filter.tag, filter.search) if filter else None
        page = await info.context.services.documents.page(user, first, after, where)
        return Connection.of(page, DocumentType.of)

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def document(self, info: Info[Context, None], id: strawberry.ID) -> DocumentType:
        user = await info.context.user()
        return DocumentType.of(await info.context.services.documents.get(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Passages of your documents by meaning and by words "
                                  "(hybrid: vector and full-text search, fused by rank).")
    async def search_documents(
        self, info: Info[Context, None], query: str, limit: int = 10,
        document_ids: list[strawberry.ID] | None = None,
    ) -> list[DocumentHit]:
        user = await info.context.user()
        passages = await info.context.services.documents.search(user, query, limit,
                                                                 _ids(document_ids))
        return [DocumentHit.of(p) for p in passages]


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Upload a file (GraphQL multipart request). The same "
                                     "file again returns the same document.")
    async def upload_document(
        self, info: Info[Context, None], file: Upload, title: str | None = None,
        tags: list[str] | None = None,
    ) -> DocumentType:
        user = await info.context.user()
        upload = cast(UploadFile, file)  # what strawberry hands over on Starlette
        document = await info.context.services.documents.upload(
            user, upload.read, upload.filename, title, tags)
        return DocumentType.of(document)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Change the title or the tags (null leaves it).")
    async def update_document(
        self, info: Info[Context, None], id: strawberry.ID, title: str | None = None,
        tags: list[str] | None = None,
    ) -> DocumentType:
        user = await info.context.user()
        return DocumentType.of(await info.context.services.documents.update(
            user, parse_id(id), title, tags))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="The file, its passages and its vectors go together.")
    async def delete_document(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.documents.delete(user, parse_id(id))

    @strawberry.mutation(permission_classes=[IsAdmin],
                         description="Administrators: ingest every document again (after an "
                                     "embedder change). Returns how many were queued.")
    async def reindex_documents(self, info: Info[Context, None]) -> int:
        await info.context.admin()
        return await info.context.services.documents.reindex()

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Summary, entities, topics and suggested tags through "
                                     "the AI gateway; stored on the document.")
    async def analyze_document(self, info: Info[Context, None], id: strawberry.ID
                               ) -> DocumentType:
        user = await info.context.user()
        return DocumentType.of(await info.context.services.documents.analyze(user,
                                                                             parse_id(id)))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="An answer from your documents' passages, with "
                                     "citations; says so when no passage matches.")
    async def ask_documents(
        self, info: Info[Context, None], question: str,
        document_ids: list[strawberry.ID] | None = None,
    ) -> AnswerType:
        user = await info.context.user()
        return AnswerType.of(await info.context.services.documents.ask(
            user, question, _ids(document_ids)))
