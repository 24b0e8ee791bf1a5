"""The contract of a bank provider, kept by GoCardless and Enable Banking alike (each through its
real client against its fake): what the bank sync relies on, whichever API is behind it. What
only one of them does is in test_banking_gocardless.py and test_banking_enablebanking.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ai_service.finance.banking import (
    BalanceKind,
    BankAuthFailed,
    BankRateLimited,
    BankUnavailable,
    ConsentExpired,
    ConsentStatus,
    TransactionStatus,
    current_balance,
    match_pending,
    plan_window,
)
from fakes.server import FakeProviders
from support.bank_providers import ENABLE_BANKING, GOCARDLESS, BankUnderTest
from support.processes import free_port


@pytest.fixture(params=[GOCARDLESS, ENABLE_BANKING], ids=lambda bank: bank.fake)
def bank(request: pytest.FixtureRequest) -> BankUnderTest:
    chosen: BankUnderTest = request.param
    return chosen


def test_institutions_of_a_country(bank: BankUnderTest, fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, _: httpx.AsyncClient) -> None:
        banks = {b.id: b for b in await provider.institutions("de")}
        assert set(banks) == {bank.demo, bank.thrifty}
        demo = banks[bank.demo]
        assert (demo.name, demo.bic, demo.max_consent_days) == ("Demo Bank", "DEMODEFF", 180)

    bank.run(fake_providers, scenario)


def test_consent_links_the_banks_accounts(bank: BankUnderTest,
                                          fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, http: httpx.AsyncClient) -> None:
        link = await provider.start_consent(bank.demo, bank.redirect, "user-7-a1b2")
        assert link.reference == "user-7-a1b2"
        consent = await provider.complete_consent(link.provider_ref,
                                                  bank.callback(await http.get(link.url)))
        assert consent.status is ConsentStatus.LINKED
        assert consent.institution_id == bank.demo
        assert len(consent.account_ids) == 2
        # The longest consent the bank allows.
        assert consent.consent_expires_at is not None
        days = (consent.consent_expires_at - datetime.now(UTC)).total_seconds() / 86400
        assert 179.9 < days <= 180

        accounts = await provider.accounts(consent)
        demo = fake_providers.bank_data.banks[0]
        assert [a.iban for a in accounts] == [a.iban for a in demo.accounts]
        assert accounts[0].owner_name == "Ada Lovelace"
        booked = current_balance(await provider.balances(accounts[0].provider_account_id))
        assert booked is not None
        assert booked.kind is BalanceKind.BOOKED
        assert booked.amount == demo.accounts[0].booked_balance()
        assert isinstance(booked.amount, Decimal)

    bank.run(fake_providers, scenario)


def test_transactions_keep_decimals_signs_and_counterparties(
        bank: BankUnderTest, fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, http: httpx.AsyncClient) -> None:
        _, [current, _savings] = await bank.linked(provider, http)
        institution = next(b for b in await provider.institutions("DE") if b.id == bank.demo)
        window = plan_window(today=fake_providers.bank_data.today, last_booked=None,
                             max_history_days=institution.max_history_days)
        fetched = await provider.transactions(current, window.date_from, window.date_to)
        demo = fake_providers.bank_data.banks[0].accounts[0].transactions
        assert len(fetched) == len(demo)
        assert sum(t.amount for t in fetched) == sum(t.amount for t in demo)
        assert all(isinstance(t.amount, Decimal) for t in fetched)
        assert len({t.provider_id for t in fetched}) == len(fetched)

        salary = next(t for t in fetched if t.description.startswith("Gehalt"))
        assert salary.amount == Decimal("2450.00")  # money in
        assert (salary.counterparty_name, salary.counterparty_iban) == (
            "ACME Software GmbH", "DE27100777770209299700")  # the debtor
        assert salary.reference  # the end-to-end id
        rent = next(t for t in fetched if t.description.startswith("Miete"))
        assert rent.amount == Decimal("-950.00")  # money out, signed by us
        assert (rent.counterparty_name, rent.counterparty_iban) == (
            "Hausverwaltung Berlin GmbH", "DE44500105175407324931")  # the creditor

        pending = [t for t in fetched if t.status is TransactionStatus.PENDING]
        assert len(pending) == sum(t.pending for t in demo) >= 3
        assert all(t.provider_id.startswith("h:") for t in pending)  # the bank gave no id
        again = await provider.transactions(current, window.date_from, window.date_to)
        assert [t.provider_id for t in again] == [t.provider_id for t in fetched]

    bank.run(fake_providers, scenario)


def test_pending_payments_are_matched_to_their_bookings(
        bank: BankUnderTest, fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, http: httpx.AsyncClient) -> None:
        _, [current, _] = await bank.linked(provider, http)
        today = fake_providers.bank_data.today
        first = await provider.transactions(current, today - timedelta(days=10), today)
        known = {t.provider_id for t in first}
        pending = [t for t in first if t.status is TransactionStatus.PENDING]
        assert fake_providers.settle_pending() == len(pending)

        later = await provider.transactions(current, today - timedelta(days=10), today)
        assert not [t for t in later if t.status is TransactionStatus.PENDING]
        new_booked = [t for t in later if t.provider_id not in known]
        matches = match_pending(pending, new_booked)
        assert len(matches) == len(pending) == len(new_booked)
        for m in matches:
            assert m.pending.amount == m.booked.amount
            assert m.pending.counterparty_name == m.booked.counterparty_name

    bank.run(fake_providers, scenario)


def test_a_cancelled_consent_is_rejected(bank: BankUnderTest,
                                         fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, http: httpx.AsyncClient) -> None:
        fake_providers.next_consent_outcome(bank.fake, "reject")
        link = await provider.start_consent(bank.thrifty, bank.redirect, "ref-no")
        params = bank.callback(await http.get(link.url))
        assert params["error"] == bank.cancelled
        consent = await provider.complete_consent(link.provider_ref, params)
        assert consent.status is ConsentStatus.REJECTED
        assert consent.account_ids == ()

    bank.run(fake_providers, scenario)


def test_an_expired_consent_says_to_link_again(bank: BankUnderTest,
                                               fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, http: httpx.AsyncClient) -> None:
        consent, [current, _] = await bank.linked(provider, http)
        fake_providers.expire_consent(bank.fake, consent)
        assert (await provider.consent(consent)).status is ConsentStatus.EXPIRED
        with pytest.raises(ConsentExpired) as caught:
            await provider.balances(current)
        assert caught.value.message == (f"{bank.label}: access to this bank has expired or was "
                                        "revoked; link the bank again to keep syncing")

    bank.run(fake_providers, scenario)


def test_a_revoked_consent_reads_nothing_more(bank: BankUnderTest,
                                              fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, http: httpx.AsyncClient) -> None:
        consent, [current, _] = await bank.linked(provider, http)
        await provider.revoke(consent)
        await provider.revoke(consent)  # already gone: fine
        with pytest.raises(ConsentExpired):
            await provider.transactions(current, None, None)

    bank.run(fake_providers, scenario)


def test_a_used_up_daily_limit_blocks_until_it_resets(bank: BankUnderTest,
                                                      fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, http: httpx.AsyncClient) -> None:
        _, [savings] = await bank.linked(provider, http, bank=bank.thrifty)
        await provider.balances(savings)
        await provider.balances(savings)  # Thrifty Savings allows two a day
        with pytest.raises(BankRateLimited) as caught:
            await provider.balances(savings)
        assert caught.value.retry_at > datetime.now(UTC) + timedelta(hours=23)
        sent = len(fake_providers.requests_to(bank.fake))
        with pytest.raises(BankRateLimited):  # remembered: the bank is not asked again
            await provider.balances(savings)
        assert len(fake_providers.requests_to(bank.fake)) == sent

    bank.run(fake_providers, scenario)


def test_failures_become_plain_typed_errors(bank: BankUnderTest,
                                            fake_providers: FakeProviders) -> None:
    async def wrong_secret(provider: Any, _: httpx.AsyncClient) -> None:
        with pytest.raises(BankAuthFailed) as caught:
            await provider.institutions("DE")
        assert caught.value.message == bank.auth_failed
        assert bank.wrong_secret not in caught.value.message

    bank.run(fake_providers, wrong_secret, secret=bank.wrong_secret)

    async def outages(provider: Any, _: httpx.AsyncClient) -> None:
        await provider.institutions("DE")  # signed in now (GoCardless holds a token)
        for status in (500, 503):
            fake_providers.fail_next(bank.fake, status)
            with pytest.raises(BankUnavailable) as unavailable:
                await provider.institutions("DE")
            assert unavailable.value.message == (f"{bank.label} is unavailable ({status}); the "
                                                 "next sync will try again")
        fake_providers.fail_next(bank.fake, 429, retry_after=30)
        with pytest.raises(BankRateLimited) as limited:
            await provider.institutions("DE")
        assert timedelta(seconds=25) < limited.value.retry_at - datetime.now(UTC) \
            <= timedelta(seconds=31)
        assert limited.value.code == "RATE_LIMITED"

    bank.run(fake_providers, outages)


def test_a_slow_api_is_unavailable(bank: BankUnderTest, fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, _: httpx.AsyncClient) -> None:
        fake_providers.delay(bank.fake, 2)
        with pytest.raises(BankUnavailable) as late:
            await provider.institutions("DE")
        assert late.value.message == (f"{bank.label} did not answer within 0.3s; the next sync "
                                      "will try again")

    bank.run(fake_providers, scenario, timeout=0.3)


def test_an_unreachable_api_is_unavailable(bank: BankUnderTest,
                                           fake_providers: FakeProviders) -> None:
    async def scenario(provider: Any, _: httpx.AsyncClient) -> None:
        with pytest.raises(BankUnavailable) as caught:
            await provider.institutions("DE")
        assert caught.value.message.startswith(f"{bank.label} could not be reached (127.0.0.1:")

    bank.run(fake_providers, scenario,
             environ={bank.url_variable: f"http://127.0.0.1:{free_port()}"})
