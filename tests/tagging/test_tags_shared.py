"""Tags are one vocabulary: a document's tags are shared tags, whether set with the document's
own `tags` or through `tagEntity`, and both views stay in step."""

from __future__ import annotations

from typing import Any

from support.accounts import make_member
from support.docfiles import make_html, uploaded
from support.graphql_client import GraphQLClient

TAG = """mutation($t: ID!, $e: ID!) { tagEntity(tagId: $t, entityType: DOCUMENT, entityId: $e) }"""
UNTAG = """mutation($t: ID!, $e: ID!) { untagEntity(tagId: $t, entityType: DOCUMENT,
  entityId: $e) }"""
DOCUMENT = "query($id: ID!) { document(id: $id) { tags } }"
BY_TAG = """query($t: String!) { documents(first: 10, filter: {tag: $t}) {
  edges { node { id } } } }"""


def tag_ids(gql: GraphQLClient) -> dict[str, str]:
    return {t["name"]: t["id"] for t in gql.data("{ tags { id name } }")["tags"]}


def test_document_tags_are_shared_tags(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    token = admin["accessToken"]
    gql.token = token
    document = uploaded(gql.http, token, make_html("Lease", ["The rent is due monthly."]),
                        "lease.html", tags=["contracts", "Home"])
    assert document["tags"] == ["contracts", "home"]
    assert set(tag_ids(gql)) == {"contracts", "home"}

    # A tag made elsewhere (say, for transactions) lands on the document both ways.
    made = gql.data('mutation { createTag(name: "Household") { id } }')["createTag"]
    assert gql.data(TAG, {"t": made["id"], "e": document["id"]})["tagEntity"] is True
    assert gql.data(DOCUMENT, {"id": document["id"]})["document"]["tags"] == [
        "contracts", "home", "household"]
    [hit] = gql.data(BY_TAG, {"t": "household"})["documents"]["edges"]
    assert hit["node"]["id"] == document["id"]
    gql.data(UNTAG, {"t": tag_ids(gql)["contracts"], "e": document["id"]})
    assert gql.data(DOCUMENT, {"id": document["id"]})["document"]["tags"] == [
        "home", "household"]

    # The document's own field replaces its links; existing tags are reused by name.
    gql.data("""mutation($id: ID!) { updateDocument(id: $id, tags: ["household", "tax"]) {
      id } }""", {"id": document["id"]})
    ids = tag_ids(gql)
    assert set(ids) == {"contracts", "home", "Household", "tax"}  # tags outlive their uses
    assert gql.data(DOCUMENT, {"id": document["id"]})["document"]["tags"] == ["household",
                                                                               "tax"]
    assert gql.data(BY_TAG, {"t": "home"})["documents"]["edges"] == []

    # Only the owner tags their documents; a deleted document takes its links with it.
    member = make_member(gql, token)["accessToken"]
    own = gql.data('mutation { createTag(name: "mine") { id } }', token=member)["createTag"]
    error = gql.error(TAG, {"t": own["id"], "e": document["id"]}, token=member)
    assert error["extensions"]["code"] == "NOT_FOUND"
    gql.data("mutation($id: ID!) { deleteDocument(id: $id) }", {"id": document["id"]})
    error = gql.error(TAG, {"t": ids["tax"], "e": document["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"
