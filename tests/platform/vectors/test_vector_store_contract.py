"""The vector store's contract, kept in both of its layouts: local mode (a collection per owner,
searched through the in-memory matrix) and the server's (one collection per embedder, searched
by Qdrant with an owner filter). There is no Qdrant server on these machines, so the server
layout runs on qdrant-client's local mode in its place: the store's own code for a server, the
same client API, Qdrant's search, and payload indexes that local mode ignores."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from qdrant_client import QdrantClient

from ai_service.platform.vectors import VectorHit, VectorPoint, VectorStore

pytestmark = pytest.mark.filterwarnings(
    "ignore:Payload indexes have no effect in the local Qdrant:UserWarning")

T = TypeVar("T")
DIMENSION = 64
EMBEDDER = "test-embedder"
Layout = Callable[[], VectorStore]


def local_store(path: Path) -> VectorStore:
    return VectorStore(None, path / "qdrant")


def server_store(path: Path) -> VectorStore:
    """The server layout, its client opened on local mode (in memory: a server keeps its own
    disk) instead of a server's URL."""
    store = VectorStore("http://qdrant.invalid:6333", path / "unused")
    store._client = QdrantClient(":memory:")
    return store


@pytest.fixture(params=["local", "server"])
def layout(request: pytest.FixtureRequest, tmp_path: Path) -> Layout:
    """Makes the store; each scenario opens and closes its own, in its own event loop."""
    make = local_store if request.param == "local" else server_store
    return lambda: make(tmp_path)


def run(layout: Layout, scenario: Callable[[VectorStore], Awaitable[T]]) -> T:
    async def main() -> T:
        store = layout()
        try:
            return await scenario(store)
        finally:
            await store.close()

    return asyncio.run(main())


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    values = rng.normal(size=(count, DIMENSION)).astype(np.float32)
    values /= np.linalg.norm(values, axis=1, keepdims=True)
    return values


def near(rng: np.random.Generator, vector: np.ndarray, count: int) -> np.ndarray:
    values = vector + 0.01 * unit_vectors(rng, count)
    values /= np.linalg.norm(values, axis=1, keepdims=True)
    return values


def points(document_id: int, count: int, first_chunk: int) -> list[VectorPoint]:
    return [VectorPoint(document_id, first_chunk + i, i, 1) for i in range(count)]


def test_nothing_is_found_before_the_first_write(layout: Layout) -> None:
    query = unit_vectors(np.random.default_rng(1), 1)[0]

    async def scenario(store: VectorStore) -> None:
        assert await store.search(1, EMBEDDER, query, 10) == []
        assert await store.count(1) == 0

    run(layout, scenario)


def test_the_nearest_passages_come_first(layout: Layout) -> None:
    rng = np.random.default_rng(2)
    query = unit_vectors(rng, 1)[0]

    async def scenario(store: VectorStore) -> None:
        await store.upsert(1, EMBEDDER, unit_vectors(rng, 100), points(10, 100, 1000))
        await store.upsert(1, EMBEDDER, near(rng, query, 5), points(20, 5, 5000))
        hits = await store.search(1, EMBEDDER, query, 8)
        assert len(hits) == 8
        assert {h.chunk_id for h in hits[:5]} == set(range(5000, 5005))
        assert all(h.document_id == 20 for h in hits[:5])
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert hits[0].score > 0.99  # DOT on unit vectors: the cosine
        # Restricted to documents: only theirs, however near the others are.
        only = await store.search(1, EMBEDDER, query, 8, [10])
        assert len(only) == 8
        assert all(h.document_id == 10 for h in only)

    run(layout, scenario)


def test_writing_a_passage_again_replaces_it(layout: Layout) -> None:
    rng = np.random.default_rng(3)
    first, second = unit_vectors(rng, 20), unit_vectors(rng, 20)

    async def scenario(store: VectorStore) -> None:
        await store.upsert(1, EMBEDDER, first, points(10, 20, 100))
        await store.upsert(1, EMBEDDER, second, points(10, 20, 100))  # a repeated ingestion
        assert await store.count(1) == await store.count(1, 10) == 20
        [hit] = await store.search(1, EMBEDDER, second[7], 1)
        assert (hit.chunk_id, hit.document_id) == (107, 10)
        assert hit.score == pytest.approx(1.0, abs=1e-5)

    run(layout, scenario)


