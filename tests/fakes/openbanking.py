"""What the GoCardless and Enable Banking fakes share: the demo banks both serve
(fakes/bank_data.py), the user at the bank approving or rejecting consent, linked accounts,
and each bank's limit of successful calls per account, scope and rolling 24 hours."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request

from .bank_data import DemoAccount, DemoBank, DemoData, demo_data
from .recording import Journal, ProviderFake, record


class DemoBanks:
    """The demo data both bank fakes serve; a reset makes it afresh."""

    def __init__(self, journal: Journal) -> None:
        self._lock = journal.lock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._data = demo_data()

    @property
    def data(self) -> DemoData:
        with self._lock:
            return self._data

    def settle_pending(self) -> int:
        """Book every pending transaction, as the bank does days later (new id, new wording)."""
        with self._lock:
            return self._data.settle_pending()


@dataclass
class LinkedAccount:
    consent_id: str  # requisition or session id
    bank: DemoBank
    account: DemoAccount


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class BankFake(ProviderFake):
    """A bank API serving the demo banks. Tests script the user at the bank
    (`next_consent_outcome`) and lapse consents (`expire_consent`)."""

    def __init__(self, journal: Journal, banks: DemoBanks) -> None:
        self.banks = banks
        super().__init__(journal)

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self._accounts: dict[str, LinkedAccount] = {}  # id/uid -> account
            self._calls: dict[tuple[str, str], list[float]] = defaultdict(list)  # call times
            self._outcome = "approve"

    def next_consent_outcome(self, outcome: str) -> None:
        """What the user does at the bank next time: "approve" (the default) or "reject"."""
        if outcome not in ("approve", "reject"):
            raise ValueError("outcome is approve or reject")
        with self._lock:
            self._outcome = outcome

    def expire_consent(self, ref: str) -> None:
        raise NotImplementedError

    def take_outcome(self) -> str:
        with self._lock:
            outcome, self._outcome = self._outcome, "approve"
            return outcome

    def link_accounts(self, consent_id: str, bank: DemoBank) -> list[str]:
        ids = []
        with self._lock:
            for account in bank.accounts:
                account_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                            f"{self.name}:{consent_id}:{account.iban}"))
                self._accounts[account_id] = LinkedAccount(consent_id, bank, account)
                ids.append(account_id)
        return ids

    def linked(self, account_id: str) -> LinkedAccount | None:
        with self._lock:
            return self._accounts.get(account_id)

    def bank_call(self, account_id: str, scope: str, limit: int) -> tuple[bool, int, int]:
        """Count one call against the bank's limit per account, scope and rolling 24 hours:
        (allowed, remaining after it, seconds until the oldest counted call ages out)."""
        now = time.time()
        with self._lock:
            calls = [t for t in self._calls[(account_id, scope)] if t > now - 86400]
            if len(calls) >= limit:
                self._calls[(account_id, scope)] = calls
                return False, 0, int(calls[0] + 86400 - now) + 1
            calls.append(now)
            self._calls[(account_id, scope)] = calls
            return True, limit - len(calls), int(calls[0] + 86400 - now)

    async def browser(self, request: Request) -> None:
        """The user's browser at the bank: recorded, never failed by `fail_next`."""
        recorded = await record(self.name, request)
        with self._lock:
            self.journal.requests.append(recorded)
