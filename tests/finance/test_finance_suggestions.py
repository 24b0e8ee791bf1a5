"""AI category suggestions: proposed through the gateway (against the local fake of Claude),
checked, previewed against the history, accepted at once when confident, queued otherwise, and
turned into ordinary rules when accepted."""

from __future__ import annotations

from typing import Any

from fakes.anthropic import ANTHROPIC_KEY
from fakes.server import FakeProviders
from support.accounts import make_member
from support.finance import GERMAN_CSV, account, category_id, transactions, upload
from support.graphql_client import GraphQLClient

SUGGEST = """mutation($ids: [ID!]) { suggestCategories(transactionIds: $ids) { accepted queued
  skipped suggestions { id confidence rule matches reason status ruleId category { name }
  transaction { description } } } }"""
QUEUE = """query($s: SuggestionStatus) { categorySuggestions(status: $s) { id status matches
  rule category { name } transaction { description counterpartyName } } }"""


def configure_claude(gql: GraphQLClient) -> None:
    gql.data("""mutation($v: [IntegrationValueInput!]!) { setIntegration(provider: ANTHROPIC,
      values: $v) { configured } }""", {"v": [{"key": "apiKey", "value": ANTHROPIC_KEY}]})


def ids_by_description(gql: GraphQLClient) -> dict[str, str]:
    return {r["description"]: r["id"] for r in transactions(gql)}


def test_confident_suggestions_become_rules_and_the_rest_wait_for_review(
    gql: GraphQLClient, admin: dict[str, Any], fake_providers: FakeProviders,
) -> None:
    gql.token = admin["accessToken"]
    giro = account(gql)
    upload(gql, giro["id"], GERMAN_CSV)
    error = gql.error(SUGGEST, {})
    assert error["extensions"]["code"] == "INTEGRATION_NOT_CONFIGURED"
    configure_claude(gql)
    by_text = ids_by_description(gql)
    salary, rewe, netflix = by_text["Gehalt Januar"], by_text["Einkauf"], by_text["NETFLIX.COM abo"]
    fake_providers.reply("anthropic", {"suggestions": [
        {"transactionId": int(netflix), "categoryId": int(category_id(gql, "Subscriptions")),
         "confidence": 0.97, "field": "counterparty", "contains": "Netflix",
         "reason": "a streaming subscription"},
        {"transactionId": int(rewe), "categoryId": int(category_id(gql, "Shopping")),
         "confidence": 0.6, "field": "counterparty", "contains": "REWE"},
        {"transactionId": int(salary), "categoryId": 999_999, "confidence": 0.9,
         "field": "description", "contains": "Gehalt"},  # no such category
        {"transactionId": int(salary), "categoryId": int(category_id(gql, "Salary")),
         "confidence": 0.8, "field": "description", "contains": "wages"},  # not in the text
    ]})
    result = gql.data(SUGGEST, {})["suggestCategories"]
    assert (result["accepted"], result["queued"], result["skipped"]) == (1, 1, 2)

    [request] = fake_providers.requests_to("anthropic")
    prompt = request.json["messages"][0]["content"]
    assert '"name": "Subscriptions"' in prompt
    assert "NETFLIX.COM abo" in prompt
    assert "Never invent a category id" in request.json["system"]

    # The confident one is a rule now, and it categorised its transaction.
    rules = gql.data("{ rules { name conditions categoryId } }")["rules"]
    assert rules == [{"name": "AI: Netflix", "conditions": {"counterpartyContains": "Netflix"},
                      "categoryId": category_id(gql, "Subscriptions")}]
    assert transactions(gql, search="netflix")[0]["category"] == {"name": "Subscriptions"}

    # The unsure one waits, previewed against the history: two REWE payments match.
    [queued] = gql.data(QUEUE, {})["categorySuggestions"]
    assert queued["transaction"]["counterpartyName"] == "REWE Markt"
    assert (queued["matches"], queued["rule"]) == (2, {"counterpartyContains": "REWE"})
    groceries = category_id(gql, "Groceries")
    accepted = gql.data("""mutation($id: ID!, $c: ID) { acceptCategorySuggestion(id: $id,
      categoryId: $c) { status ruleId category { name } } }""", {"id": queued["id"],
                                                                  "c": groceries})
    assert accepted["acceptCategorySuggestion"]["status"] == "ACCEPTED"
    assert accepted["acceptCategorySuggestion"]["category"] == {"name": "Groceries"}
    assert {r["category"]["name"] for r in transactions(gql, search="einkauf")} == {"Groceries"}
    assert gql.data(QUEUE, {})["categorySuggestions"] == []
    again = gql.error("mutation($id: ID!) { rejectCategorySuggestion(id: $id) { id } }",
                      {"id": queued["id"]})
    assert again["extensions"]["code"] == "BAD_USER_INPUT"

    # Someone else sees none of it.
    member = make_member(gql, admin["accessToken"])["accessToken"]
    assert gql.data(QUEUE, {"s": "ACCEPTED"}, token=member)["categorySuggestions"] == []


def test_a_rejected_suggestion_leaves_the_transaction_alone(
    gql: GraphQLClient, admin: dict[str, Any], fake_providers: FakeProviders,
) -> None:
    gql.token = admin["accessToken"]
    giro = account(gql)
    upload(gql, giro["id"], GERMAN_CSV)
    configure_claude(gql)
    salary = ids_by_description(gql)["Gehalt Januar"]
    fake_providers.reply("anthropic", {"suggestions": [
        {"transactionId": int(salary), "categoryId": int(category_id(gql, "Refunds")),
         "confidence": 0.4, "field": "counterparty", "contains": "ACME"}]})
    result = gql.data(SUGGEST, {"ids": [salary]})["suggestCategories"]
    assert (result["accepted"], result["queued"]) == (0, 1)
    [suggestion] = result["suggestions"]
    rejected = gql.data("mutation($id: ID!) { rejectCategorySuggestion(id: $id) { status } }",
                        {"id": suggestion["id"]})
    assert rejected["rejectCategorySuggestion"]["status"] == "REJECTED"
    assert transactions(gql, search="gehalt")[0]["category"] is None
    assert gql.data("{ rules { id } }")["rules"] == []
    # Only the asked-for transaction went to the model.
    [request] = fake_providers.requests_to("anthropic")
    assert "Einkauf" not in request.json["messages"][0]["content"]
