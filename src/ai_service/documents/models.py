from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ai_service.users.models import User


class DocumentStatus(StrEnum):
    PENDING = "PENDING"  # stored, waiting for its ingestion job
    PROCESSING = "PROCESSING"
    READY = "READY"  # searchable (a PDF without a text layer is READY with a note)
    FAILED = "FAILED"  # `error` says why; the file is kept so it can be downloaded or retried


# Comments instead of docstrings on models: Tortoise turns a model docstring into a table
# comment, and an apostrophe in it breaks the generated SQLite migration.
class Document(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="documents", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=300)
    # The name the file was uploaded with: shown and offered on download, never a path.
    filename = fields.CharField(max_length=255)
    mime_type = fields.CharField(max_length=100)
    size_bytes = fields.BigIntField()
    # The file lives under DATA_DIR/documents by this hash; equal files share one copy.
    sha256 = fields.CharField(max_length=64, db_index=True)
    page_count = fields.IntField(null=True)
    chunk_count = fields.IntField(default=0)
    status = fields.CharEnumField(DocumentStatus, max_length=16, default=DocumentStatus.PENDING)
    error = fields.CharField(max_length=500, null=True)
    note = fields.CharField(max_length=500, null=True)
    tags: list[str] = fields.JSONField(default=list)
    # "|tag1|tag2|": lets both databases filter by tag with LIKE, which JSON cannot on SQLite.
    tag_index = fields.CharField(max_length=1000, default="")
    analysis: dict[str, Any] | None = fields.JSONField(null=True)
    analyzed_at = fields.DatetimeField(null=True)
    # The embedder whose vectors the document has (its collection), set when it is READY.
    embedder = fields.CharField(max_length=100, null=True)
    job_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "documents"
        unique_together = (("owner", "sha256"),)


class DocumentChunk(Model):
    id = fields.BigIntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "ai_service.Document", related_name="chunks", on_delete=fields.CASCADE
    )
    # Copied from the document so keyword search filters by owner without a join.
    owner_id = fields.BigIntField(db_index=True)
    position = fields.IntField()
    page = fields.IntField(null=True)
    text = fields.TextField()

    class Meta:
        table = "document_chunks"
        unique_together = (("document", "position"),)


def tag_index(tags: list[str]) -> str:
    return "".join(f"|{tag}" for tag in tags) + "|" if tags else ""
