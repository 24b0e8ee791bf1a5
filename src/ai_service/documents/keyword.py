"""Keyword search over passages: SQLite FTS5 or PostgreSQL full-text search.

Both stem English words (FTS5's porter tokenizer, PostgreSQL's `english` configuration), so
"invoices" finds "invoice". The index objects are created by migration 0006 with raw SQL: an
FTS5 table kept in step with `document_chunks` by triggers, or a GIN expression index.
Words are matched with OR and ranked (BM25 / ts_rank_cd), so a passage with more of the
query's words ranks higher but one with any of them is found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ai_service.core.db import connection, dialect
from ai_service.documents.embedder import words

MAX_TERMS = 32
# SQLite: how many of everyone's best matches to rank before looking for the owner's (a
# multiple of the limit); see `_sqlite_search`.
PREFILTER_FACTOR = 4

SQLITE_SETUP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS document_chunks_fts USING fts5(
        text, content='document_chunks', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS document_chunks_fts_insert AFTER INSERT ON document_chunks
       BEGIN INSERT INTO document_chunks_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER IF NOT EXISTS document_chunks_fts_delete AFTER DELETE ON document_chunks
       BEGIN INSERT INTO document_chunks_fts(document_chunks_fts, rowid, text)
             VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER IF NOT EXISTS document_chunks_fts_update AFTER UPDATE OF text
       ON document_chunks
       BEGIN INSERT INTO document_chunks_fts(document_chunks_fts, rowid, text)
             VALUES ('delete', old.id, old.text);
             INSERT INTO document_chunks_fts(rowid, text) VALUES (new.id, new.text); END""",
    # Rows that existed before the index (none at first; harmless to repeat).
    "INSERT INTO document_chunks_fts(document_chunks_fts) VALUES ('rebuild')",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS document_chunks_fts_insert",
    "DROP TRIGGER IF EXISTS document_chunks_fts_delete",
    "DROP TRIGGER IF EXISTS document_chunks_fts_update",
    "DROP TABLE IF EXISTS document_chunks_fts",
]
POSTGRES_SETUP = [
    """CREATE INDEX IF NOT EXISTS document_chunks_text_search ON document_chunks
       USING GIN (to_tsvector('english', text))""",
]
POSTGRES_TEARDOWN = ["DROP INDEX IF EXISTS document_chunks_text_search"]


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: int
    document_id: int


def terms(query: str) -> list[str]:
    """The query's distinct words, common ones dropped; letters and digits only, so nothing
    in a query can be read as search syntax."""
    return list(dict.fromkeys(words(query)))[:MAX_TERMS]


async def search(owner_id: int, query: str, limit: int,
                 document_ids: Sequence[int] | None = None) -> list[KeywordHit]:
    found = terms(query)
    if not found or (document_ids is not None and not document_ids):
        return []
    if dialect() != "postgres":
        return await _sqlite_search(" OR ".join(f'"{term}"' for term in found), owner_id,
                                    limit, document_ids)
    params: list[object] = [" | ".join(found), owner_id, limit]
    extra = ""
    if document_ids is not None:
        params.append(list(document_ids))
        extra = " AND document_id = ANY($4::bigint[])"
    # Only placeholders are interpolated, never values.
    sql = (
        "SELECT id, document_id FROM document_chunks, to_tsquery('english', $1) q "  # noqa: S608
        f"WHERE owner_id = $2 AND to_tsvector('english', text) @@ q{extra} "
        "ORDER BY ts_rank_cd(to_tsvector('english', text), q) DESC, id LIMIT $3"
    )
    rows = await connection().execute_query_dict(sql, params)
    return [KeywordHit(int(r["id"]), int(r["document_id"])) for r in rows]


async def _sqlite_search(match: str, owner_id: int, limit: int,
                         document_ids: Sequence[int] | None) -> list[KeywordHit]:
    """FTS5 knows nothing of owners: each match is looked up in `document_chunks` to check
    it. Ranking every match and then looking each one up (about 1,300 at 20,000 passages for
    a three-word query) cost as much as the ranking; so everyone's best `4 * limit` are
    looked up first. When at least `limit` of them are the owner's, those are exactly the
    owner's best `limit` (the order, bm25 then id, is the same); else, or when the search is
    within some documents, every match is looked up."""
    connection_ = connection()
    if document_ids is None:
        rows = await connection_.execute_query_dict(
            "SELECT c.id, c.document_id FROM ("
            " SELECT rowid AS id, bm25(document_chunks_fts) AS score FROM document_chunks_fts"
            " WHERE document_chunks_fts MATCH ? ORDER BY score, rowid LIMIT ?) f "
            "JOIN document_chunks c ON c.id = f.id WHERE c.owner_id = ? "
            "ORDER BY f.score, c.id LIMIT ?",
            [match, limit * PREFILTER_FACTOR, owner_id, limit])
        if len(rows) == limit:
            return [KeywordHit(int(r["id"]), int(r["document_id"])) for r in rows]
    extra = ""
    if document_ids is not None:
        extra = f" AND c.document_id IN ({', '.join('?' * len(document_ids))})"
    sql = (
        "SELECT c.id, c.document_id FROM document_chunks_fts "  # noqa: S608
        "JOIN document_chunks c ON c.id = document_chunks_fts.rowid "
        f"WHERE document_chunks_fts MATCH ? AND c.owner_id = ?{extra} "
        "ORDER BY bm25(document_chunks_fts), c.id LIMIT ?"
    )
    rows = await connection_.execute_query_dict(
        sql, [match, owner_id, *(document_ids or ()), limit])
    return [KeywordHit(int(r["id"]), int(r["document_id"])) for r in rows]