def test_deleting_a_document_takes_only_its_passages(layout: Layout) -> None:
    rng = np.random.default_rng(4)
    query = unit_vectors(rng, 1)[0]

    async def scenario(store: VectorStore) -> None:
        await store.upsert(1, EMBEDDER, near(rng, query, 10), points(10, 10, 100))
        await store.upsert(1, EMBEDDER, unit_vectors(rng, 10), points(20, 10, 200))
        await store.delete_document(1, 10)
        assert (await store.count(1, 10), await store.count(1, 20)) == (0, 10)
        hits = await store.search(1, EMBEDDER, query, 50)
        assert len(hits) == 10
        assert all(h.document_id == 20 for h in hits)
        assert await store.search(1, EMBEDDER, query, 10, [10]) == []

    run(layout, scenario)


def test_an_owner_never_gets_another_owners_passages(layout: Layout) -> None:
    rng = np.random.default_rng(5)
    shared = unit_vectors(rng, 30)

    async def scenario(store: VectorStore) -> None:
        await store.upsert(1, EMBEDDER, shared, points(10, 30, 1))
        await store.upsert(2, EMBEDDER, shared, points(20, 30, 101))
        for owner, document in ((1, 10), (2, 20)):
            hits = await store.search(owner, EMBEDDER, shared[0], 50)
            assert len(hits) == 30
            assert {h.document_id for h in hits} == {document}
            assert await store.count(owner) == 30
        # Another owner's document asked for by id: nothing.
        assert await store.search(1, EMBEDDER, shared[0], 10, [20]) == []
        await store.delete_document(2, 10)  # owner 2 cannot delete owner 1's document
        assert await store.count(1, 10) == 30

    run(layout, scenario)


def test_dropping_everything_starts_afresh(layout: Layout) -> None:
    rng = np.random.default_rng(6)
    values = unit_vectors(rng, 10)

    async def scenario(store: VectorStore) -> None:
        await store.upsert(1, EMBEDDER, values, points(10, 10, 1))
        await store.upsert(2, EMBEDDER, values, points(20, 10, 11))
        await store.drop_all()
        assert await store.search(1, EMBEDDER, values[0], 10) == []
        assert (await store.count(1), await store.count(2)) == (0, 0)
        await store.upsert(1, EMBEDDER, values[:3], points(30, 3, 100))
        assert [h.chunk_id for h in await store.search(1, EMBEDDER, values[2], 1)] == [102]

    run(layout, scenario)


def test_both_layouts_answer_alike(tmp_path: Path) -> None:
    """The same writes and searches in both layouts: the same hits, in the same order, with the
    same scores (up to float32 against float64 arithmetic)."""
    rng = np.random.default_rng(7)
    first, second = unit_vectors(rng, 120), unit_vectors(rng, 60)
    queries = unit_vectors(rng, 6)

    async def answers(store: VectorStore) -> list[list[VectorHit]]:
        await store.upsert(1, EMBEDDER, first, points(10, 60, 1000) + points(11, 60, 1100))
        await store.upsert(2, EMBEDDER, second, points(20, 60, 2000))
        await store.delete_document(1, 11)
        return [await store.search(owner, EMBEDDER, query, 20, documents)
                for owner in (1, 2) for documents in (None, [10, 20]) for query in queries]

    local = run(lambda: local_store(tmp_path), answers)
    server = run(lambda: server_store(tmp_path), answers)
    for ours, theirs in zip(local, server, strict=True):
        assert [(h.chunk_id, h.document_id) for h in ours] == \
            [(h.chunk_id, h.document_id) for h in theirs]
        assert np.allclose([h.score for h in ours], [h.score for h in theirs], atol=1e-5)
