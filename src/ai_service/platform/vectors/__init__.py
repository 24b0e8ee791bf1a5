"""Passage vectors in Qdrant: a server at QDRANT_URL, or qdrant-client's local mode in
DATA_DIR/qdrant.

Collections are named for the embedder and dimension that made their vectors, so an embedder
change never mixes incomparable vectors. Every point carries owner, document, chunk, position
and page; every search is restricted to one owner:

- on a server, one collection per embedder, searched with an owner filter (a tenant index);
- in local mode, one collection per embedder *and owner*. The local client checks a filter
  point by point in Python (measured: 290 ms at 20k points) but scans a whole collection with
  numpy, so a collection per owner is both the owner restriction and the fast path. Hits are
  checked against their owner payload all the same. Local mode's own search converts the
  float32 collection to float64 and sorts every score on each query (30-65 ms at 20k points),
  so searches there run on a float32 copy of the collection kept in memory
  (`matrix.LocalMatrix`), loaded on a collection's first search and updated by every write
  made through this store; Qdrant stays the store of record, and its answers are the same.

The client is opened on first use, once per process (local mode locks its folder: a second
process, such as `ai-service worker` beside `serve`, cannot open it; use QDRANT_URL for that),
and every call runs on one dedicated thread so the event loop never waits on disk or numpy.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from ai_service.platform.vectors.matrix import LocalMatrix

PREFIX = "documents"
_LOAD_PAGE = 5000  # points per scroll while loading a local collection into memory
_POINT_NAMESPACE = uuid.UUID("5d0c8a52-7b0e-4b8e-9a7f-2f4c1d6e9b31")
T = TypeVar("T")


class VectorStoreUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class VectorPoint:
    document_id: int
    chunk_id: int
    position: int
    page: int | None


@dataclass(frozen=True)
class VectorHit:
    chunk_id: int
    document_id: int
    score: float


def point_id(document_id: int, position: int) -> str:
    """Stable per passage, so a retried ingestion overwrites instead of duplicating."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{document_id}:{position}"))


