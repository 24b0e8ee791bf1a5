"""Text into passages: whole paragraphs packed up to a target size, a little overlap between
neighbours so a sentence cut at a boundary is still found, and never across a page, so every
passage cites one page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ai_service.documents.extract import Page

TARGET_CHARS = 900
MAX_CHARS = 1400
OVERLAP_CHARS = 160
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Chunk:
    position: int  # 0-based order within the document
    page: int | None
    text: str


class Chunker:
    def __init__(self, target: int = TARGET_CHARS, maximum: int = MAX_CHARS,
                 overlap: int = OVERLAP_CHARS) -> None:
        self.target, self.maximum, self.overlap = target, maximum, overlap
        self.position = 0

    def page(self, page: Page) -> list[Chunk]:
        chunks: list[Chunk] = []
        current = ""
        for piece in self._pieces(page.text):
            if current and len(current) + 2 + len(piece) > self.target:
                chunks.append(self._emit(page.number, current))
                tail = _tail(current, self.overlap)
                fits = tail and len(tail) + 1 + len(piece) <= self.maximum
                current = f"{tail} {piece}" if fits else piece
            else:
                current = f"{current}\n\n{piece}" if current else piece
        if current.strip():
            chunks.append(self._emit(page.number, current))
        return chunks

    def _emit(self, page: int | None, text: str) -> Chunk:
        chunk = Chunk(self.position, page, text.strip())
        self.position += 1
        return chunk

    def _pieces(self, text: str) -> Iterator[str]:
        """Paragraphs, with any longer than the maximum cut at sentences, then at words."""
        for paragraph in text.split("\n\n"):
            paragraph = paragraph.strip()
            if not paragraph:
                continue
            if len(paragraph) <= self.maximum:
                yield paragraph
                continue
            for sentence in _SENTENCE_END.split(paragraph):
                while len(sentence) > self.maximum:
                    cut = sentence.rfind(" ", 0, self.maximum)
                    cut = cut if cut > self.maximum // 2 else self.maximum
                    yield sentence[:cut].strip()
                    sentence = sentence[cut:].strip()
                if sentence:
                    yield sentence


def _tail(text: str, size: int) -> str:
    """About the last `size` characters, starting at a word."""
    if len(text) <= size:
        return ""  # a short passage is carried whole by the next one's context anyway
    tail = text[-size:]
    space = tail.find(" ")
    return tail[space + 1:] if 0 <= space < size // 2 else tail


def chunk_pages(pages: list[Page]) -> list[Chunk]:
    chunker = Chunker()
    return [chunk for page in pages for chunk in chunker.page(page)]
