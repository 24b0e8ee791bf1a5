"""Text out of files, page by page: PDF (pypdf), DOCX (python-docx), HTML (BeautifulSoup),
Markdown, plain text and CSV. Each reader is a generator, so a long PDF is read a page at a
time and never held whole in memory."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ai_service.documents.sniff import Kind, decode

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)
CSV_ROWS_PER_PARAGRAPH = 10
OCR_NOTE = ("This PDF has no text layer (a scan or photos of pages): its text needs OCR "
            "before it can be searched.")


class ExtractionError(Exception):
    """The file is damaged or cannot be read; the message says why, for the user."""


@dataclass(frozen=True)
class Page:
    number: int | None  # 1-based for PDFs; None for formats without fixed pages
    text: str


class Source:
    """An opened file: how many pages it has, and its pages one at a time."""

    def __init__(self, kind: Kind, path: Path) -> None:
        self.kind = kind
        self.path = path
        self.page_count: int | None = None
        self._reader: PdfReader | None = None
        if kind is Kind.PDF:
            self._open_pdf()

    def _open_pdf(self) -> None:
        from pypdf import PdfReader
        from pypdf.errors import FileNotDecryptedError, PdfReadError

        try:
            reader = PdfReader(self.path)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ExtractionError("The PDF is password-protected")
            self.page_count = len(reader.pages)
        except FileNotDecryptedError:
            raise ExtractionError("The PDF is password-protected") from None
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError,
                RecursionError) as exc:
            raise ExtractionError(f"The PDF is damaged and cannot be read ({_short(exc)})"
                                  ) from None
        self._reader = reader

    def pages(self) -> Iterator[Page]:
        try:
            if self.kind is Kind.PDF:
                yield from self._pdf_pages()
            elif self.kind is Kind.DOCX:
                yield Page(None, _docx_text(self.path))
            else:
                text = decode(self.path.read_bytes())
                if self.kind is Kind.HTML:
                    text = html_text(text)
                elif self.kind is Kind.MARKDOWN:
                    text = markdown_text(text)
                elif self.kind is Kind.CSV:
                    text = csv_text(text)
                yield Page(None, text)
        except ExtractionError:
            raise
        except Exception as exc:  # a reader choking on a malformed file
            log.info("text extraction failed", exc_info=True)
            raise ExtractionError(f"The file is damaged and cannot be read ({_short(exc)})"
                                  ) from None

    def _pdf_pages(self) -> Iterator[Page]:
        assert self._reader is not None
        for index, page in enumerate(self._reader.pages):
            yield Page(index + 1, normalise(page.extract_text() or ""))


def _docx_text(path: Path) -> str:
    import docx  # python-docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text.strip() for cell in row.cells))
        parts.append("")
    return normalise("\n\n".join(parts))


_BLOCKS = ["p", "div", "section", "article", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5",
           "h6", "pre", "blockquote", "table", "header", "footer", "main", "nav"]


def html_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "head"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    return normalise(soup.get_text())


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(\[[ xX]\]\s+)?)", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def markdown_text(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_MARKS.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return normalise(text.replace("```", ""))


def csv_text(text: str) -> str:
    """Rows as `header: value` lines, a few rows per paragraph, so each chunk names its
    columns."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:65536],
                                                                       delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    header = next(rows, [])
    paragraphs, current = [], []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        pairs = [f"{(header[i] if i < len(header) else f'column {i + 1}').strip()}: "
                 f"{cell.strip()}" for i, cell in enumerate(row) if cell.strip()]
        current.append("; ".join(pairs))
        if len(current) == CSV_ROWS_PER_PARAGRAPH:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


_SPACES = re.compile(r"[ \t\u00a0\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _short(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message[:150]}" if message else type(exc).__name__
