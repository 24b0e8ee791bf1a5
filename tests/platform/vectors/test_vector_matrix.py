"""Vector search in Qdrant's local mode runs on an in-memory float32 copy of each collection
(`LocalMatrix`): it must answer exactly as Qdrant's own search does, follow every write made
through the store, and never return another owner's passage. No server needed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from ai_service.documents.embedder import LocalEmbedder
from ai_service.platform.vectors import VectorHit, VectorPoint, VectorStore, point_id
from ai_service.platform.vectors.matrix import LocalMatrix

DIMENSION = 64
EMBEDDER = "test-embedder"


def unit_vectors(rng: np.random.Generator, count: int, dimension: int = DIMENSION) -> np.ndarray:
    values = rng.normal(size=(count, dimension)).astype(np.float32)
    values /= np.linalg.norm(values, axis=1, keepdims=True)
    return values


def same_ranking(ours: Sequence[tuple[object, float]],
                 qdrants: Sequence[tuple[object, float]]) -> None:
    """The same hits in the same order with the same scores, up to float64 rounding (both
    sum the same float64 products, in different orders). Hits with exactly equal scores come
    in Qdrant's arbitrary order (an unstable sort), in ours by insertion: among those, only
    the set must agree, and where the limit cuts through them, only the number."""
    assert np.allclose([s for _, s in ours], [s for _, s in qdrants], rtol=0, atol=1e-12)
    groups: dict[float, tuple[set[object], set[object]]] = {}
    for (mine, score), (theirs, _) in zip(ours, qdrants, strict=True):
        group = groups.setdefault(round(score, 12), (set(), set()))
        group[0].add(mine)
        group[1].add(theirs)
    last = round(qdrants[-1][1], 12) if qdrants else None
    for score, (mine_set, their_set) in groups.items():
        if score != last:
            assert mine_set == their_set, score


def same_hits(ours: Sequence[VectorHit], qdrants: Sequence[VectorHit]) -> None:
    same_ranking([((h.chunk_id, h.document_id), h.score) for h in ours],
                 [((h.chunk_id, h.document_id), h.score) for h in qdrants])


# -- the matrix against Qdrant's own search -----------------------------------------------------


def test_the_matrix_answers_as_qdrant_local_mode_does() -> None:
    rng = np.random.default_rng(3)
    dimension = LocalEmbedder.dimension
    client = QdrantClient(":memory:")
    client.create_collection("c", vectors_config=qm.VectorParams(size=dimension,
                                                                 distance=qm.Distance.DOT))
    # Random unit vectors, the local embedder's (close to one another), and a few vectors
    # that are not unit length.
    embedded = LocalEmbedder().vectors([f"passage {i} about invoice {i % 7} and term {i % 5}"
                                        for i in range(300)])
    values = np.vstack([unit_vectors(rng, 700, dimension), embedded,
                        3 * unit_vectors(rng, 20, dimension)])
    ids = [str(uuid.uuid4()) for _ in range(len(values))]
    documents = rng.integers(1, 40, len(values))
    client.upsert("c", points=[
        qm.PointStruct(id=ids[i], vector=values[i].tolist(), payload={"document": int(documents[i])})
        for i in range(len(values))])
    matrix = LocalMatrix(dimension)
    matrix.put(ids, values, list(range(len(values))), documents.tolist(), [1] * len(values))

    # Dense queries (random, passages) and sparse ones (a few words: a few dimensions).
    short = LocalEmbedder().vectors([f"invoice {i}" for i in range(40)])
    assert (short != 0).sum(axis=1).max() < dimension / 4
    for trial in range(120):
        query = (unit_vectors(rng, 1, dimension)[0], values[rng.integers(len(values))],
                 short[trial % len(short)])[trial % 3]
        limit = int(rng.choice([1, 5, 30, 100, 2000]))
        document_ids = None if trial % 2 else [int(d) for d in rng.integers(1, 40, 3)]
        query_filter = None if document_ids is None else qm.Filter(must=[
            qm.FieldCondition(key="document", match=qm.MatchAny(any=document_ids))])
        expected = client.query_points("c", query=query.tolist(), limit=limit,
                                       query_filter=query_filter).points
        got = matrix.search(query, limit, document_ids)
        same_ranking([(h.point_id, h.score) for h in got],
                     [(str(p.id), p.score) for p in expected])
    assert matrix.search(values[0], 10, []) == []
    with pytest.raises(ValueError, match="NaN"):
        matrix.search(np.full(dimension, np.nan, dtype=np.float32), 10)


def test_the_matrix_overwrites_grows_and_removes_like_the_collection() -> None:
    rng = np.random.default_rng(5)
    values = unit_vectors(rng, 40)
    matrix = LocalMatrix(DIMENSION)
    matrix.put([f"p{i}" for i in range(20)], values[:20], range(20), [1] * 20, [7] * 20)
    matrix.put([f"p{i}" for i in range(10, 40)], values[10:], range(10, 40),
               [1] * 10 + [2] * 20, [7] * 30)  # 10 overwritten, 20 new (and it grows)
    assert len(matrix) == 40
    top = matrix.search(values[35], 1)[0]
    assert (top.point_id, top.chunk_id, top.document_id, top.owner_id) == ("p35", 35, 2, 7)
    assert matrix.remove_document(7, 1) == 20
    assert matrix.remove_document(8, 2) == 0  # another owner's document of that id: nothing
    assert len(matrix) == 20
    assert {h.document_id for h in matrix.search(values[3], 40)} == {2}
    assert [h.point_id for h in matrix.search(values[35], 1)] == ["p35"]
    # A repeated id in one write: the last one wins, as in an upsert.
    matrix.put(["p35", "p35"], values[[0, 1]], [35, 35], [2, 2], [7, 7])
    assert matrix.search(values[1], 1)[0].point_id == "p35"
    assert len(matrix) == 20


# -- the store: the matrix follows every write --------------------------------------------------


def points(document_id: int, count: int, first_chunk: int) -> list[VectorPoint]:
    return [VectorPoint(document_id, first_chunk + i, i, 1) for i in range(count)]


async def agree(store: VectorStore, owner_id: int, queries: np.ndarray, limit: int = 30,
                document_ids: Sequence[int] | None = None) -> list[list[VectorHit]]:
    """Searches through the matrix, checked against Qdrant's own search; returns ours."""
    results = []
    for query in queries:
        ours = await store.search(owner_id, EMBEDDER, query, limit, document_ids)
        qdrants = await store.search(owner_id, EMBEDDER, query, limit, document_ids,
                                     through_qdrant=True)
        same_hits(ours, qdrants)
        results.append(ours)
    return results


