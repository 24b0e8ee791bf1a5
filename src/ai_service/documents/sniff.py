"""What a file is, decided by its bytes: the name and the declared content type are not trusted."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from enum import StrEnum
from pathlib import Path

from ai_service.core.errors import BadUserInput


class Kind(StrEnum):
    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    HTML = "text/html"
    MARKDOWN = "text/markdown"
    CSV = "text/csv"
    TEXT = "text/plain"


# Formats people try to upload that we recognise but cannot read, for a helpful message.
_KNOWN_BINARY = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc/.xls); save it as .docx"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
]
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]",
                         re.IGNORECASE | re.DOTALL)
_MARKDOWN = re.compile(r"^(#{1,6} \S|[-*+] \S|\d+\. \S|```|> \S)|\[[^\]]+\]\([^)]+\)",
                       re.MULTILINE)


def sniff(head: bytes, path: Path) -> Kind:
    """The kind of the file at `path` whose first bytes are `head`; BadUserInput otherwise."""
    if b"%PDF-" in head[:1024]:
        return Kind.PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    for magic, what in _KNOWN_BINARY:
        if head.startswith(magic):
            raise unsupported(what)
    text = decode_head(head)
    if text is None:
        raise unsupported("a binary file")
    if not text.strip():
        raise BadUserInput("The file is empty", field="file")
    if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return Kind.HTML
    if _looks_like_csv(text):
        return Kind.CSV
    if len(_MARKDOWN.findall(text)) >= 2:
        return Kind.MARKDOWN
    return Kind.TEXT


def unsupported(what: str) -> BadUserInput:
    return BadUserInput(
        f"This looks like {what}, which cannot be read: upload a PDF, DOCX, HTML, Markdown, "
        "plain text or CSV file", field="file")


def _zip_kind(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        raise unsupported("a damaged ZIP archive") from None
    if "word/document.xml" in names:
        return Kind.DOCX
    if "xl/workbook.xml" in names:
        raise unsupported("an Excel workbook; export it as CSV")
    if "ppt/presentation.xml" in names:
        raise unsupported("a PowerPoint presentation; export it as PDF")
    raise unsupported("a ZIP archive")


def decode_head(head: bytes) -> str | None:
    """The text of the first bytes, or None when they are not text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head[: len(head) // 2 * 2].decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    for cut in range(4):  # the head may end inside a multi-byte character
        try:
            return head[: len(head) - cut].decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
    text = head.decode("cp1252", errors="replace")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t\f")
    return text if controls <= len(text) // 100 else None


def decode(data: bytes) -> str:
    """Whole-file decoding for text kinds: UTF-8 (with or without BOM), UTF-16, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    rows = list(csv.reader(io.StringIO("\n".join(lines)), dialect))
    widths = {len(row) for row in rows[:-1]}  # the last line may be cut off
    return len(widths) == 1 and widths.pop() >= 2
