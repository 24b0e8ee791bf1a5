"""What statement files (OFX, camt, MT940, QIF) share: which of their accounts to read, and
whether their balances add up.

A file may hold several accounts, named as the file writes them (OFX ACCTID, camt IBAN or
Othr/Id, MT940 :25:, the QIF !Account name). `mapping.account` names one; without it, the
account whose IBAN the target account has; without that, a file of one account is read and a
file of several refused with the names to choose from. A name is compared without spaces and
case, and a name written `bank/number` also answers to its number alone, when that is unique.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ImportMapping, ImportTarget, ParsedFile
from ai_service.finance.models import TransactionStatus

_FIELD = "mapping.account"
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")


def _plain(name: str) -> str:
    return re.sub(r"\s+", "", name).upper()


def quoted(text: str, limit: int = 40) -> str:
    """A value of the file, quoted for a message: on one line, and short."""
    flat = " ".join(text.split())
    return f"'{flat[:limit]}…'" if len(flat) > limit else f"'{flat}'"


def shown(name: str) -> str:
    return name or "an account without a number"


def _listed(names: Sequence[str]) -> str:
    return ", ".join(shown(n) for n in names)


def choose_account(names: Sequence[str], mapping: ImportMapping, target: ImportTarget) -> str:
    """The one of `names` (distinct, in file order, at least one) to read."""
    if mapping.account is not None:
        return _named(names, mapping.account)
    if target.iban:
        matching = [n for n in names if _is_iban_of(n, target.iban)]
        if len(matching) == 1:
            return matching[0]
    if len(names) == 1:
        _check_iban(names[0], target)
        return names[0]
    raise BadUserInput(f"This file holds {len(names)} accounts ({_listed(names)}): choose one "
                       "with mapping.account", field=_FIELD, accounts=list(names))


def _is_iban_of(name: str, iban: str) -> bool:
    """The file's account is the IBAN, or the national account number it ends with
    (Sparkasse's 1234567890 is the end of DE.. 12030000 1234567890)."""
    plain, account = _plain(name), _plain(iban)
    if plain.startswith(account):
        return True
    number = plain.rsplit("/", 1)[-1].lstrip("0")
    return len(number) >= 6 and number.isdigit() and account.endswith(number)


def _named(names: Sequence[str], wanted: str) -> str:
    plain = _plain(wanted)
    exact = [n for n in names if _plain(n) == plain]
    if exact:
        return exact[0]
    by_number = [n for n in names if "/" in n and _plain(n.rsplit("/", 1)[1]) == plain]
    if len(by_number) == 1:
        return by_number[0]
    if by_number:
        raise BadUserInput(f"Account {wanted} is in this file {len(by_number)} times, at "
                           f"different banks ({_listed(by_number)}): set mapping.account to "
                           "one of these", field=_FIELD)
    what = f"account {shown(names[0])}" if len(names) == 1 else (
        f"{len(names)} accounts ({_listed(names)})")
    raise BadUserInput(f"This file holds no account {wanted}: it holds {what}. Correct "
                       "mapping.account, or leave it empty", field=_FIELD)


def _check_iban(name: str, target: ImportTarget) -> None:
    """A statement of another IBAN than the account's is refused: it is someone else's."""
    plain = _plain(name)
    if not target.iban or not _IBAN.match(plain) or plain.startswith(_plain(target.iban)):
        return
    raise BadUserInput(f"This statement is for account {name}, but this account's IBAN is "
                       f"{target.iban}: import it into the account it belongs to, or set "
                       f"mapping.account to {name} to import it here all the same",
                       field=_FIELD)


def check_balances(parsed: ParsedFile) -> None:
    """A note when the opening balance and the booked entries do not make the closing balance:
    entries may be missing (a file cut short, a statement left out of a series)."""
    if parsed.opening is None or parsed.closing is None or parsed.rejected:
        return
    booked = sum((r.amount for r in parsed.rows if r.status is TransactionStatus.BOOKED),
                 Decimal(0))
    reached = parsed.opening.amount + booked
    if reached != parsed.closing.amount:
        parsed.note(f"The balances of the file do not add up: the opening balance "
                    f"{parsed.opening.amount} and the booked entries ({booked}) make {reached}, "
                    f"but the closing balance is {parsed.closing.amount}: entries may be "
                    "missing from the file")
