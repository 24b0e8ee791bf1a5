"""Text to vectors: OpenAI through the AI gateway when it is configured for the user, else a
local deterministic embedder that needs no model and no download.

The local embedder hashes features into a fixed number of dimensions (the "hashing trick"):
word unigrams and bigrams, and character trigrams of each word, which make "invoice" close to
"invoices" and survive typos. Counts are dampened (1 + log tf), common English words dropped,
and the vector L2-normalised, so a dot product is a cosine. It finds shared words and word
forms, not synonyms: "meaning" here is lexical similarity, a fallback rather than a model.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ai_service.core.errors import IntegrationNotConfigured
from ai_service.platform.ai import Capability, LLMGateway

LOCAL_NAME = "local-hash-v1"
# Local Qdrant scans every vector per query, so fewer dimensions are faster, while more keep
# unrelated texts apart (their scores spread about 1/sqrt(dimension)); 384 measured best.
LOCAL_DIMENSION = 384
_WORD = re.compile(r"\w+", re.UNICODE)
# Weights per feature family, tuned on misspelt and inflected queries against short passages:
# trigrams carry most of the fuzzy matching, bigrams reward phrases a little.
_UNIGRAM, _BIGRAM, _TRIGRAM = 1.0, 0.3, 1.0

_STOPWORD_TEXT = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves
also may might must shall
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words(text: str) -> list[str]:
    """Lower-case words without the common ones; shared with keyword search."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


@dataclass(frozen=True)
class Vectors:
    embedder: str  # names the collection, with the dimension
    dimension: int
    values: np.ndarray  # float32, one L2-normalised row per text
    min_score: float  # a hit scoring below this is not a match (for "nothing found")


class Embedder(Protocol):
    async def embed(self, texts: Sequence[str]) -> Vectors: ...


class LocalEmbedder:
    name = LOCAL_NAME
    dimension = LOCAL_DIMENSION
    # Unrelated English texts score up to about 0.15 (shared common trigrams), related ones
    # 0.2 to 0.5.
    min_score = 0.18

    async def embed(self, texts: Sequence[str]) -> Vectors:
        if len(texts) > 4:  # passages: off the event loop; a query is quicker inline
            values = await asyncio.to_thread(self.vectors, texts)
        else:
            values = self.vectors(texts)
        return Vectors(self.name, self.dimension, values, self.min_score)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(_features(text))
            if not counts:
                continue
            index = np.empty(len(counts), dtype=np.intp)
            value = np.empty(len(counts), dtype=np.float32)
            for i, (feature, count) in enumerate(counts.items()):
                slot, signed_weight = self._slot(feature)
                index[i] = slot
                value[i] = signed_weight * (1.0 + math.log(count))
            vector = np.bincount(index, weights=value, minlength=self.dimension)
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                out[row] = vector / norm
        return out

    def _slot(self, feature: str) -> tuple[int, float]:
        """Where a feature lands and with which signed weight (memoised: words and trigrams
        repeat across passages, and hashing in Python dominated the cost)."""
        found = _SLOTS.get(feature)
        if found is None:
            h = zlib.crc32(feature.encode())
            # The sign, from other bits of the hash, lets collisions cancel out on average.
            sign = 1.0 if h & 0x80000000 else -1.0
            found = (h % self.dimension, sign * _WEIGHTS[feature[0]])
            if len(_SLOTS) < _SLOT_CACHE:
                _SLOTS[feature] = found
        return found


_SLOT_CACHE = 500_000
_SLOTS: dict[str, tuple[int, float]] = {}
_WEIGHTS = {"w": _UNIGRAM, "b": _BIGRAM, "t": _TRIGRAM}


def _features(text: str) -> list[str]:
    tokens = words(text)
    features = ["w:" + w for w in tokens]
    features += ["b:" + a + " " + b for a, b in itertools.pairwise(tokens)]
    for word in tokens:
        padded = f"<{word}>"
        features += ["t:" + padded[j:j + 3] for j in range(len(padded) - 2)]
    return features


class OpenAIEmbedder:
    """Embeddings through the gateway (batched there, usage recorded)."""

    min_score = 0.25  # text-embedding-3 scores unrelated text around 0.1

    def __init__(self, gateway: LLMGateway, user_id: int | None) -> None:
        self.gateway = gateway
        self.user_id = user_id

    async def embed(self, texts: Sequence[str]) -> Vectors:
        result = await self.gateway.embed(texts, user_id=self.user_id, purpose="documents")
        values = np.asarray(result.vectors, dtype=np.float32)
        norms = np.linalg.norm(values, axis=1, keepdims=True)
        values /= np.where(norms > 0, norms, 1.0)  # OpenAI's are unit length; be sure
        return Vectors(f"openai-{result.model}", result.dimension, values, self.min_score)


class Embedders:
    """Which embedder applies to a user: OpenAI when configured for them, else the local one."""

    def __init__(self, gateway: LLMGateway) -> None:
        self.gateway = gateway
        self.local = LocalEmbedder()

    async def for_user(self, user_id: int) -> Embedder:
        """Decided once per ingestion, so one document's vectors share one collection."""
        if Capability.EMBEDDINGS in await self.gateway.available(user_id):
            return OpenAIEmbedder(self.gateway, user_id)
        return self.local

    async def embed(self, texts: Sequence[str], user_id: int) -> Vectors:
        embedder = await self.for_user(user_id)
        try:
            return await embedder.embed(texts)
        except IntegrationNotConfigured:  # removed meanwhile
            return await self.local.embed(texts)
