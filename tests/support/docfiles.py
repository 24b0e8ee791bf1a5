"""Real files made in the test: PDFs written by a tiny PDF writer (text and text-less pages),
DOCX through python-docx, HTML, and helpers to upload them the way clients do (the GraphQL
multipart request spec)."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx

DOCUMENT_FIELDS = """id title filename mimeType sizeBytes sha256 pageCount chunkCount status
  error note tags createdAt downloadUrl job { id state progress }"""
UPLOAD = f"""mutation Upload($file: Upload!, $title: String, $tags: [String!]) {{
  uploadDocument(file: $file, title: $title, tags: $tags) {{ {DOCUMENT_FIELDS} }} }}"""


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[str | None]) -> bytes:
    """One page per item: its lines as text, or (None) a drawn box and no text at all, as a
    scan without a text layer looks to a text extractor."""
    count = len(pages)
    page_ids = [4 + 2 * i for i in range(count)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] "
           f"/Count {count} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, text in zip(page_ids, pages, strict=True):
        if text is None:
            stream = "0.2 0.2 0.2 rg 72 72 468 648 re f"
        else:
            lines = " ".join(f"({_pdf_string(line)}) Tj T*" for line in text.split("\n"))
            stream = f"BT /F1 10 Tf 13 TL 40 760 Td {lines} ET"
        data = stream.encode("latin-1")
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>").encode()
        objects[page_id + 1] = (f"<< /Length {len(data)} >>\nstream\n".encode() + data
                                + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n")
    xref = out.tell()
    size = max(objects) + 1
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for number in range(1, size):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_html(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{title}</title><style>p {{ color: red }}"
            f"</style><script>var secret = 'do not index me';</script></head><body>"
            f"<h1>{title}</h1>{body}</body></html>").encode()


def upload(http: httpx.Client, token: str | None, content: bytes, filename: str, *,
           title: str | None = None, tags: list[str] | None = None,
           content_type: str = "application/octet-stream") -> httpx.Response:
    operations = json.dumps({"query": UPLOAD,
                             "variables": {"file": None, "title": title, "tags": tags}})
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return http.post("/graphql", data={"operations": operations,
                                       "map": json.dumps({"0": ["variables.file"]})},
                     files={"0": (filename, content, content_type)}, headers=headers)


def uploaded(http: httpx.Client, token: str, content: bytes, filename: str,
             **kw: Any) -> dict[str, Any]:
    response = upload(http, token, content, filename, **kw)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    document: dict[str, Any] = body["data"]["uploadDocument"]
    return document
