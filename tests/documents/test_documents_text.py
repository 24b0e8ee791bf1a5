"""The pieces of ingestion on their own: sniffing by content, extraction, chunking and the local
embedder (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_service.core.errors import BadUserInput
from ai_service.documents.chunking import MAX_CHARS, Chunker
from ai_service.documents.embedder import LocalEmbedder
from ai_service.documents.extract import ExtractionError, Page, Source, html_text
from ai_service.documents.service import clean_filename, clean_tag_list
from ai_service.documents.sniff import Kind, sniff
from support.docfiles import make_docx, make_html, make_pdf


def kind_of(tmp_path: Path, content: bytes) -> Kind:
    path = tmp_path / "upload"
    path.write_bytes(content)
    return sniff(content[:65536], path)


def test_sniffing_looks_at_the_bytes(tmp_path: Path) -> None:
    assert kind_of(tmp_path, make_pdf(["x"])) is Kind.PDF
    assert kind_of(tmp_path, make_docx(["x"])) is Kind.DOCX
    assert kind_of(tmp_path, make_html("t", ["x"])) is Kind.HTML
    assert kind_of(tmp_path, b"\xef\xbb\xbf<!-- c -->\n<html><body>x</body></html>") is Kind.HTML
    assert kind_of(tmp_path, b"a;b;c\n1;2;3\n4;5;6\n") is Kind.CSV
    assert kind_of(tmp_path, b"# Title\n\nSome *text* and [a link](http://x).\n") \
        is Kind.MARKDOWN
    assert kind_of(tmp_path, "Grüße, plain text.\nSecond line.".encode("cp1252")) is Kind.TEXT
    assert kind_of(tmp_path, "UTF-16 text".encode("utf-16")) is Kind.TEXT
    # A multi-byte character cut at the end of the sniffed head is still text.
    assert sniff(("ä" * 40).encode()[:-1], tmp_path / "upload") is Kind.TEXT
    for content in (b"\x89PNG\r\n\x1a\n....", b"PK\x03\x04not a zip", b"\x00\x01\x02" * 50):
        with pytest.raises(BadUserInput):
            kind_of(tmp_path, content)


def test_extraction_keeps_pages_and_drops_markup(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(make_pdf(["First (page) one", None, "Third \\ page"]))
    source = Source(Kind.PDF, path)
    assert source.page_count == 3
    assert [(p.number, p.text) for p in source.pages()] == [
        (1, "First (page) one"), (2, ""), (3, "Third \\ page")]
    text = html_text("<html><head><title>T</title><script>x=1</script></head><body>"
                     "<p>One &amp; two</p><div>Three<br>four</div><style>p{}</style></body>")
    assert text == "One & two\n\nThree\n\nfour"
    path.write_bytes(b"%PDF-1.4\nthis is not a pdf at all")
    with pytest.raises(ExtractionError, match="damaged"):
        Source(Kind.PDF, path)


def test_chunks_pack_paragraphs_overlap_and_stay_on_their_page() -> None:
    paragraph = "word " * 150  # 750 characters
    chunker = Chunker()
    first = chunker.page(Page(1, "\n\n".join([paragraph.strip()] * 3)))
    second = chunker.page(Page(2, "short page"))
    assert [c.page for c in first] == [1, 1, 1]
    assert [c.position for c in first + second] == [0, 1, 2, 3]
    assert second[0].text == "short page"  # nothing carried over from page 1
    assert first[1].text.startswith("word")  # overlap: the previous passage's tail
    assert len(first[1].text) > 750
    long = Chunker().page(Page(None, "x" * (MAX_CHARS * 3)))
    assert all(len(c.text) <= MAX_CHARS for c in long)
    assert "".join(c.text for c in long).count("x") >= MAX_CHARS * 3


def test_the_local_embedder_is_deterministic_normalised_and_lexical() -> None:
    embedder = LocalEmbedder()
    texts = ["Invoices are payable within thirty days.", "The invoice is payable in 30 days.",
             "Photosynthesis needs chlorophyll and light.", "the of and"]
    vectors = embedder.vectors(texts)
    again = LocalEmbedder().vectors(texts)
    assert (vectors == again).all()
    assert vectors.shape == (4, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-5
    assert not vectors[3].any()  # only common words: nothing to embed
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > 0.4 > embedder.min_score > unrelated


def test_names_and_tags_are_cleaned() -> None:
    assert clean_filename("C:\\Users\\me\\secret.pdf") == "secret.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("bad\x00name\n.txt") == "badname.txt"
    assert clean_filename(None) == clean_filename("..") == "document"
    assert clean_tag_list([" Tax ", "tax", "2024  Returns"]) == ["tax", "2024 returns"]
    with pytest.raises(BadUserInput):
        clean_tag_list(["x" * 41])
    assert clean_tag_list(["ok", "", "a|b"], strict=False) == ["ok"]
