"""Documents: ingestion throughput with the local embedder, and hybrid search latency.

    .venv/bin/python benchmarks/documents.py [--backend embedded|services] [--pages 300]
                                             [--chunks 20000] [--queries 200]

Measures, in one process on the chosen backend, with Qdrant in local mode (DATA_DIR/qdrant):
  - ingestion of a generated PDF (`--pages` pages of prose) through the real job handler:
    pages per second from the job's start to READY, and the process's peak RSS growth;
  - `DocumentService.search` (query embedding, Qdrant, full-text, fusion, passage rows) at
    1,000 and at `--chunks` passages of one user: p50 and p95 over `--queries` queries of two
    to four words. Passages are inserted directly (rows, then local vectors), not ingested.
    The first search of each size is left out of the figures and reported on its own (in
    local mode it loads the collection into memory);
  - where a search's time goes: the same queries again, each stage timed on its own (query
    embedding, vector search, full-text search, reading the passages), and the garbage
    collector's pauses during the timed searches.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import random
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from _common import backend, write_json
from ai_service.config import load_settings
from ai_service.core.client import CLI_CLIENT
from ai_service.documents import keyword
from ai_service.documents.embedder import LocalEmbedder
from ai_service.documents.models import Document, DocumentChunk, DocumentStatus
from ai_service.platform.vectors import VectorPoint
from ai_service.services import open_services
from ai_service.users.models import Role
from support.docfiles import make_pdf

_COMMON_TEXT = """the of and to in a is that for it as with was on be by this are from or have
an not which at but all their can has more will one would there were been"""
COMMON = _COMMON_TEXT.split()


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    letters = "abcdefghijklmnoprstuvw"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size)]


def prose(rng: random.Random, words: list[str], chars: int) -> str:
    out: list[str] = []
    length = 0
    while length < chars:
        sentence = " ".join(rng.choice(words) if rng.random() < 0.6 else rng.choice(COMMON)
                            for _ in range(rng.randint(8, 18))).capitalize() + "."
        out.append(sentence)
        length += len(sentence) + 1
        if rng.random() < 0.15:
            out.append("\n")
    return " ".join(out)


def pdf_pages(rng: random.Random, words: list[str], pages: int) -> list[str]:
    # About 1,800 characters a page in 90-character lines: a page of a typical report.
    result = []
    for _ in range(pages):
        text = prose(rng, words, 1800).replace("\n", " ")
        result.append("\n".join(text[i:i + 90] for i in range(0, len(text), 90)))
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class GcPauses:
    """The cyclic garbage collector's pauses while it is active (gc.callbacks)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._started) * 1000)


def summary(timings: list[float]) -> str:
    return f"{statistics.median(timings):.1f} / {percentile(timings, 0.95):.1f}"


async def stages(services: Any, user: Any, queries: list[str]) -> dict[str, str]:
    """p50 / p95 in ms of each stage of a search, timed on its own."""
    hybrid = services.documents.hybrid
    timings: dict[str, list[float]] = {"embed": [], "vectors": [], "keyword": [], "rows": []}

    async def timed(stage: str, work: Any) -> Any:
        started = time.perf_counter()
        result = await work
        timings[stage].append((time.perf_counter() - started) * 1000)
        return result

    for query in queries:
        embedded = await timed("embed", hybrid.embedders.embed([query], user.id))
        hits = await timed("vectors", hybrid.vectors.search(
            user.id, embedded.embedder, embedded.values[0], 30))
        await timed("keyword", keyword.search(user.id, query, 30))
        await timed("rows", DocumentChunk.filter(
            id__in=[h.chunk_id for h in hits[:10]], owner_id=user.id))
    return {stage: summary(values) for stage, values in timings.items()}


async def measure(env: dict[str, str], pages: int, chunks: int, queries: int) -> dict[str, Any]:
    settings = load_settings(environ=env, env_file=None)
    services = await open_services(settings)
    rng = random.Random(7)
    words = vocabulary(rng)
    result: dict[str, Any] = {}
    try:
        user = await services.users.create("bench@example.com", "benchmark password 1",
                                           role=Role.ADMIN, actor=None, client=CLI_CLIENT)
        # -- ingestion through the job handler
        pdf = make_pdf(pdf_pages(rng, words, pages))
        source = io.BytesIO(pdf)

        async def read(size: int) -> bytes:
            return source.read(size)

        document = await services.documents.upload(user, read, "bench.pdf")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        await services.worker().run_until_idle()
        elapsed = time.perf_counter() - started
        document = await Document.get(id=document.id)
        assert document.status is DocumentStatus.READY, document.error
        result.update(
            pdf_pages=pages, pdf_mib=round(len(pdf) / 2**20, 2),
            ingest_seconds=round(elapsed, 2), pages_per_second=round(pages / elapsed, 1),
            ingest_chunks=document.chunk_count,
            ingest_peak_rss_growth_mib=round(
                (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1),
        )
        await services.documents.delete(user, document.id)

        # -- search at 1k and at `chunks` passages
        embedder = LocalEmbedder()
        corpus = await Document.create(owner_id=user.id, title="corpus", filename="corpus.txt",
                                       mime_type="text/plain", size_bytes=0, sha256="0" * 64,
                                       status=DocumentStatus.READY)
        inserted = 0
        for target in (1000, chunks):
            while inserted < target:
                batch = min(1000, target - inserted)
                texts = [prose(rng, words, rng.randint(500, 900)) for _ in range(batch)]
                await DocumentChunk.bulk_create([
                    DocumentChunk(document_id=corpus.id, owner_id=user.id, position=inserted + i,
                                  page=None, text=t) for i, t in enumerate(texts)])
                ids = dict(await DocumentChunk.filter(
                    document_id=corpus.id, position__gte=inserted).values_list("position", "id"))
                await services.vectors.upsert(user.id, embedder.name, embedder.vectors(texts), [
                    VectorPoint(corpus.id, int(ids[inserted + i]), inserted + i, None)
                    for i in range(batch)])
                inserted += batch
            texts = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 4)))
                     for _ in range(queries)]
            started = time.perf_counter()
            await services.documents.search(user, "first search", 10)
            result[f"search_{target}_first_ms"] = round((time.perf_counter() - started) * 1000, 1)
            timings = []
            with GcPauses() as collector:
                for query in texts:
                    started = time.perf_counter()
                    await services.documents.search(user, query, 10)
                    timings.append((time.perf_counter() - started) * 1000)
            result[f"search_{target}_p50_ms"] = round(statistics.median(timings), 1)
            result[f"search_{target}_p95_ms"] = round(percentile(timings, 0.95), 1)
            result[f"search_{target}_gc"] = (f"{len(collector.pauses)} pauses, "
                                             f"{sum(collector.pauses):.1f} ms in all, "
                                             f"longest {max(collector.pauses, default=0):.1f}")
            for stage, figure in (await stages(services, user, texts)).items():
                result[f"search_{target}_{stage}_p50_p95_ms"] = figure
    finally:
        await services.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--chunks", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with backend(args.backend) as env:
        result = asyncio.run(measure(env, args.pages, args.chunks, args.queries))
    result["backend"] = args.backend
    for key, value in result.items():
        print(f"{key:>28}: {value}")
    print(f"wrote {write_json(f'documents-{args.backend}', result).relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