class VectorStore:
    def __init__(self, url: str | None, local_path: Path, api_key: str | None = None) -> None:
        self.url = url
        self.local_path = local_path
        self.api_key = api_key
        self.per_owner = url is None
        self._client: QdrantClient | None = None
        self._known: set[str] = set()
        # Local mode only: each searched collection as a float32 matrix. Touched only on the
        # Qdrant thread, so reads and writes of one collection take turns.
        self._matrices: dict[str, LocalMatrix] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qdrant")

    @property
    def backend(self) -> str:
        return "qdrant" if self.url else "qdrant-local"

    def collection(self, embedder: str, dimension: int, owner_id: int) -> str:
        name = f"{PREFIX}-{embedder}-{dimension}"
        if self.per_owner:
            name += f"-owner-{owner_id}"
        return re.sub(r"[^A-Za-z0-9_-]+", "_", name)

    # -- operations ------------------------------------------------------------------------

    async def upsert(self, owner_id: int, embedder: str, vectors: np.ndarray,
                     points: Sequence[VectorPoint]) -> None:
        dimension = int(vectors.shape[1])
        name = self.collection(embedder, dimension, owner_id)

        ids = [point_id(p.document_id, p.position) for p in points]

        def work(client: QdrantClient) -> None:
            self._ensure(client, name, dimension)
            with self._writing(name):
                client.upsert(name, points=[
                    qm.PointStruct(
                        id=pid, vector=vector.tolist(),
                        payload={"owner": owner_id, "document": p.document_id,
                                 "chunk": p.chunk_id, "position": p.position, "page": p.page},
                    ) for pid, p, vector in zip(ids, points, vectors, strict=True)
                ])
                matrix = self._matrices.get(name)
                if matrix is not None:
                    matrix.put(ids, vectors, [p.chunk_id for p in points],
                               [p.document_id for p in points], [owner_id] * len(points))

        await self._call(work)

    async def search(self, owner_id: int, embedder: str, vector: np.ndarray, limit: int,
                     document_ids: Sequence[int] | None = None, *,
                     through_qdrant: bool = False) -> list[VectorHit]:
        """The owner's `limit` nearest passages, best first. In local mode from the in-memory
        matrix, unless `through_qdrant` asks Qdrant's own search (for checks and tests)."""
        name = self.collection(embedder, int(vector.shape[0]), owner_id)
        conditions: list[qm.Condition] = []
        if not self.per_owner:
            conditions.append(qm.FieldCondition(key="owner", match=qm.MatchValue(value=owner_id)))
        if document_ids is not None:
            conditions.append(qm.FieldCondition(key="document",
                                                match=qm.MatchAny(any=list(document_ids))))

        def work(client: QdrantClient) -> list[VectorHit]:
            if name not in self._known and not client.collection_exists(name):
                return []
            self._known.add(name)
            if self.per_owner and not through_qdrant:
                return [VectorHit(hit.chunk_id, hit.document_id, hit.score)
                        for hit in self._matrix(client, name).search(vector, limit, document_ids)
                        # never another owner's, whatever happened
                        if hit.owner_id == owner_id]
            points = client.query_points(
                name, query=vector.tolist(), limit=limit, with_payload=True,
                query_filter=qm.Filter(must=conditions) if conditions else None,
            ).points
            hits = []
            for point in points:
                payload = point.payload or {}
                if payload.get("owner") != owner_id:  # never another owner's, whatever happened
                    continue
                hits.append(VectorHit(int(payload["chunk"]), int(payload["document"]),
                                      point.score))
            return hits

        return await self._call(work)

    async def delete_document(self, owner_id: int, document_id: int) -> None:
        """Every vector of the document, in whichever of the owner's collections it is."""
        selector = qm.FilterSelector(filter=qm.Filter(must=[
            qm.FieldCondition(key="owner", match=qm.MatchValue(value=owner_id)),
            qm.FieldCondition(key="document", match=qm.MatchValue(value=document_id)),
        ]))

        def work(client: QdrantClient) -> None:
            for name in self._collections(client, owner_id):
                with self._writing(name):
                    client.delete(name, points_selector=selector, wait=True)
                    matrix = self._matrices.get(name)
                    if matrix is not None:
                        matrix.remove_document(owner_id, document_id)

        await self._call(work)

    async def count(self, owner_id: int, document_id: int | None = None) -> int:
        conditions: list[qm.Condition] = [
            qm.FieldCondition(key="owner", match=qm.MatchValue(value=owner_id))]
        if document_id is not None:
            conditions.append(qm.FieldCondition(key="document",
                                                match=qm.MatchValue(value=document_id)))

        def work(client: QdrantClient) -> int:
            return sum(client.count(name, count_filter=qm.Filter(must=conditions),
                                    exact=True).count
                       for name in self._collections(client, owner_id))

        return await self._call(work)

    async def drop_all(self) -> None:
        """Every documents collection (tests, and `reindexDocuments` from scratch)."""
        def work(client: QdrantClient) -> None:
            for description in client.get_collections().collections:
                if description.name.startswith(PREFIX + "-"):
                    self._matrices.pop(description.name, None)
                    client.delete_collection(description.name)
            self._known.clear()
            self._matrices.clear()

        await self._call(work)

    async def ping(self) -> None:
        await self._call(lambda client: client.get_collections())

    async def close(self) -> None:
        def work() -> None:
            if self._client is not None:
                self._client.close()
                self._client = None
            self._matrices.clear()

        await asyncio.get_running_loop().run_in_executor(self._executor, work)
        self._executor.shutdown(wait=True)

    # -- plumbing --------------------------------------------------------------------------

    def _collections(self, client: QdrantClient, owner_id: int) -> list[str]:
        suffix = f"-owner-{owner_id}"
        return [c.name for c in client.get_collections().collections
                if c.name.startswith(PREFIX + "-")
                and (not self.per_owner or c.name.endswith(suffix))]

    @contextlib.contextmanager
    def _writing(self, name: str) -> Iterator[None]:
        """A write to a collection; if it fails (perhaps half done), its matrix is dropped
        and loaded again from Qdrant on the next search."""
        try:
            yield
        except BaseException:
            self._matrices.pop(name, None)
            raise

    def _matrix(self, client: QdrantClient, name: str) -> LocalMatrix:
        """The collection's matrix, loaded from Qdrant on first use."""
        matrix = self._matrices.get(name)
        if matrix is None:
            params = client.get_collection(name).config.params.vectors
            assert isinstance(params, qm.VectorParams)  # one unnamed vector per point, DOT
            matrix = _snapshot(client, name, params.size) or _scrolled(client, name, params.size)
            self._matrices[name] = matrix
        return matrix

    def _ensure(self, client: QdrantClient, name: str, dimension: int) -> None:
        if name in self._known or client.collection_exists(name):
            self._known.add(name)
            return
        # DOT on unit vectors is the cosine, without renormalising every vector per query.
        client.create_collection(name, vectors_config=qm.VectorParams(
            size=dimension, distance=qm.Distance.DOT))
        if not self.per_owner:
            client.create_payload_index(name, "owner",
                                        field_schema=qm.PayloadSchemaType.INTEGER)
            client.create_payload_index(name, "document",
                                        field_schema=qm.PayloadSchemaType.INTEGER)
        self._known.add(name)

    def _open(self) -> QdrantClient:
        if self._client is None:
            if self.url:
                self._client = QdrantClient(url=self.url, api_key=self.api_key, timeout=30)
            else:
                self.local_path.mkdir(parents=True, exist_ok=True)
                try:
                    self._client = QdrantClient(path=str(self.local_path))
                except Exception as exc:  # portalocker: the folder is locked
                    raise VectorStoreUnavailable(
                        f"The vector folder {self.local_path} is in use by another process "
                        "(Qdrant local mode allows one): run jobs inside `serve`, or set "
                        "QDRANT_URL") from exc
        return self._client

    async def _call(self, work: Callable[[QdrantClient], T]) -> T:
        def run() -> T:
            return work(self._open())

        return await asyncio.get_running_loop().run_in_executor(self._executor, run)




