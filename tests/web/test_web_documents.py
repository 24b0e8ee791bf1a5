"""The documents pages in a real Chromium against the live app: a PDF uploaded through the
file picker is read by the worker until its badge says Ready, and a search marks the word
in its passage; a question is answered (by the local fake of Anthropic) with a citation
that leads to the cited page; a file the server refuses shows the server's own message."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ai_service.integrations.providers import Provider
from fakes.anthropic import ANTHROPIC_KEY
from fakes.server import FakeProviders
from support.docfiles import make_pdf, uploaded
from support.documents import CONTRACT, configure, ingested
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.embedded_only]


def pick(tab: Any, files: list[tuple[str, str, bytes]]) -> None:
    """Choose files with the library's file picker, as a keyboard user would."""
    tab.page.get_by_label("Choose files").set_input_files(
        [{"name": name, "mimeType": mime, "buffer": content} for name, mime, content in files])


def test_an_uploaded_pdf_becomes_ready_and_its_words_are_found(
    server: LiveServer, admin: dict[str, Any], tab: Any
) -> None:
    page = tab.page
    tab.sign_in_as(admin, "/documents")
    tab.heading("Documents")
    page.get_by_text("No documents yet.").wait_for()

    pick(tab, [("contract.pdf", "application/pdf", make_pdf(CONTRACT))])
    uploads = page.get_by_role("list", name="Uploads")
    uploads.get_by_text("Ready", exact=True).wait_for(timeout=60_000)
    row = page.get_by_role("table").get_by_role("row").filter(has_text="contract")
    row.get_by_text("Ready", exact=True).wait_for()
    # Ingestion was followed live: jobUpdates results arrived as text frames (graphql-ws
    # cannot read binary ones and would fall back to polling).
    updates = [f for f in tab.frames if isinstance(f, str) and '"jobUpdates"' in f]
    assert updates, tab.frames
    assert not [f for f in tab.frames if isinstance(f, bytes)]
    assert "PDF" in row.inner_text()

    page.goto("/documents/search")
    tab.heading("Search & ask")
    page.get_by_label("Search your documents").fill("globex")
    results = page.get_by_role("list", name="Search results")
    hit = results.get_by_role("listitem").first
    hit.locator("mark", has_text="Globex").wait_for()
    assert "by words" in hit.inner_text()
    assert hit.get_by_role("link", name="contract").get_attribute("href", timeout=5_000) \
        .endswith("?page=1")
    assert "q=globex" in page.url
    tab.assert_clean()


def test_a_question_is_answered_with_a_citation_to_its_page(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], tab: Any,
    fake_providers: FakeProviders,
) -> None:
    token = admin["accessToken"]
    document = ingested(gql, token, uploaded(gql.http, token, make_pdf(CONTRACT),
                                             "contract.pdf")["id"])
    configure(gql, token, Provider.ANTHROPIC, ANTHROPIC_KEY)
    fake_providers.reply("anthropic", {"answer": "Ninety days written notice [1].",
                                       "citations": [1]})
    page = tab.page
    tab.sign_in_as(admin, "/documents/search")
    page.get_by_role("textbox", name="Question", exact=True).fill("How much notice is needed to terminate?")
    page.get_by_role("button", name="Ask").click()
    page.get_by_text("Ninety days written notice [1].").wait_for()
    citation = page.get_by_role("link", name="contract, page 3")
    assert citation.get_attribute("href") == f"/documents/{document['id']}?page=3"

    citation.click()
    tab.heading("contract")
    page.get_by_text("Cited passage on page 3.").wait_for()
    page.get_by_role("button", name="Open at page 3").wait_for()
    # The file comes with the bearer token (fetch, then a blob), under its own name.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == "contract.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    # A question nothing answers: the server says so, and no model is asked.
    page.go_back()
    page.get_by_role("textbox", name="Question", exact=True).fill("What is the boiling point of mercury?")
    page.get_by_role("button", name="Ask").click()
    page.get_by_text(re.compile("None of your documents has a passage about this")).wait_for()
    assert len(fake_providers.requests_to("anthropic")) == 1
    tab.assert_clean()


def test_a_refused_upload_shows_the_servers_message(
    server: LiveServer, admin: dict[str, Any], tab: Any
) -> None:
    page = tab.page
    tab.sign_in_as(admin, "/documents")
    tab.heading("Documents")
    pick(tab, [("empty.txt", "text/plain", b""),
               ("photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))])
    alerts = page.get_by_role("list", name="Uploads").get_by_role("alert")
    alerts.filter(has_text="The file is empty").wait_for()
    alerts.filter(has_text="This looks like a PNG image, which cannot be read").wait_for()
    page.get_by_text("No documents yet.").wait_for()
    tab.assert_clean()
