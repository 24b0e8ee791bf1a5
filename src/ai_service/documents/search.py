"""Hybrid search: vector hits from Qdrant and keyword hits from the database, fused by
reciprocal rank (each list contributes 1 / (60 + rank) to a passage's score), so a passage
found both ways ranks first, and exact words and similar wording both find things."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ai_service.documents import keyword
from ai_service.documents.embedder import Embedders
from ai_service.documents.models import DocumentChunk
from ai_service.platform.vectors import VectorHit, VectorStore

RRF_K = 60
MIN_CANDIDATES = 30


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    document_id: int
    position: int
    page: int | None
    text: str
    score: float
    by_vector: bool
    by_keyword: bool


class HybridSearch:
    def __init__(self, embedders: Embedders, vectors: VectorStore) -> None:
        self.embedders = embedders
        self.vectors = vectors

    async def search(self, owner_id: int, query: str, limit: int,
                     document_ids: Sequence[int] | None = None, *,
                     use_vectors: bool = True) -> list[Passage]:
        candidates = max(MIN_CANDIDATES, limit * 3)
        # The two halves wait on different threads (Qdrant's, the database's): run together,
        # a search takes about as long as the slower half rather than both. The vector half
        # starts first: its one quick query (which embedder) then does not queue behind the
        # full-text query on SQLite's one connection.
        vector_hits, keyword_hits = await asyncio.gather(
            self._nearest(owner_id, query, candidates, document_ids, use_vectors),
            keyword.search(owner_id, query, candidates, document_ids))
        scores: dict[int, float] = defaultdict(float)
        for rank, chunk_id in enumerate(h.chunk_id for h in vector_hits):
            scores[chunk_id] += 1.0 / (RRF_K + rank + 1)
        for rank, chunk_id in enumerate(h.chunk_id for h in keyword_hits):
            scores[chunk_id] += 1.0 / (RRF_K + rank + 1)
        best = sorted(scores, key=lambda c: (-scores[c], c))[:limit]
        if not best:
            return []
        # The database has the last word: a vector whose passage is gone is not a hit.
        rows = {int(row[0]): row for row in await DocumentChunk.filter(
            id__in=best, owner_id=owner_id).values_list("id", "document_id", "position", "page",
                                                        "text")}
        by_vector = {h.chunk_id for h in vector_hits}
        by_keyword = {h.chunk_id for h in keyword_hits}
        return [
            Passage(c, int(rows[c][1]), int(rows[c][2]), rows[c][3], str(rows[c][4]),
                    round(scores[c], 6), c in by_vector, c in by_keyword)
            for c in best if c in rows
        ]

    async def _nearest(self, owner_id: int, query: str, candidates: int,
                       document_ids: Sequence[int] | None, use_vectors: bool) -> list[VectorHit]:
        if not use_vectors:
            return []
        embedded = await self.embedders.embed([query], owner_id)
        # Nearest neighbours always exist; only those near enough are matches.
        return [
            hit for hit in await self.vectors.search(
                owner_id, embedded.embedder, embedded.values[0], candidates, document_ids)
            if hit.score >= embedded.min_score
        ]