def test_the_store_searches_its_matrix_and_keeps_it_in_step_with_qdrant(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    queries = unit_vectors(rng, 8)

    async def scenario() -> None:
        store = VectorStore(None, tmp_path / "qdrant")
        try:
            assert await store.search(1, EMBEDDER, queries[0], 10) == []  # no collection yet
            await store.upsert(1, EMBEDDER, unit_vectors(rng, 200), points(10, 200, 1000))
            await agree(store, 1, queries)  # loads the matrix
            name = store.collection(EMBEDDER, DIMENSION, 1)
            assert len(store._matrices[name]) == 200

            # Upsert: new passages, and new vectors for existing ones (a repeated ingestion).
            near = queries[0] + 0.01 * unit_vectors(rng, 5)
            near /= np.linalg.norm(near, axis=1, keepdims=True)
            await store.upsert(1, EMBEDDER, near, points(20, 5, 5000))
            await store.upsert(1, EMBEDDER, unit_vectors(rng, 50), points(10, 50, 1000))
            hits = (await agree(store, 1, queries))[0]
            assert {h.chunk_id for h in hits[:5]} == set(range(5000, 5005))
            assert len(store._matrices[name]) == 205
            await agree(store, 1, queries, document_ids=[20])

            # Delete: the document's vectors leave the matrix with the collection's.
            await store.delete_document(1, 20)
            hits = (await agree(store, 1, queries))[0]
            assert all(h.document_id == 10 for h in hits)
            assert await store.search(1, EMBEDDER, queries[0], 10, [20]) == []

            # Reindex: removed and written again with other vectors.
            await store.delete_document(1, 10)
            assert await store.search(1, EMBEDDER, queries[0], 10) == []
            again = unit_vectors(rng, 120)
            await store.upsert(1, EMBEDDER, again, points(10, 120, 1000))
            hits = (await agree(store, 1, again[:4], limit=1))
            assert [h[0].chunk_id for h in hits] == [1000, 1001, 1002, 1003]

            # From scratch: every collection and matrix gone.
            await store.drop_all()
            assert store._matrices == {}
            assert await store.search(1, EMBEDDER, queries[0], 10) == []
            await store.upsert(1, EMBEDDER, again[:3], points(30, 3, 7000))
            await agree(store, 1, queries)
            mine = await store.search(1, EMBEDDER, queries[0], 10)
        finally:
            await store.close()
        # Opened again, the matrix is loaded from what Qdrant persisted.
        reopened = VectorStore(None, tmp_path / "qdrant")
        try:
            assert await agree(reopened, 1, queries[:1], limit=10) == [mine]
        finally:
            await reopened.close()

    asyncio.run(scenario())


def test_a_failed_write_drops_the_matrix_to_be_loaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(13)
    queries = unit_vectors(rng, 4)

    async def scenario() -> None:
        store = VectorStore(None, tmp_path / "qdrant")
        try:
            await store.upsert(1, EMBEDDER, unit_vectors(rng, 50), points(10, 50, 1))
            await agree(store, 1, queries)
            name = store.collection(EMBEDDER, DIMENSION, 1)
            assert name in store._matrices
            client = store._open()
            real_upsert = client.upsert

            def half_upsert(collection_name: str, points: list[qm.PointStruct],
                            **kwargs: object) -> object:
                real_upsert(collection_name, points=points[:3])
                raise RuntimeError("disk full")

            monkeypatch.setattr(client, "upsert", half_upsert)
            with pytest.raises(RuntimeError, match="disk full"):
                await store.upsert(1, EMBEDDER, unit_vectors(rng, 10), points(20, 10, 100))
            assert name not in store._matrices
            monkeypatch.undo()
            await agree(store, 1, queries)  # reloaded: the three that were written, found
            assert len(store._matrices[name]) == 53
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_search_sees_a_write_whole_or_not_at_all(tmp_path: Path) -> None:
    """Writes and searches take turns on the Qdrant thread: a search running beside an upsert
    sees all of its points or none, and one after a delete never sees the deleted."""
    rng = np.random.default_rng(17)
    query = unit_vectors(rng, 1)[0]
    batch = query + 0.01 * unit_vectors(rng, 40)
    batch /= np.linalg.norm(batch, axis=1, keepdims=True)

    async def scenario() -> None:
        store = VectorStore(None, tmp_path / "qdrant")
        try:
            await store.upsert(1, EMBEDDER, unit_vectors(rng, 300), points(10, 300, 1))
            await store.search(1, EMBEDDER, query, 1)
            for round_ in range(3):
                document = 100 + round_
                searches = [store.search(1, EMBEDDER, query, 60) for _ in range(6)]
                results = await asyncio.gather(
                    *searches[:3],
                    store.upsert(1, EMBEDDER, batch, points(document, 40, 10_000 * document)),
                    *searches[3:])
                for hits in [r for r in results if r is not None]:
                    assert sum(h.document_id == document for h in hits) in (0, 40)
                assert sum(h.document_id == document for h in results[-1]) == 40  # type: ignore[union-attr]
                await store.delete_document(1, document)
                assert all(h.document_id != document
                           for h in await store.search(1, EMBEDDER, query, 60))
        finally:
            await store.close()

    asyncio.run(scenario())


def test_an_owner_never_gets_another_owners_vectors(tmp_path: Path) -> None:
    rng = np.random.default_rng(19)
    shared = unit_vectors(rng, 30)

    async def scenario() -> None:
        store = VectorStore(None, tmp_path / "qdrant")
        try:
            await store.upsert(1, EMBEDDER, shared, points(10, 30, 1))
            await store.upsert(2, EMBEDDER, shared, points(20, 30, 101))
            for owner, document in ((1, 10), (2, 20)):
                hits = (await agree(store, owner, shared[:3]))[0]
                assert {h.document_id for h in hits} == {document}
            # Another owner's document id asked for explicitly: nothing.
            assert await store.search(1, EMBEDDER, shared[0], 10, [20]) == []
            await store.delete_document(2, 10)  # owner 2 cannot delete owner 1's document
            assert len(await store.search(1, EMBEDDER, shared[0], 50)) == 30

            # A point of owner 2 written into owner 1's collection behind the store's back
            # (as a bug might): loaded into the matrix, yet never returned to owner 1.
            name = store.collection(EMBEDDER, DIMENSION, 1)

            def plant(client: QdrantClient) -> None:
                client.upsert(name, points=[qm.PointStruct(
                    id=point_id(99, 0), vector=shared[0].tolist(),
                    payload={"owner": 2, "document": 99, "chunk": 999, "position": 0,
                             "page": 1})])
                store._matrices.clear()

            await store._call(plant)
            hits = await store.search(1, EMBEDDER, shared[0], 50)
            assert len(hits) == 30
            assert all(h.document_id == 10 for h in hits)
            assert 999 not in {h.chunk_id for h in hits}
        finally:
            await store.close()

    asyncio.run(scenario())


def test_loading_from_local_modes_arrays_reads_what_scrolling_reads(tmp_path: Path) -> None:
    """The quick load reads qdrant-client's internal arrays; it must read what the public
    API does (else, on another version, it returns None and scrolling is used)."""
    from ai_service.platform.vectors import _scrolled, _snapshot

    rng = np.random.default_rng(23)
    query = unit_vectors(rng, 1)[0]

    def contents(matrix: LocalMatrix) -> list[tuple[str, int, int, int, float]]:
        return sorted((h.point_id, h.chunk_id, h.document_id, h.owner_id, h.score)
                      for h in matrix.search(query, 10_000))

    async def scenario(reopen: bool) -> None:
        store = VectorStore(None, tmp_path / f"qdrant-{reopen}")
        try:
            for document in range(1, 6):
                await store.upsert(1, EMBEDDER, unit_vectors(rng, 30), points(document, 30,
                                                                             100 * document))
            await store.delete_document(1, 2)
            await store.upsert(1, EMBEDDER, unit_vectors(rng, 10), points(3, 10, 300))
            if reopen:  # vectors read back from disk
                await store.close()
                store = VectorStore(None, tmp_path / f"qdrant-{reopen}")
            name = store.collection(EMBEDDER, DIMENSION, 1)

            def both(client: QdrantClient) -> tuple[LocalMatrix | None, LocalMatrix]:
                return _snapshot(client, name, DIMENSION), _scrolled(client, name, DIMENSION)

            quick, scrolled = await store._call(both)
            assert quick is not None
            assert len(quick) == len(scrolled) == 120
            assert contents(quick) == contents(scrolled)
            assert _snapshot(store._open(), "no-such-collection", DIMENSION) is None
        finally:
            await store.close()

    asyncio.run(scenario(reopen=False))
    asyncio.run(scenario(reopen=True))