def _scrolled(client: QdrantClient, name: str, dimension: int) -> LocalMatrix:
    """A collection's points read through the client's public API (about 1.8 s at 20k points
    in local mode, which copies every point into a record and its vector into a list)."""
    matrix = LocalMatrix(dimension, capacity=client.count(name, exact=True).count)
    offset: qm.ExtendedPointId | None = None
    while True:
        records, offset = client.scroll(name, limit=_LOAD_PAGE, offset=offset,
                                        with_payload=True, with_vectors=True)
        if records:
            payloads = [r.payload or {} for r in records]
            matrix.put([str(r.id) for r in records],
                       np.array([r.vector for r in records], dtype=np.float32),
                       [int(p["chunk"]) for p in payloads],
                       [int(p["document"]) for p in payloads],
                       [int(p["owner"]) for p in payloads])
        if offset is None:
            return matrix


def _snapshot(client: QdrantClient, name: str, dimension: int) -> LocalMatrix | None:
    """A local collection's points read from local mode's own arrays (qdrant-client's
    `LocalCollection`: `vectors[""]`, `payload`, `ids_inv`, `deleted`, `deleted_per_vector`),
    many times quicker than scrolling. None when they are not there or not as expected (a
    server, another version): the caller scrolls instead. A test checks both read the same."""
    collections = getattr(getattr(client, "_client", None), "collections", None)
    collection = collections.get(name) if isinstance(collections, dict) else None
    if collection is None:
        return None
    try:
        payloads = collection.payload
        ids = collection.ids_inv
        vectors = collection.vectors[""]
        deleted = np.asarray(collection.deleted, dtype=bool)
        deleted_vector = np.asarray(collection.deleted_per_vector[""], dtype=bool)
        size = len(payloads)
        if not (isinstance(vectors, np.ndarray) and vectors.ndim == 2
                and vectors.shape[0] >= size and vectors.shape[1] == dimension
                and len(ids) == size and len(deleted) >= size and len(deleted_vector) >= size):
            return None
        live = np.flatnonzero(~(deleted[:size] | deleted_vector[:size])).tolist()
        matrix = LocalMatrix(dimension, capacity=len(live))
        for start in range(0, len(live), _LOAD_PAGE):  # a page at a time: bounded copies
            rows = live[start:start + _LOAD_PAGE]
            page = [payloads[row] for row in rows]
            matrix.put([str(ids[row]) for row in rows], vectors[rows],
                       [int(p["chunk"]) for p in page], [int(p["document"]) for p in page],
                       [int(p["owner"]) for p in page])
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None
    return matrix
