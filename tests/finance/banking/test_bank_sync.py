"""Bank sync end to end over GraphQL and the callback route, against the fake GoCardless and
Enable Banking APIs: link, first sync with the whole history, overlapping later syncs, pending
to booked, quotas and 429s, lapsed consents, reminders, failures, redirects, isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from fakes.bank_data import DemoTransaction
from fakes.server import FakeProviders
from support.accounts import make_member
from support.bank_sync import (
    CONNECT,
    DEMO_EB,
    DEMO_GC,
    DISCONNECT,
    INSTITUTIONS,
    SYNC,
    THRIFTY_GC,
    configure,
    connection,
    connections,
    db,
    db_count,
    follow_consent,
    link,
    sync,
    telegram_texts,
    wait_idle,
    wait_message,
)
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.waiting import wait_for

TRANSACTIONS = """query($a: [ID!]) { transactions(first: 100, filter: {accountIds: $a}) {
  edges { node { id bookingDate amount currency description counterpartyName status
    rawPayload account { name connection { id status } } } } } }"""


@pytest.fixture
def token(gql: GraphQLClient, admin: dict[str, Any], server: LiveServer,
          fake_providers: FakeProviders) -> str:
    gql.token = admin["accessToken"]
    configure(gql, server, fake_providers)
    return str(admin["accessToken"])


def demo_accounts(fake: FakeProviders, bank: str = DEMO_GC) -> dict[str, Any]:
    found = fake.bank_data.bank(bank)
    assert found is not None
    return {a.iban: a for a in found.accounts}


def account_ids(server: LiveServer, connection_id: str) -> dict[str, int]:
    from ai_service.finance.models import Account

    rows = db(server, Account.filter(bank_connection_id=int(connection_id)))
    return {str(r.iban): r.id for r in rows}


def provider_ref(server: LiveServer, connection_id: str) -> str:
    from ai_service.finance.bank_models import BankConnection

    row = db(server, BankConnection.get(id=int(connection_id)))
    return str(row.provider_ref)


@pytest.mark.parametrize(("provider", "institution"), [("GOCARDLESS", DEMO_GC),
                                                        ("ENABLE_BANKING", DEMO_EB)])
def test_link_sync_and_sync_again(server: LiveServer, gql: GraphQLClient, token: str,
                                  fake_providers: FakeProviders, provider: str,
                                  institution: str) -> None:
    banks = gql.data(INSTITUTIONS, {"p": provider, "c": "de"})["bankInstitutions"]
    assert institution in [b["id"] for b in banks]

    connection_id = link(gql, server, provider, institution)
    linked = connection(gql, connection_id)
    assert linked["status"] == "LINKED"
    assert linked["provider"] == provider
    assert linked["institutionName"] == "Demo Bank"
    assert linked["lastError"] is None
    expires = datetime.fromisoformat(linked["consentExpiresAt"])
    assert timedelta(days=179) < expires - datetime.now(UTC) <= timedelta(days=181)
    assert datetime.fromisoformat(linked["nextSyncAt"]) <= datetime.now(UTC) + timedelta(
        seconds=5)  # quota left: a sync may run now

    demo = demo_accounts(fake_providers)
    accounts = {a["iban"]: a for a in linked["accounts"]}
    assert set(accounts) == set(demo)
    ids = account_ids(server, connection_id)
    for iban, bank_account in demo.items():
        mine = accounts[iban]
        assert mine["currency"] == "EUR"
        assert mine["source"] == provider
        assert mine["name"] == bank_account.name  # from the account details
        assert Decimal(mine["balance"]) == bank_account.booked_balance()
        assert mine["lastSyncedAt"] is not None
        # The first sync takes the whole history the bank gives: every transaction, once.
        assert db_count(server, account_id=ids[iban]) == len(bank_account.transactions)
    pending = sum(1 for a in demo.values() for t in a.transactions if t.pending)
    assert pending
    assert db_count(server, owner_id=1, status="PENDING") == pending

    page = gql.data(TRANSACTIONS, {"a": [str(ids[next(iter(demo))])]})["transactions"]["edges"]
    node = page[0]["node"]
    assert isinstance(Decimal(node["amount"]), Decimal)
    assert node["currency"] == "EUR"
    assert node["rawPayload"]
    assert node["account"]["connection"] == {
        "id": connection_id, "status": "LINKED"}
    total = sum(len(a.transactions) for a in demo.values())
    wait_message(fake_providers, f"Demo Bank: {total} new transactions")

    # Nothing new at the bank: the overlapping window adds nothing.
    again = sync(gql, connection_id)
    assert again["state"] == "SUCCEEDED", again
    assert again["result"]["inserted"] == 0
    assert again["result"]["settled"] == 0
    assert db_count(server, owner_id=1) == total

    # One new booking: only it is added.
    current = next(a for a in demo.values() if a.product == "Current Account")
    today = fake_providers.bank_data.today
    current.transactions.append(DemoTransaction(
        id=str(uuid.uuid4()), booking_date=today, value_date=today, amount=Decimal("-42.10"),
        currency="EUR", description="Buchhandlung Walther König", counterparty="Walther König",
        counterparty_iban=None, end_to_end_id="E2E-NEW-1", card=False))
    third = sync(gql, connection_id)
    assert third["result"]["inserted"] == 1, third
    assert db_count(server, owner_id=1) == total + 1
    assert db_count(server, owner_id=1, description="Buchhandlung Walther König",
                    amount_units=-421000) == 1


@pytest.mark.parametrize(("provider", "institution"), [("GOCARDLESS", DEMO_GC),
                                                        ("ENABLE_BANKING", DEMO_EB)])
def test_pending_becomes_booked_without_duplicates(server: LiveServer, gql: GraphQLClient,
                                                   token: str, fake_providers: FakeProviders,
                                                   provider: str, institution: str) -> None:
    from ai_service.finance.models import Transaction

    connection_id = link(gql, server, provider, institution)
    total = db_count(server, owner_id=1)
    pending_ids = set(db(server, Transaction.filter(status="PENDING")
                            .values_list("id", flat=True)))
    assert len(pending_ids) >= 3

    settled = fake_providers.settle_pending()
    assert settled == len(pending_ids)
    result = sync(gql, connection_id)["result"]
    assert result["settled"] == settled, result
    assert result["inserted"] == 0, result
    assert db_count(server, owner_id=1) == total  # replaced, not added
    assert db_count(server, owner_id=1, status="PENDING") == 0
    rows = db(server, Transaction.filter(id__in=list(pending_ids)))
    assert {r.status.value for r in rows} == {"BOOKED"}  # the same rows, now booked
    assert all(r.description.endswith("Berlin") or "Berlin" in r.description for r in rows)

    # Idempotent: syncing again changes nothing.
    again = sync(gql, connection_id)["result"]
    assert again["settled"] == 0
    assert again["inserted"] == 0
    assert db_count(server, owner_id=1) == total

    # The daily totals behind the metrics followed the settled rows to their booked days.
    from ai_service.finance.models import DailyTotal

    everything = db(server, Transaction.filter(owner_id=1))
    days = db(server, DailyTotal.filter(owner_id=1))
    assert sum(d.income_units + d.expense_units for d in days) == sum(
        t.amount_units for t in everything)
    assert {(d.account_id, d.day) for d in days} == {(t.account_id, t.booking_date)
                                                     for t in everything}


def test_a_429_reschedules_and_shows_the_next_allowed_time(
        server: LiveServer, gql: GraphQLClient, token: str,
        fake_providers: FakeProviders) -> None:
    connection_id = link(gql, server)
    fake_providers.fail_next("gocardless", 429, retry_after=7200, path="/transactions/")
    job = sync(gql, connection_id)
    assert job["state"] == "SUCCEEDED", job  # rescheduled, not failed
    retry_at = datetime.fromisoformat(job["result"]["rescheduled"])
    assert timedelta(hours=1.9) < retry_at - datetime.now(UTC) < timedelta(hours=2.1)
    shown = connection(gql, connection_id)
    assert datetime.fromisoformat(shown["nextSyncAt"]) >= retry_at - timedelta(seconds=1)
    assert "next sync" in shown["lastError"]
    # The follow-up sync waits for that time; asking again returns it rather than a second one.
    follow = gql.data(SYNC, {"c": connection_id})["syncBankAccounts"]
    assert follow["state"] == "QUEUED"
    assert abs(datetime.fromisoformat(follow["runAt"]) - retry_at) < timedelta(seconds=2)
    assert gql.data(SYNC, {"c": connection_id})["syncBankAccounts"]["id"] == follow["id"]
    assert not any("failed" in t for t in telegram_texts(fake_providers))


def test_the_quota_planner_defers_instead_of_asking_the_bank(
        server: LiveServer, gql: GraphQLClient, token: str,
        fake_providers: FakeProviders) -> None:
    # Thrifty allows 2 transaction requests per account a day: the first sync and one more.
    connection_id = link(gql, server, institution=THRIFTY_GC)
    assert sync(gql, connection_id)["result"]["rescheduled"] is None
    asked = len([r for r in fake_providers.requests_to("gocardless")
                 if r.path.endswith("/transactions/")])
    job = sync(gql, connection_id)
    assert job["state"] == "SUCCEEDED"
    account = job["result"]["accounts"][0]
    assert "transactions" not in account["fetched"]
    assert "transactions" in account["deferred"]
    assert len([r for r in fake_providers.requests_to("gocardless")
                if r.path.endswith("/transactions/")]) == asked  # the bank was not asked
    later = datetime.fromisoformat(connection(gql, connection_id)["nextSyncAt"])
    assert later > datetime.now(UTC) + timedelta(hours=23)


def test_an_expired_consent_says_so_and_relinking_keeps_the_accounts(
        server: LiveServer, gql: GraphQLClient, token: str,
        fake_providers: FakeProviders) -> None:
    connection_id = link(gql, server)
    before = account_ids(server, connection_id)
    total = db_count(server, owner_id=1)
    fake_providers.expire_consent("gocardless", provider_ref(server, connection_id))

    job = sync(gql, connection_id)
    assert job["state"] == "SUCCEEDED", job
    assert job["result"]["status"] == "EXPIRED", job
    shown = connection(gql, connection_id)
    assert shown["status"] == "EXPIRED"
    assert shown["nextSyncAt"] is None
    assert "link the bank again" in shown["lastError"]
    message = wait_message(fake_providers, "Demo Bank: link the bank again")
    assert "has expired" in message
    error = gql.error(SYNC, {"c": connection_id})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"

    # The message's link starts a new consent at the same bank.
    relink = message.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert relink.startswith(server.url + "/api/bank/relink/")
    with httpx.Client(timeout=30) as browser:
        to_bank = browser.get(relink)
    assert to_bank.status_code == 303
    _back, location = follow_consent(server, to_bank.headers["location"])
    assert "bankStatus=LINKED" in location
    fresh = next(c for c in connections(gql) if c["id"] != connection_id)
    wait_for(lambda: connection(gql, fresh["id"])["lastSyncedAt"], timeout=60, what="sync")
    wait_idle(server)
    assert account_ids(server, fresh["id"]) == before  # the same accounts, adopted
    assert connection(gql, connection_id)["status"] == "REVOKED"
    assert db_count(server, owner_id=1) == total  # and no transaction twice
    with httpx.Client(timeout=30) as browser:
        forged = browser.get(relink[:-4] + "0000")
    assert forged.status_code == 404


def test_a_failure_is_reported_in_plain_words(server: LiveServer, gql: GraphQLClient,
                                              token: str, fake_providers: FakeProviders) -> None:
    connection_id = link(gql, server)
    fake_providers.expire_gocardless_tokens(refresh_too=True)
    fake_providers.fail_next("gocardless", 401, path="/token/new/")
    job = sync(gql, connection_id)
    assert job["state"] == "DEAD"
    reason = "GoCardless rejected the secret id and key; check them under Settings → Integrations"
    assert job["error"] == reason
    assert connection(gql, connection_id)["lastError"] == reason
    assert connection(gql, connection_id)["status"] == "LINKED"  # the consent itself is fine
    message = wait_message(fake_providers, "Bank sync failed: Demo Bank")
    assert reason in message


def test_reminders_before_the_consent_lapses(server: LiveServer, gql: GraphQLClient,
                                             token: str, fake_providers: FakeProviders) -> None:
    from ai_service.finance.bank_models import BankConnection

    connection_id = link(gql, server)
    banking = server.services.banking

    def expire_in(delta: timedelta) -> None:
        db(server, BankConnection.filter(id=int(connection_id)).update(
            consent_expires_at=datetime.now(UTC) + delta))

    assert server.call(banking.send_reminders()) == 0  # 180 days left
    expire_in(timedelta(days=6, hours=12))
    assert server.call(banking.send_reminders()) == 1
    message = wait_message(fake_providers, "Demo Bank: access ends in 7 days")
    assert "Link the bank again" in message
    assert "/api/bank/relink/" in message
    assert server.call(banking.send_reminders()) == 0  # once per threshold
    expire_in(timedelta(hours=20))
    assert server.call(banking.send_reminders()) == 1
    wait_message(fake_providers, "Demo Bank: access ends in 1 day")
    assert server.call(banking.send_reminders()) == 0


def test_rejected_consent_and_disconnect(server: LiveServer, gql: GraphQLClient, token: str,
                                         fake_providers: FakeProviders) -> None:
    fake_providers.next_consent_outcome("gocardless", "reject")
    started = gql.data(CONNECT, {"p": "GOCARDLESS", "i": DEMO_GC, "r": "/banks"})["connectBank"]
    _, location = follow_consent(server, started["url"])
    assert location.startswith("/banks?")
    assert "bankStatus=REJECTED" in location
    assert connection(gql, started["connection"]["id"])["status"] == "REJECTED"

    connection_id = link(gql, server)
    ref = provider_ref(server, connection_id)
    gone = gql.data(DISCONNECT, {"c": connection_id})["disconnectBank"]
    assert gone == {"id": connection_id, "status": "REVOKED", "lastError": None}
    deletes = [r for r in fake_providers.requests_to("gocardless")
               if r.method == "DELETE" and ref in r.path]
    assert deletes
    assert len(connection(gql, connection_id)["accounts"]) == 2  # the accounts stay
    assert gql.error(SYNC, {"c": connection_id})["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("redirect", [
    "https://evil.example/after", "//evil.example/after", "javascript:alert(1)",
    "/\\evil.example", "banking", "http://127.0.0.2:1/x", "/ok\nSet-Cookie: a=b"])
def test_open_redirects_are_refused(server: LiveServer, gql: GraphQLClient, token: str,
                                    redirect: str) -> None:
    error = gql.error(CONNECT, {"p": "GOCARDLESS", "i": DEMO_GC, "r": redirect})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "redirectUrl"


def test_same_origin_redirect_and_unknown_callbacks(server: LiveServer, gql: GraphQLClient,
                                                    token: str) -> None:
    started = gql.data(CONNECT, {"p": "GOCARDLESS", "i": DEMO_GC,
                                 "r": server.url + "/settings?x=1"})["connectBank"]
    _, location = follow_consent(server, started["url"])
    assert location.startswith(server.url + "/settings?x=1&bankConnection=")
    with httpx.Client(timeout=30) as browser:
        assert browser.get(server.url + "/api/bank/callback?ref=nope").status_code == 404
        assert browser.get(server.url + "/api/bank/callback").status_code == 404


def test_connections_are_the_owners_own(server: LiveServer, gql: GraphQLClient, token: str,
                                        admin: dict[str, Any]) -> None:
    connection_id = link(gql, server)
    member = make_member(gql, admin["accessToken"])["accessToken"]
    assert connections(gql, member) == []
    for query in (SYNC, DISCONNECT):
        error = gql.error(query, {"c": connection_id}, token=member)
        assert error["extensions"]["code"] == "NOT_FOUND"
    assert gql.data(TRANSACTIONS, {"a": None}, token=member)["transactions"]["edges"] == []
    assert connection(gql, connection_id)["status"] == "LINKED"


def test_the_schedule_syncs_every_linked_connection_once(
        server: LiveServer, gql: GraphQLClient, token: str) -> None:
    from ai_service.core.jobs.models import Job

    registry = server.services.registry
    assert ("bank.sync_all", timedelta(hours=12)) in registry.schedules  # twice a day
    assert ("bank.consent_reminders", timedelta(days=1)) in registry.schedules
    connection_id = link(gql, server)
    gql.data(DISCONNECT, {"c": link(gql, server, institution=THRIFTY_GC)})
    assert server.call(server.services.banking.sync_all()) == 1  # the revoked one is skipped
    assert server.call(server.services.banking.sync_all()) == 1
    # One sync per connection at a time: the second call found the first still queued (or,
    # had it finished already, queued the next one).
    active = db(server, Job.filter(kind="bank.sync", state__in=["QUEUED", "RUNNING"]).count())
    assert active <= 1
    wait_idle(server)
    assert connection(gql, connection_id)["lastError"] is None
