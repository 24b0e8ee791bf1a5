"""Documents end to end: real files uploaded over the GraphQL multipart request spec to the
real app, ingested by its worker, searched through Qdrant (local mode) and the database's
full-text index, downloaded and deleted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ai_service.documents.embedder import LocalEmbedder
from support.accounts import make_member
from support.docfiles import DOCUMENT_FIELDS, make_docx, make_html, make_pdf, upload, uploaded
from support.documents import CONTRACT, DOCUMENT, SEARCH, ingested, search
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

LIST = f"""query($first: Int, $after: String, $filter: DocumentFilter) {{
  documents(first: $first, after: $after, filter: $filter) {{
    edges {{ cursor node {{ {DOCUMENT_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
DELETE = "mutation($id: ID!) { deleteDocument(id: $id) }"


def nearest(server: LiveServer, owner: int, query: str,
            through_qdrant: bool = False) -> list[tuple[int, float]]:
    """The owner's nearest passages by the vector store (in local mode from its in-memory
    matrix, or from Qdrant's own search), scores rounded past float64 summation noise."""
    embedder = LocalEmbedder()
    vector = embedder.vectors([query])[0]

    async def run() -> list[tuple[int, float]]:
        hits = await server.services.vectors.search(owner, embedder.name, vector, 50,
                                                    through_qdrant=through_qdrant)
        return [(h.chunk_id, round(h.score, 9)) for h in hits]

    return server.call(run)


def chunk_count(server: LiveServer, document_id: int) -> int:
    from ai_service.documents.models import DocumentChunk

    async def count() -> int:
        return await DocumentChunk.filter(document_id=document_id).count()

    return server.call(count)


def file_path(server: LiveServer, sha256: str) -> Path:
    return Path(server.settings.data_dir) / "documents" / sha256[:2] / sha256[2:4] / sha256


def test_a_pdf_is_ingested_page_by_page_and_found_by_words_and_by_likeness(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    pdf = make_pdf(CONTRACT)
    document = uploaded(gql.http, token, pdf, "contract.pdf", tags=["Legal", " contracts "])
    assert document["status"] == "PENDING"
    assert document["mimeType"] == "application/pdf"
    assert document["filename"] == "contract.pdf"
    assert document["title"] == "contract"
    assert document["tags"] == ["legal", "contracts"]
    assert document["sizeBytes"] == len(pdf)
    assert document["job"]["state"] in ("QUEUED", "RUNNING", "SUCCEEDED")

    ready = ingested(gql, token, document["id"])
    assert ready["status"] == "READY", ready
    assert ready["pageCount"] == 3
    assert ready["chunkCount"] >= 3
    assert ready["note"] is None
    assert ready["job"] == {"id": document["job"]["id"], "state": "SUCCEEDED", "progress": 1.0}

    # An exact word: the keyword index finds it, on its page.
    [first, *_] = search(gql, token, "Globex")
    assert first["page"] == 1
    assert "Globex Limited" in first["text"]
    assert first["byKeyword"]
    assert first["document"] == {"id": document["id"], "title": "contract"}
    # Other forms of the words (stemming), ranked to the right page.
    assert search(gql, token, "invoice payable")[0]["page"] == 2
    # No word in common (misspelt): only the vectors can find it, and they do.
    hits = search(gql, token, "terminashun notise")
    assert hits
    assert hits[0]["page"] == 3
    assert hits[0]["byVector"]
    assert not hits[0]["byKeyword"]
    # Nothing like it anywhere: no hit, rather than the nearest noise.
    assert search(gql, token, "photosynthesis chlorophyll") == []


def test_docx_html_markdown_and_csv_are_read_by_their_content(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    files = {
        # Names that lie about the content: the content decides.
        "notes.bin": (make_docx(["Kitchen renovation quote from Baumeister GmbH.",
                                 "The plumber starts on the fourteenth of March."],
                                [["Item", "Price"], ["Tiles", "1200 EUR"]]),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "page.txt": (make_html("Boiler manual", ["Bleed the radiators every autumn.",
                                                 "Pressure should read 1.5 bar."]),
                     "text/html"),
        "todo.md": (b"# Garden\n\n- prune the **apple** trees\n- order [compost](http://x.y)\n",
                    "text/markdown"),
        "export.dat": (b"date,payee,amount\n2024-01-02,Stadtwerke,84.20\n"
                       b"2024-01-05,Bakery Sommer,6.40\n", "text/csv"),
        "plain.pdf.txt": ("Grüße aus München: the wifi password is on the fridge.".encode(),
                          "text/plain"),
    }
    ids = {}
    for name, (content, expected) in files.items():
        document = uploaded(gql.http, token, content, name)
        assert document["mimeType"] == expected, name
        ids[name] = document["id"]
    for name, document_id in ids.items():
        assert ingested(gql, token, document_id)["status"] == "READY", name

    def found(query: str) -> str:
        hits = search(gql, token, query)
        assert hits, query
        return str(hits[0]["document"]["id"])

    assert found("Baumeister plumber") == ids["notes.bin"]
    assert found("tiles price") == ids["notes.bin"]  # table cells too
    assert found("radiators pressure") == ids["page.txt"]
    assert found("prune apple trees") == ids["todo.md"]
    assert found("Stadtwerke") == ids["export.dat"]
    assert "payee: Stadtwerke" in search(gql, token, "Stadtwerke")[0]["text"]
    assert found("München wifi") == ids["plain.pdf.txt"]
    # Scripts and styles of an HTML page are not its text.
    assert all("do not index" not in h["text"] for h in search(gql, token, "secret index"))


def test_the_same_file_twice_is_one_document_and_its_file_is_shared_until_unused(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    pdf = make_pdf(CONTRACT)
    first = uploaded(gql.http, token, pdf, "contract.pdf")
    again = uploaded(gql.http, token, pdf, "renamed.pdf", title="Another title")
    assert again["id"] == first["id"]
    assert again["sha256"] == first["sha256"]
    edges = gql.data(LIST, {"first": 10}, token=token)["documents"]["edges"]
    assert len(edges) == 1

    member = make_member(gql, token)
    theirs = uploaded(gql.http, member["accessToken"], pdf, "mine.pdf")
    assert theirs["id"] != first["id"]
    path = file_path(server, first["sha256"])
    assert path.read_bytes() == pdf
    ingested(gql, token, first["id"])
    ingested(gql, member["accessToken"], theirs["id"])
    assert gql.data(DELETE, {"id": first["id"]}, token=token)["deleteDocument"] is True
    assert path.exists()  # the member's document still uses it
    download = gql.http.get(f"/api/documents/{theirs['id']}/file",
                            headers={"authorization": f"Bearer {member['accessToken']}"})
    assert download.content == pdf
    gql.data(DELETE, {"id": theirs["id"]}, token=member["accessToken"])
    assert not path.exists()


def test_size_is_limited_while_the_body_streams_in(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    limit = server.settings.max_upload_bytes
    too_big = b"a" * (limit + 1)
    response = upload(gql.http, token, too_big, "big.txt")
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    # Without a Content-Length (chunked), the limit is counted as the body arrives.
    boundary = "b0undary"
    operations = json.dumps({"query": "mutation($f: Upload!) { uploadDocument(file: $f) { id } }",
                             "variables": {"f": None}})

    def body() -> Any:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n"
               f"{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\""
               f"\r\n\r\n{{\"0\": [\"variables.f\"]}}\r\n--{boundary}\r\nContent-Disposition: "
               f"form-data; name=\"0\"; filename=\"big.txt\"\r\n"
               f"Content-Type: text/plain\r\n\r\n").encode()
        block = b"b" * (1 << 20)
        for _ in range(limit // len(block) + 2):
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    response = gql.http.post("/graphql", content=body(), headers={
        "authorization": f"Bearer {token}",
        "content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert gql.data(LIST, {"first": 5}, token=token)["documents"]["edges"] == []
    assert not any((Path(server.settings.data_dir) / "documents" / "tmp").glob("*"))


def test_the_type_is_decided_by_content_and_unreadable_files_are_refused(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for content, name, words in (
        (png, "report.pdf", "PNG image"),
        (b"MZ\x90\x00" + b"\x00" * 60, "notes.txt", "program"),
        (bytes(range(256)) * 4, "data.csv", "binary"),
        (b"", "empty.txt", "empty"),
        (b"   \n\n ", "blank.txt", "empty"),
    ):
        body = upload(gql.http, token, content, name).json()
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", name
        assert error["extensions"]["field"] == "file"
        assert words in error["message"], error["message"]
    # Nothing half-written: no rows, no files, no temporary files.
    assert gql.data(LIST, {"first": 5}, token=token)["documents"]["edges"] == []
    root = Path(server.settings.data_dir) / "documents"
    assert not [p for p in root.rglob("*") if p.is_file()]
    # A path in the name is only a name.
    document = uploaded(gql.http, token, b"just some text here", "../../etc/passwd")
    assert document["filename"] == "passwd"
    assert not (root.parent.parent / "etc").exists()
    # No token, no upload.
    anonymous = upload(gql.http, None, b"hello there", "a.txt").json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_damaged_pdf_fails_with_its_reason_and_leaves_other_documents_alone(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    good = uploaded(gql.http, token, make_pdf(CONTRACT), "contract.pdf")
    assert ingested(gql, token, good["id"])["status"] == "READY"
    broken = make_pdf(["Half a document"])[:-120] + b"garbage\x00\x01" * 10
    bad = uploaded(gql.http, token, b"%PDF-1.7\n" + b"\x13\x37 not really a pdf" * 20,
                   "broken.pdf")
    truncated = uploaded(gql.http, token, broken, "truncated.pdf")
    failed = ingested(gql, token, bad["id"])
    assert failed["status"] == "FAILED"
    assert "damaged" in failed["error"]
    assert failed["job"]["state"] == "SUCCEEDED"  # not retried: retrying cannot repair it
    # pypdf recovers what it can from a cut-off file; either way it ends READY or FAILED.
    assert ingested(gql, token, truncated["id"])["status"] in ("READY", "FAILED")
    again = ingested(gql, token, good["id"])
    assert again["status"] == "READY"
    assert again["chunkCount"] >= 3
    assert search(gql, token, "Globex")[0]["document"]["id"] == good["id"]


def test_a_pdf_without_a_text_layer_is_ready_with_a_note_that_it_needs_ocr(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    document = uploaded(gql.http, token, make_pdf([None, None]), "scan.pdf")
    ready = ingested(gql, token, document["id"])
    assert ready["status"] == "READY"
    assert ready["pageCount"] == 2
    assert ready["chunkCount"] == 0
    assert "OCR" in ready["note"]


def test_a_member_sees_and_searches_only_their_own_documents(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    mine = uploaded(gql.http, token, make_pdf(CONTRACT), "contract.pdf")
    ingested(gql, token, mine["id"])
    member = make_member(gql, token)
    other = member["accessToken"]
    theirs = uploaded(gql.http, other, make_html("Diary", ["Globex called about the picnic."]),
                      "diary.html")
    ingested(gql, other, theirs["id"])

    assert gql.error(DOCUMENT, {"id": mine["id"]}, token=other)["extensions"]["code"] \
        == "NOT_FOUND"
    assert gql.error(DELETE, {"id": mine["id"]}, token=other)["extensions"]["code"] \
        == "NOT_FOUND"
    listed = gql.data(LIST, {"first": 10}, token=other)["documents"]["edges"]
    assert [e["node"]["id"] for e in listed] == [theirs["id"]]
    hits = search(gql, other, "Globex")
    assert {h["document"]["id"] for h in hits} == {theirs["id"]}
    assert search(gql, other, "Globex", ids=[mine["id"]]) == []
    assert search(gql, other, "terminashun notise") == []
    # Administrators too see only their own documents.
    assert {h["document"]["id"] for h in search(gql, token, "Globex")} == {mine["id"]}
    response = gql.http.get(f"/api/documents/{mine['id']}/file",
                            headers={"authorization": f"Bearer {other}"})
    assert response.status_code == 404
    assert gql.data(DOCUMENT, {"id": mine["id"]}, token=token)["document"]["status"] == "READY"


def test_delete_removes_the_file_the_passages_and_the_vectors(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token, owner = admin["accessToken"], int(admin["user"]["id"])
    document = uploaded(gql.http, token, make_pdf(CONTRACT), "contract.pdf")
    ingested(gql, token, document["id"])
    document_id = int(document["id"])
    vectors = server.services.vectors
    assert server.call(vectors.count(owner, document_id)) >= 3
    assert chunk_count(server, document_id) >= 3
    path = file_path(server, document["sha256"])
    assert path.exists()

    assert gql.data(DELETE, {"id": document["id"]}, token=token)["deleteDocument"] is True
    assert server.call(vectors.count(owner, document_id)) == 0
    assert chunk_count(server, document_id) == 0
    assert not path.exists()
    assert search(gql, token, "Globex") == []
    assert search(gql, token, "terminashun notise") == []
    assert gql.error(DOCUMENT, {"id": document["id"]}, token=token)["extensions"]["code"] \
        == "NOT_FOUND"


def test_the_download_route_serves_the_original_to_its_owner(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    html = make_html("Boiler", ["<b>hi</b>"])
    document = uploaded(gql.http, token, html, "Heizung Anleitung (neu).html")
    url = document["downloadUrl"]
    assert url == f"/api/documents/{document['id']}/file"
    assert gql.http.get(url).status_code == 401
    assert gql.http.get(url, headers={"authorization": "Bearer nope"}).status_code == 401
    response = gql.http.get(url, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.content == html
    assert response.headers["content-type"].startswith("text/html")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")  # never rendered on our origin
    assert "Heizung" in disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    for bad in ("0", "abc", "99999"):
        assert gql.http.get(f"/api/documents/{bad}/file",
                            headers={"authorization": f"Bearer {token}"}).status_code == 404


def test_documents_page_filters_and_updates(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    a = uploaded(gql.http, token, b"alpha text one", "alpha.txt", tags=["home"])
    b = uploaded(gql.http, token, b"beta text two", "beta.txt", tags=["work", "urgent"])
    c = uploaded(gql.http, token, b"gamma text three", "gamma.txt", title="Gamma report")

    def ids(**variables: Any) -> list[str]:
        edges = gql.data(LIST, variables, token=token)["documents"]["edges"]
        return [e["node"]["id"] for e in edges]

    assert ids(first=10) == [c["id"], b["id"], a["id"]]
    page = gql.data(LIST, {"first": 2}, token=token)["documents"]
    assert page["pageInfo"]["hasNextPage"]
    assert ids(first=2, after=page["pageInfo"]["endCursor"]) == [a["id"]]
    assert ids(first=10, filter={"tag": "urgent"}) == [b["id"]]
    assert ids(first=10, filter={"tag": "urg"}) == []
    assert ids(first=10, filter={"search": "REPORT"}) == [c["id"]]
    assert ids(first=10, filter={"search": "alpha.t"}) == [a["id"]]
    for document in (a, b, c):
        ingested(gql, token, document["id"])
    assert ids(first=10, filter={"status": "READY"}) == [c["id"], b["id"], a["id"]]
    updated = gql.data("""mutation($id: ID!) { updateDocument(id: $id, title: "Alpha",
        tags: ["Home", "family"]) { title tags } }""", {"id": a["id"]}, token=token)
    assert updated["updateDocument"] == {"title": "Alpha", "tags": ["home", "family"]}
    assert ids(first=10, filter={"tag": "family"}) == [a["id"]]
    assert gql.error(LIST, {"first": 101}, token=token)["extensions"]["code"] == "BAD_USER_INPUT"
    bad_tags = upload(gql.http, token, b"x y z", "t.txt", tags=["a|b"]).json()
    assert bad_tags["errors"][0]["extensions"]["field"] == "tags"


def test_a_page_of_documents_costs_the_same_statements_whatever_its_size(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    from ai_service.core.db import count_statements

    token = admin["accessToken"]
    for i in range(12):
        uploaded(gql.http, token, f"note number {i} about item {i * 7}".encode(), f"n{i}.txt")
    query = """query($n: Int!) { documents(first: $n) { edges { node {
        id title status tags job { id state owner { email } } } } } }"""
    counts = []
    for size in (2, 12):
        with count_statements() as counter:
            edges = gql.data(query, {"n": size}, token=token)["documents"]["edges"]
        assert len(edges) == size
        assert all(e["node"]["job"]["owner"]["email"] for e in edges)
        counts.append(counter.count)
    # Authentication, the page, one batch of jobs and one of their owners.
    assert counts == [4, 4]


def test_reindex_is_for_administrators_and_ingests_everything_again(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    document = uploaded(gql.http, token, make_pdf(CONTRACT), "contract.pdf")
    first_job = ingested(gql, token, document["id"])["job"]["id"]
    member = make_member(gql, token)
    theirs = uploaded(gql.http, member["accessToken"], b"member notes on gardening",
                      "garden.txt")
    ingested(gql, member["accessToken"], theirs["id"])
    # Searched once before: in local mode the collection is now in memory, and must follow.
    assert search(gql, token, "terminashun notise")[0]["page"] == 3
    reindex = "mutation { reindexDocuments }"
    assert gql.error(reindex, token=member["accessToken"])["extensions"]["code"] == "FORBIDDEN"
    assert gql.data(reindex, token=token)["reindexDocuments"] == 2
    again = ingested(gql, token, document["id"])
    assert again["job"]["id"] != first_job
    assert again["status"] == "READY"
    # Still one set of vectors per passage: a retried or repeated ingestion overwrites.
    owner = int(admin["user"]["id"])
    assert server.call(server.services.vectors.count(owner, int(document["id"]))) \
        == again["chunkCount"]
    assert search(gql, token, "Globex")[0]["page"] == 1
    found = nearest(server, owner, "terminashun notise")
    assert found
    assert found == nearest(server, owner, "terminashun notise", through_qdrant=True)


def test_search_input_is_checked(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    for variables, field in (({"q": "  "}, "query"), ({"q": "x" * 2001}, "query"),
                             ({"q": "ok", "limit": 0}, "limit"),
                             ({"q": "ok", "limit": 51}, "limit"),
                             ({"q": "ok", "ids": ["zero"]}, "documentIds")):
        error = gql.error(SEARCH, variables, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert gql.error(SEARCH, {"q": "x"})["extensions"]["code"] == "UNAUTHENTICATED"
    # Search syntax in a query is just words.
    assert search(gql, token, 'NEAR("a" b) OR * AND -x ^ :') == []


@pytest.fixture(autouse=True)
def _no_http_leaks() -> None:
    httpx.Client  # noqa: B018 - imported for the chunked upload helper's types


def test_keyword_search_ranks_the_owners_passages_whoever_else_matches(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    """On SQLite the owner's best matches are looked for among everyone's best first; the
    answer must be the one ranking all matches gives, whichever owner's passages lead."""
    from ai_service.core.db import connection, dialect
    from ai_service.documents import keyword
    from ai_service.documents.models import Document, DocumentChunk, DocumentStatus

    mine = int(admin["user"]["id"])
    theirs = int(make_member(gql, admin["accessToken"])["user"]["id"])
    filler = ["river", "stone", "meadow", "lantern", "harbour", "orchard"]

    async def seed() -> dict[int, list[int]]:
        documents: dict[int, list[int]] = {}
        for owner, count, strong in ((mine, 60, 2), (theirs, 300, 5)):
            ids = []
            for d in range(2):
                document = await Document.create(
                    owner_id=owner, title=f"d{d}", filename="d.txt", mime_type="text/plain",
                    size_bytes=0, sha256=f"{owner:032d}{d:032d}", status=DocumentStatus.READY)
                ids.append(document.id)
                await DocumentChunk.bulk_create([DocumentChunk(
                    document_id=document.id, owner_id=owner, position=i, page=None,
                    text=" ".join(["zebra"] * (1 + i % strong) + ["quokka"] * (i % 3)
                                  + filler[i % 6:] + [f"w{i}"]))
                    for i in range(count // 2)])
            documents[owner] = ids
        return documents

    documents = server.call(seed())

    async def full_ranking(owner: int, query: str, limit: int,
                           document_ids: list[int] | None) -> list[tuple[int, int]]:
        """Every match ranked, then the owner's best (the plain query)."""
        extra = ""
        if document_ids is not None:
            extra = f" AND c.document_id IN ({', '.join('?' * len(document_ids))})"
        rows = await connection().execute_query_dict(
            "SELECT c.id, c.document_id FROM document_chunks_fts JOIN document_chunks c "
            "ON c.id = document_chunks_fts.rowid WHERE document_chunks_fts MATCH ? "
            f"AND c.owner_id = ?{extra} ORDER BY bm25(document_chunks_fts), c.id LIMIT ?",
            [" OR ".join(f'"{t}"' for t in keyword.terms(query)), owner,
             *(document_ids or ()), limit])
        return [(int(r["id"]), int(r["document_id"])) for r in rows]

    async def check() -> None:
        for owner in (mine, theirs):
            for query, limit, within in (("zebra", 30, None), ("zebra quokka", 10, None),
                                         ("quokka", 30, None), ("zebra", 5, "first"),
                                         ("w7 w8", 30, None), ("nothing", 30, None)):
                document_ids = documents[owner][:1] if within else None
                hits = await keyword.search(owner, query, limit, document_ids)
                assert {h.document_id for h in hits} <= set(document_ids or documents[owner])
                count = await DocumentChunk.filter(owner_id=owner).count()
                if query in ("zebra", "zebra quokka"):
                    assert len(hits) == min(limit, count // (2 if within else 1))
                if dialect() == "sqlite":
                    assert [(h.chunk_id, h.document_id) for h in hits] == \
                        await full_ranking(owner, query, limit, document_ids), (owner, query)
        # The other owner's document, asked for by id: nothing.
        assert await keyword.search(mine, "zebra", 30, documents[theirs]) == []

    server.call(check())
