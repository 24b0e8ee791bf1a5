"""CSV exports of any common bank layout, read without a mapping when the file itself says
enough, and refused with the question to answer when it does not.

How a file is read (each step can be overridden by a field of `ImportMapping`):
- text: the encoding from a byte-order mark, UTF-16, UTF-8, else cp1252/cp1250/cp1257;
  line ends of any kind;
- table: the delimiter that splits most lines alike; the header is the line of names just above
  the first line holding a date and an amount (a preamble above it is skipped); lines after the
  last such line are a footer;
- columns: the header's names (in the languages of Europe and the Americas, see `vocabulary`),
  checked against the values below them (a "date" column must hold dates); a file without a
  header, or whose names do not line up with its cells, is read by the values alone;
- conventions, decided from every value of the file: the decimal mark, the order of day and
  month, the sign (a signed amount, debit and credit columns, or an amount with a debit/credit
  mark), fees taken from the amount, the status of each row (booked, pending, or never
  happened), and, when the file holds several accounts or currencies, which one is the
  account's. A running-balance column, when there is one, confirms the sign, the decimal mark
  and the fees;
- rows: a line that states a balance, or continues the text of the line above, is not a
  transaction; a line whose date or amount cannot be read is an error with its line number.

Where a convention cannot be told from the file, `BadUserInput` names the `mapping.*` field that
settles it.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import (
    AmountSign,
    ColumnRole,
    DetectedColumn,
    DetectedMapping,
    ImportMapping,
    ImportTarget,
    ParsedFile,
    ParsedTransaction,
    StatementBalance,
    numbers,
    too_many_rows,
    vocabulary,
)
from ai_service.finance.imports.dates import AmbiguousDates, DateReader, reader, written
from ai_service.finance.imports.statements import choose_account
from ai_service.finance.imports.table import Table, read_table
from ai_service.finance.imports.text import decode
from ai_service.finance.models import AccountType, ImportFormat, TransactionStatus

_R = ColumnRole
_MONEY = (_R.AMOUNT, _R.DEBIT, _R.CREDIT, _R.FEE, _R.BALANCE)
_SAMPLE = 2000  # rows profiled to tell the columns apart (decisions use every row)
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAPPED = {  # ImportMapping field -> role, and the name a person knows it by
    "date": _R.DATE, "value_date": _R.VALUE_DATE, "amount": _R.AMOUNT, "debit": _R.DEBIT,
    "credit": _R.CREDIT, "indicator": _R.INDICATOR, "fee": _R.FEE, "balance": _R.BALANCE,
    "currency": _R.CURRENCY, "description": _R.DESCRIPTION, "counterparty": _R.COUNTERPARTY,
    "counterparty_iban": _R.COUNTERPARTY_IBAN, "reference": _R.REFERENCE, "status": _R.STATUS,
}
_API_NAMES = {"value_date": "valueDate", "counterparty_iban": "counterpartyIban"}
CARD_MAJORITY = 2 / 3  # a card file with this share of one sign writes purchases with it
CARD_MIN_ROWS = 3  # ... when it has at least this many lines; fewer say nothing


@dataclass
class _Profile:
    index: int
    name: str
    filled: int = 0
    dates: int = 0
    numbers: int = 0
    negatives: int = 0
    ibans: int = 0
    codes: int = 0
    text: int = 0  # characters, to find the longest text column
    values: Counter[str] = field(default_factory=Counter)

    def share(self, count: int) -> float:
        return count / self.filled if self.filled else 0.0

    def mostly(self, count: int) -> bool:
        """Most values are of a kind: four in five, or all but one of a few."""
        return self.share(count) >= 0.8 or (self.filled >= 2 and self.filled - count <= 1)


@dataclass
class _Plan:
    roles: dict[ColumnRole, int]
    other_dates: list[int]
    mark: str = numbers.POINT
    dates: DateReader = field(default_factory=lambda: DateReader(None))
    sign: AmountSign = AmountSign.NORMAL
    subtract_fee: bool = False
    status: dict[str, TransactionStatus | None] = field(default_factory=dict)
    account: str | None = None  # the own-account value whose rows are read
    accounts: tuple[str, ...] = ()
    unmarked: int | None = None  # the sign of a blank debit/credit mark, when only one is used
    chain: _Chain | None = None  # how the running balance follows, when it was confirmed


def parse_csv(data: bytes, mapping: ImportMapping, target: ImportTarget) -> ParsedFile:
    text, encoding = decode(data, mapping.encoding)
    if "\x00" in text[:4096]:
        raise BadUserInput("This is not a CSV file", field="file")
    table = read_table(text, mapping.delimiter, mapping.header_row)
    too_many_rows(len(table.rows))  # before a row object is made
    parsed = ParsedFile()
    if table.preamble:
        parsed.note(f"The {table.preamble} line(s) above the "
                    f"{'header' if table.header_line else 'first transaction'} were skipped.")
    if table.footer:
        parsed.note(f"The {table.footer} line(s) after the last transaction were skipped.")
    try:
        plan = _plan(table, mapping, target, parsed)
    except BadUserInput as exc:  # the columns, for a person to name the right one
        exc.extensions["columns"] = table.header
        raise
    _read_rows(table, plan, parsed)
    parsed.mapping = DetectedMapping(
        format=ImportFormat.CSV, encoding=encoding, delimiter=table.delimiter,
        header_row=table.header_line or 0,
        columns=tuple(_detected(table, plan)), date_format=plan.dates.describe,
        decimal_comma=plan.mark == numbers.COMMA,
        amount_sign=plan.sign if _R.AMOUNT in plan.roles else None,
        account=plan.account, accounts=plan.accounts)
    return parsed


# --------------------------------------------------------------------------- columns


def _profiles(table: Table) -> list[_Profile]:
    profiles = [_Profile(i, name) for i, name in enumerate(table.header)]
    rows = table.rows if len(table.rows) <= _SAMPLE else (
        table.rows[:_SAMPLE - 200] + table.rows[-200:])
    for _, cells in rows:
        for profile, cell in zip(profiles, cells, strict=False):
            value = cell.strip()
            if not value:
                continue
            profile.filled += 1
            profile.text += len(value)
            if len(profile.values) < 64 or value in profile.values:
                profile.values[value] += 1
            if written(value) is not None:
                profile.dates += 1
            reading = numbers.read(value)
            if reading is not None and any(ch.isdigit() for ch in value):
                profile.numbers += 1
                profile.negatives += reading.negative
            if _IBAN.fullmatch(value.replace(" ", "")):
                profile.ibans += 1
            if _CURRENCY.fullmatch(value):
                profile.codes += 1
    return profiles


def _fits(role: ColumnRole, profile: _Profile) -> bool:
    """Whether the values below a header can have the role its name suggests."""
    if not profile.filled:
        return role not in (_R.DATE, _R.AMOUNT)
    if role in (_R.DATE, _R.VALUE_DATE):  # a card export may write "Pending" for the date
        pending = sum(n for v, n in profile.values.items() if _status_of(v) is not None)
        return profile.mostly(profile.dates + pending)
    if role in _MONEY:
        return profile.mostly(profile.numbers) and profile.share(profile.dates) < 0.5
    if role is _R.INDICATOR:
        return _all_marks(profile)
    if role is _R.STATUS:
        return any(_status_of(v) is not None or vocabulary.normalise(v) in vocabulary.BOOKED
                   for v in profile.values)
    if role is _R.CURRENCY:
        return profile.share(profile.codes) >= 0.9
    if role in (_R.DESCRIPTION, _R.COUNTERPARTY):
        return profile.share(profile.numbers) < 0.9 and profile.share(profile.dates) < 0.5
    return True


def _all_marks(profile: _Profile) -> bool:
    marks = vocabulary.DEBIT_MARKS | vocabulary.CREDIT_MARKS
    return bool(profile.values) and all(vocabulary.normalise(v) in marks or v.strip() in "+-"
                                        for v in profile.values)


def _plan(table: Table, mapping: ImportMapping, target: ImportTarget,
          parsed: ParsedFile) -> _Plan:
    profiles = _profiles(table)
    roles: dict[ColumnRole, int] = {}
    by_name = {name.lower(): i for i, name in enumerate(table.header)}
    for attribute, role in _MAPPED.items():  # a person's word first
        name = getattr(mapping, attribute)
        if name:
            if name.strip().lower() not in by_name:
                raise BadUserInput(
                    f"The file has no column {name!r} (its columns: "
                    f"{', '.join(table.header)[:300]})",
                    field=f"mapping.{_API_NAMES.get(attribute, attribute)}")
            roles[role] = by_name[name.strip().lower()]
    taken = set(roles.values())
    other_dates: list[int] = []
    if table.header_line is not None:
        _roles_from_names(table, profiles, roles, taken, other_dates, target)
    _roles_from_values(table, profiles, roles, taken, other_dates)
    if _R.DATE not in roles and _R.VALUE_DATE in roles:  # the only date the file gives
        roles[_R.DATE] = roles.pop(_R.VALUE_DATE)
        parsed.note("The file gives only value dates: they were read as booking dates.")
    if _R.DATE not in roles:
        raise BadUserInput("No column of dates was found: name it with mapping.date (columns: "
                           f"{', '.join(table.header)[:300]})", field="mapping.date")
    if not ({_R.AMOUNT, _R.DEBIT, _R.CREDIT} & roles.keys()):
        raise BadUserInput("No column of amounts was found: name it with mapping.amount, or "
                           "mapping.debit and mapping.credit (columns: "
                           f"{', '.join(table.header)[:300]})", field="mapping.amount")
    plan = _Plan(roles, other_dates)
    if _R.INDICATOR in roles:
        plan.unmarked = _unmarked(profiles[roles[_R.INDICATOR]])
    _decide_dates(table, plan, mapping)
    _decide_money(table, profiles, plan, mapping, target, parsed)
    _decide_status(profiles, plan, mapping)
    _decide_account(profiles, plan, mapping, target, parsed)
    return plan


def _roles_from_names(table: Table, profiles: list[_Profile], roles: dict[ColumnRole, int],
                      taken: set[int], other_dates: list[int], target: ImportTarget) -> None:
    claims: dict[ColumnRole, list[_Profile]] = {}
    for profile in profiles:
        if profile.index in taken:
            continue
        for role in vocabulary.roles(profile.name):
            if _fits(role, profile):
                claims.setdefault(role, []).append(profile)
                break
    for role, claimants in claims.items():
        if role in roles:
            continue
        best = _preferred(role, claimants, target)
        roles[role] = best.index
        taken.add(best.index)
        if role is _R.DATE:
            other_dates.extend(p.index for p in claimants if p is not best)
    # An IBAN column holding one value is the account's own, not the counterparty's.
    iban = roles.get(_R.COUNTERPARTY_IBAN)
    if iban is not None and _R.ACCOUNT not in roles and _one_value_everywhere(
            profiles[iban], len(table.rows)):
        roles[_R.ACCOUNT] = roles.pop(_R.COUNTERPARTY_IBAN)


def _one_value_everywhere(profile: _Profile, rows: int) -> bool:
    """The same value on (nearly) every line: the account's own, not a counterparty's."""
    return len(profile.values) == 1 and profile.filled > 1 and profile.filled >= 0.9 * min(
        rows, _SAMPLE)


def _preferred(role: ColumnRole, claimants: list[_Profile], target: ImportTarget) -> _Profile:
    """When several columns claim a role: the net amount over the gross, the column in the
    account's currency over others, else the first."""
    if len(claimants) == 1:
        return claimants[0]
    if role is _R.DATE:
        booking = [p for p in claimants if vocabulary.BOOKING_WORDS.search(
            vocabulary.normalise(p.name))]
        return booking[0] if booking else claimants[0]
    if role is _R.AMOUNT:
        for profile in claimants:
            name = vocabulary.normalise(profile.name)
            if name.startswith("net") or target.currency.lower() in name.split():
                return profile
        gross = [p for p in claimants if vocabulary.normalise(p.name).startswith("gross")]
        rest = [p for p in claimants if p not in gross]
        return rest[0] if rest else claimants[0]
    return claimants[0]


def _roles_from_values(table: Table, profiles: list[_Profile], roles: dict[ColumnRole, int],
                       taken: set[int], other_dates: list[int]) -> None:
    free = [p for p in profiles if p.index not in taken and p.filled]
    if _R.DATE not in roles:
        dated = [p for p in free if p.share(p.dates) >= 0.8 and p.filled >= 0.5 * len(
            table.rows)]
        if dated:
            roles[_R.DATE] = dated[0].index
            taken.add(dated[0].index)
            if len(dated) > 1 and _R.VALUE_DATE not in roles:
                roles[_R.VALUE_DATE] = dated[1].index
                taken.add(dated[1].index)
            other_dates.extend(p.index for p in dated[2:])
    free = [p for p in profiles if p.index not in taken and p.filled]
    if not ({_R.AMOUNT, _R.DEBIT, _R.CREDIT} & roles.keys()):
        money = [p for p in free if _fits(_R.AMOUNT, p) and not _is_identifier(p)]
        with_cents = [p for p in money if any(_has_fraction(v) for v in p.values)]
        if with_cents:  # whole numbers beside amounts with cents are codes or counts
            money = with_cents
        if table.header_line is not None and len(money) != 1:
            return  # named columns, none of them an amount: the person names it
        if len(money) == 1:
            roles[_R.AMOUNT] = money[0].index
        elif len(money) == 2 and _is_balance_of(table, money[1].index, money[0].index):
            roles[_R.AMOUNT], roles[_R.BALANCE] = money[0].index, money[1].index
        elif len(money) == 2 and _is_balance_of(table, money[0].index, money[1].index):
            roles[_R.AMOUNT], roles[_R.BALANCE] = money[1].index, money[0].index
        elif len(money) >= 2:
            raise BadUserInput(
                "The file has no header and several columns of numbers ("
                + ", ".join(p.name for p in money) + "): say which holds the amount with "
                "mapping.amount", field="mapping.amount")
        taken.update(roles.values())
    free = [p for p in profiles if p.index not in taken and p.filled]
    if _R.INDICATOR not in roles and _R.AMOUNT in roles and \
            not profiles[roles[_R.AMOUNT]].negatives:
        marks = [p for p in free if _all_marks(p) and p.share(p.numbers) < 1]
        if len(marks) == 1:
            roles[_R.INDICATOR] = marks[0].index
            taken.add(marks[0].index)
        elif len(marks) > 1:
            raise BadUserInput(
                "The amounts have no sign, and several columns could say which are money out ("
                + ", ".join(p.name for p in marks) + "): name it with mapping.indicator",
                field="mapping.indicator")
    if _R.CURRENCY not in roles:
        codes = [p for p in free if p.index not in taken and p.share(p.codes) >= 0.95]
        if len(codes) == 1:
            roles[_R.CURRENCY] = codes[0].index
            taken.add(codes[0].index)
    if _R.DESCRIPTION not in roles:
        texts = [p for p in profiles if p.index not in taken and p.filled
                 and p.share(p.numbers) < 0.5 and p.share(p.dates) < 0.5]
        if texts:
            longest = max(texts, key=lambda p: p.text)
            roles[_R.DESCRIPTION] = longest.index
            taken.add(longest.index)


def _is_identifier(profile: _Profile) -> bool:
    """Numbers that are no amounts: whole and unsigned, and either long (ids, account numbers,
    sequence numbers) or one value on every line (a record type)."""
    if profile.negatives:
        return False
    digits = [v for v in profile.values if v.isdigit()]
    return len(digits) == len(profile.values) and (
        all(len(v) >= 5 for v in digits) or (len(digits) == 1 and profile.filled > 1))


def _has_fraction(text: str) -> bool:
    reading = numbers.read(text)
    return reading is not None and any(
        value is not None and value != value.to_integral_value()
        for value in (reading.point, reading.comma))


def _is_balance_of(table: Table, balance: int, amount: int) -> bool:
    amounts, balances = [], []
    for _, cells in table.rows[:_SAMPLE]:
        a, b = _reading(cells, amount), _reading(cells, balance)
        if a is None or b is None:
            continue
        mark = numbers.COMMA if a.point is None else numbers.POINT
        try:
            amounts.append(numbers.amount(a, mark))
            balances.append(numbers.amount(b, mark))
        except ValueError:
            return False
    return _chain(amounts, balances) >= 0.9


def _reading(cells: Sequence[str], index: int | None) -> numbers.Reading | None:
    if index is None or index >= len(cells):
        return None
    return numbers.read(cells[index])


# --------------------------------------------------------------------------- conventions


def _cells(table: Table, index: int | None) -> list[str]:
    if index is None:
        return []
    return [cells[index] for _, cells in table.rows if index < len(cells) and cells[index]]


def _decide_dates(table: Table, plan: _Plan, mapping: ImportMapping) -> None:
    date_columns = [plan.roles[_R.DATE], plan.roles.get(_R.VALUE_DATE), *plan.other_dates]
    texts = [text for index in date_columns for text in _cells(table, index)]
    try:
        plan.dates = reader(texts, _cells(table, plan.roles[_R.DATE]), mapping.date_format)
    except AmbiguousDates as ambiguous:
        raise BadUserInput(
            f"The dates can be read day first or month first ({ambiguous.example!r} could be "
            "either) and nothing in the file tells which: say it with mapping.dateFormat "
            "(%d/%m/%Y for day first, %m/%d/%Y for month first)",
            field="mapping.dateFormat") from None


def _decide_money(table: Table, profiles: list[_Profile], plan: _Plan, mapping: ImportMapping,
                  target: ImportTarget, parsed: ParsedFile) -> None:
    roles = plan.roles
    money_texts = [t for role in _MONEY for t in _cells(table, roles.get(role))]
    marks: list[str]
    try:
        marks = [numbers.decimal_mark(money_texts, mapping.decimal_comma)]
    except numbers.AmbiguousDecimal as ambiguous:
        marks = [numbers.POINT, numbers.COMMA]
        example = ambiguous.example
    signs = [mapping.amount_sign] if mapping.amount_sign else [AmountSign.NORMAL,
                                                               AmountSign.INVERTED]
    if _R.AMOUNT not in roles or _R.INDICATOR in roles:
        signs = [AmountSign.NORMAL]
    fees = [True, False] if _R.FEE in roles and _R.AMOUNT in roles else [False]
    if fees[0] and vocabulary.normalise(table.header[roles[_R.AMOUNT]]).startswith("net"):
        fees = [False]  # a net amount has its fee taken already
    elif fees[0] and _fees_booked_apart(table, plan, marks[0]):
        fees = [False]
        parsed.note("The fees in the fee column are also lines of their own: they were not "
                    "taken from the amounts a second time.")
    if _R.BALANCE in roles:
        verified = _by_balance(table, plan, marks, signs, fees)
        if verified is not None:
            plan.mark, plan.sign, plan.subtract_fee, plan.chain = verified
            parsed.note("The amounts were checked against the file's running balance.")
            return
        parsed.note("The file's balance column does not follow its amounts, so it was not "
                    "used to check them.")
    if len(marks) > 1:
        raise BadUserInput(
            f"The amounts can be read with a decimal point or a decimal comma ({example!r} "
            "could be either): say which with mapping.decimalComma",
            field="mapping.decimalComma")
    plan.mark = marks[0]
    plan.subtract_fee = fees[0]
    if plan.subtract_fee:
        parsed.note("Fees in the fee column were taken from the amounts.")
    if len(signs) == 1:
        plan.sign = signs[0]
    else:
        plan.sign = _sign(table, plan, target, parsed)


def _sign(table: Table, plan: _Plan, target: ImportTarget, parsed: ParsedFile) -> AmountSign:
    """How a lone amount column signs money out, from what the file shows: debit or credit
    columns beside it, CR marks, or (for cards) which sign most lines have. An unsigned
    column that nothing explains is a question for the person."""
    readings = _nonzero(_cells(table, plan.roles[_R.AMOUNT]))
    if any(r.credit_mark is not None for r in readings):
        return AmountSign.INVERTED  # CR marks the payments in: unmarked lines are money out
    witnessed = _witnessed_sign(table, plan)
    if witnessed is not None:
        return witnessed
    positive = sum(1 for r in readings if not r.negative)
    if target.type is AccountType.CREDIT_CARD:
        return _card_sign(table, plan, readings, positive, parsed)
    if readings and positive == len(readings) and (
            table.header_line is None or _unread_marks(table, plan)):
        raise BadUserInput(
            "No amount in this file is negative and nothing says which are money out: say it "
            "with mapping.amountSign (INVERTED when the amounts are money out, NORMAL when "
            "they are money in), or name the column that marks them with mapping.indicator",
            field="mapping.amountSign")
    return AmountSign.NORMAL


def _nonzero(texts: list[str]) -> list[numbers.Reading]:
    """The amounts that are not zero, read once per distinct text."""
    read: dict[str, numbers.Reading | None] = {}
    for text in set(texts):
        quick = numbers.plain(text, numbers.POINT)
        read[text] = numbers.Reading(quick < 0, None, abs(quick), abs(quick)) \
            if quick is not None else numbers.read(text)
    return [r for r in (read[t] for t in texts) if r is not None and (r.point or r.comma)]


def _card_sign(table: Table, plan: _Plan, readings: list[numbers.Reading], positive: int,
               parsed: ParsedFile) -> AmountSign:
    """Card exports write purchases as negative or as positive numbers. The lines that pay the
    card off or refund a purchase say so in their text; the others are purchases, and most
    lines of a card statement are. Too little of either: the person is asked."""
    incoming = {True: 0, False: 0}  # lines that read as money in, by whether they are negative
    for _, cells in table.rows:
        reading = _reading(cells, plan.roles[_R.AMOUNT])
        text = " ".join(cells[i] for i in (plan.roles.get(_R.DESCRIPTION),
                                           plan.roles.get(_R.COUNTERPARTY))
                        if i is not None and i < len(cells))
        if reading is not None and vocabulary.CARD_CREDIT.search(text):
            incoming[reading.negative] += 1
    count = len(readings)
    if incoming[False] > incoming[True]:
        sign = AmountSign.NORMAL  # payments are positive: purchases negative
    elif incoming[True] > incoming[False]:
        sign = AmountSign.INVERTED
    elif count and positive in (0, count) and not any(incoming.values()):
        sign = AmountSign.INVERTED if positive else AmountSign.NORMAL  # purchases only
    elif count >= CARD_MIN_ROWS and positive >= CARD_MAJORITY * count:
        sign = AmountSign.INVERTED
    elif count >= CARD_MIN_ROWS and positive <= (1 - CARD_MAJORITY) * count:
        sign = AmountSign.NORMAL
    else:
        raise BadUserInput(
            "This card statement does not say whether its purchases are positive or negative "
            "numbers: say it with mapping.amountSign (INVERTED when purchases are positive, "
            "NORMAL when they are negative)", field="mapping.amountSign")
    if sign is AmountSign.INVERTED:
        parsed.note("This card statement writes purchases as positive numbers: they were read "
                    "as money out (set mapping.amountSign to NORMAL if that is wrong).")
    return sign


def _unread_marks(table: Table, plan: _Plan) -> list[str]:
    """Columns of a few short words this app did not read: one may mark money out."""
    taken = set(plan.roles.values())
    found = []
    for index, name in enumerate(table.header):
        if index in taken:
            continue
        cells = [c[index].strip() for _, c in table.rows[:_SAMPLE] if index < len(c)]
        words = set(cells) - {""}
        # A mark repeats: a few words over many lines (a short file says nothing).
        if 2 <= len(words) <= 3 and len(cells) >= 4 and len(words) <= len(cells) / 2 and all(
                len(w) <= 12 and numbers.read(w) is None and written(w) is None for w in words):
            found.append(name)
    return found


def _witnessed_sign(table: Table, plan: _Plan) -> AmountSign | None:
    """Debit and credit columns beside the amount say which way it goes on their lines."""
    roles = plan.roles
    if _R.DEBIT not in roles and _R.CREDIT not in roles:
        return None
    agree = disagree = 0
    for _, cells in table.rows:
        amount = _reading(cells, roles[_R.AMOUNT])
        if amount is None or not (amount.point or amount.comma):
            continue
        for role, outgoing in ((_R.DEBIT, True), (_R.CREDIT, False)):
            witness = _reading(cells, roles.get(role))
            if witness is not None and (witness.point or witness.comma):
                if amount.negative == outgoing:
                    agree += 1
                else:
                    disagree += 1
    if agree + disagree and max(agree, disagree) >= 0.9 * (agree + disagree):
        return AmountSign.NORMAL if agree > disagree else AmountSign.INVERTED
    return None


def _fees_booked_apart(table: Table, plan: _Plan, mark: str) -> bool:
    """Some exports repeat each fee as a line of its own: most fees then match a line's
    amount."""
    amounts: Counter[Decimal] = Counter()
    fees = []
    for _, cells in table.rows:
        amount, fee = _reading(cells, plan.roles[_R.AMOUNT]), _reading(cells, plan.roles[_R.FEE])
        try:
            if amount is not None:
                amounts[abs(numbers.amount(amount, mark))] += 1
            if fee is not None and (value := abs(numbers.amount(fee, mark))):
                fees.append(value)
        except ValueError:
            continue
    return bool(fees) and sum(1 for f in fees if amounts[f]) >= 0.5 * len(fees)


class _Chain(StrEnum):
    """How a running balance follows the lines: the balance after (or before) each line, the
    lines oldest (or newest) first."""

    AFTER_OLDEST = "after, oldest first"
    AFTER_NEWEST = "after, newest first"
    BEFORE_OLDEST = "before, oldest first"
    BEFORE_NEWEST = "before, newest first"


def _by_balance(table: Table, plan: _Plan, marks: list[str], signs: list[AmountSign],
                fees: list[bool]) -> tuple[str, AmountSign, bool, _Chain] | None:
    """The one reading of the amounts that the running balance confirms, if any. Which way
    the lines run is the dates' to say (a newest-first file read backwards with the sign
    turned would chain too)."""
    rates: dict[tuple[str, AmountSign, bool, _Chain], float] = {}
    order = _date_order(table, plan)
    for mark in marks:
        for sign in signs:
            for fee in fees:
                amounts, balances = [], []
                for _, cells in table.rows:
                    balance = _reading(cells, plan.roles[_R.BALANCE])
                    if balance is None:
                        continue
                    try:
                        value = _money(cells, plan, mark, sign, fee)
                        amounts.append(value)
                        balances.append(numbers.amount(balance, mark))
                    except ValueError:
                        continue
                for chain, rate in _chains(amounts, balances, order).items():
                    rates[(mark, sign, fee, chain)] = rate
    best = max(rates.values(), default=0.0)
    winners = [key for key, rate in rates.items() if rate == best]
    return winners[0] if best >= 0.9 and len(winners) == 1 else None


def _date_order(table: Table, plan: _Plan) -> str | None:
    """"oldest" or "newest" first, as the booking dates run; None when they do not say."""
    days = []
    for text in _cells(table, plan.roles[_R.DATE]):
        try:
            days.append(plan.dates.read(text))
        except ValueError:
            continue
    pairs = list(itertools.pairwise(days))
    if not pairs or all(a == b for a, b in pairs):
        return None
    if all(a <= b for a, b in pairs):
        return "oldest"
    if all(a >= b for a, b in pairs):
        return "newest"
    return None


def _chains(amounts: list[Decimal], balances: list[Decimal], order: str | None
            ) -> dict[_Chain, float]:
    """How often consecutive balances differ by the amount, for each way they may follow."""
    pairs = len(amounts) - 1
    if pairs < 2:
        return {}
    steps = range(1, len(amounts))
    counts = {
        _Chain.AFTER_OLDEST: sum(balances[i] == balances[i - 1] + amounts[i] for i in steps),
        _Chain.AFTER_NEWEST: sum(balances[i - 1] == balances[i] + amounts[i - 1] for i in steps),
        _Chain.BEFORE_OLDEST: sum(balances[i] == balances[i - 1] + amounts[i - 1] for i in steps),
        _Chain.BEFORE_NEWEST: sum(balances[i - 1] == balances[i] + amounts[i] for i in steps),
    }
    if order is not None:
        counts = {chain: n for chain, n in counts.items() if chain.value.endswith(order + " first")}
    return {chain: n / pairs for chain, n in counts.items()}


def _chain(amounts: list[Decimal], balances: list[Decimal]) -> float:
    """The best of the ways consecutive balances can follow the amounts."""
    return max(_chains(amounts, balances, None).values(), default=0.0)


def _status_of(value: str) -> TransactionStatus | None:
    word = vocabulary.normalise(value)
    if word in vocabulary.PENDING:
        return TransactionStatus.PENDING
    return None


def _decide_status(profiles: list[_Profile], plan: _Plan, mapping: ImportMapping) -> None:
    index = plan.roles.get(_R.STATUS)
    if index is None:
        return
    unknown = []
    for value in profiles[index].values:
        word = vocabulary.normalise(value)
        if word in vocabulary.PENDING:
            plan.status[word] = TransactionStatus.PENDING
        elif word in vocabulary.VOID:
            plan.status[word] = None
        elif word in vocabulary.BOOKED:
            plan.status[word] = TransactionStatus.BOOKED
        else:
            unknown.append(value)
    if unknown and len(profiles[index].values) > 1 and not mapping.status:
        # Known words beside unknown ones: the unknown ones cannot be taken for booked.
        raise BadUserInput(
            f"The {profiles[index].name} column says {', '.join(sorted(unknown))[:100]}, which "
            "this app cannot tell booked or pending: clear mapping.status to read every row as "
            "booked, or name another column", field="mapping.status")


def _decide_account(profiles: list[_Profile], plan: _Plan, mapping: ImportMapping,
                    target: ImportTarget, parsed: ParsedFile) -> None:
    index = plan.roles.get(_R.ACCOUNT)
    if index is not None:
        accounts = tuple(sorted({_account(v) for v in profiles[index].values if _account(v)}))
        plan.accounts = accounts
        if accounts:
            plan.account = choose_account(accounts, mapping, target)


def _account(value: str) -> str:
    """An account as written, without the stray quotes and spaces exports leave around it."""
    return value.strip().strip("\"'").strip()


# --------------------------------------------------------------------------- rows


def _money(cells: Sequence[str], plan: _Plan, mark: str, sign: AmountSign,
           subtract_fee: bool) -> Decimal:
    """The row's signed amount; ValueError when it has none that can be read."""
    roles = plan.roles
    if _R.AMOUNT in roles:
        at = roles[_R.AMOUNT]
        text = cells[at].strip() if at < len(cells) else ""
        quick = numbers.plain(text, mark)
        if quick is not None and len(roles.keys() & {_R.INDICATOR, _R.FEE}) == 0:
            return -quick if sign is AmountSign.INVERTED else quick
        reading = numbers.read(text)
        if reading is None:
            raise ValueError(f"{text[:30]!r} is not an amount" if text else "no amount")
        value = numbers.amount(reading, mark)
        if reading.credit_mark is not None:
            value = abs(value) if reading.credit_mark else -abs(value)
        elif _R.INDICATOR in roles:
            mark_at = roles[_R.INDICATOR]
            value = _indicated(abs(value), cells[mark_at] if mark_at < len(cells) else "",
                               plan.unmarked)
        elif sign is AmountSign.INVERTED:
            value = -value
        if subtract_fee:
            fee = _reading(cells, roles.get(_R.FEE))
            if fee is not None:
                value -= abs(numbers.amount(fee, mark))
        return value
    debit, credit = _reading(cells, roles.get(_R.DEBIT)), _reading(cells, roles.get(_R.CREDIT))
    if debit is None and credit is None:
        raise ValueError("no amount")
    value = Decimal(0)
    if credit is not None:
        value += abs(numbers.amount(credit, mark))
    if debit is not None:
        value -= abs(numbers.amount(debit, mark))
    return value


def _unmarked(profile: _Profile) -> int | None:
    """A column that marks only credits (CR) leaves the debits blank, and the other way
    round: the sign a blank mark has then."""
    words = {vocabulary.normalise(v) for v in profile.values}
    if words and words <= vocabulary.CREDIT_MARKS:
        return -1
    if words and words <= vocabulary.DEBIT_MARKS:
        return 1
    return None


def _indicated(value: Decimal, mark: str, unmarked: int | None) -> Decimal:
    word = vocabulary.normalise(mark)
    if word in vocabulary.DEBIT_MARKS or mark.strip() == "-":
        return -value
    if word in vocabulary.CREDIT_MARKS or mark.strip() == "+":
        return value
    if not word and unmarked is not None:
        return value * unmarked
    raise ValueError(f"{mark.strip()[:20]!r} is neither a debit nor a credit mark")


class _Row:
    """The cells of one line, by role (positions looked up once per file)."""

    __slots__ = ("cells", "positions")

    def __init__(self, positions: dict[ColumnRole, int]) -> None:
        self.positions = positions
        self.cells: list[str] = []

    def __call__(self, role: ColumnRole) -> str:
        at = self.positions.get(role)
        cells = self.cells
        return cells[at].strip() if at is not None and at < len(cells) else ""


def _read_rows(table: Table, plan: _Plan, parsed: ParsedFile) -> None:
    roles = plan.roles
    header = table.header
    row = _Row(roles)
    skipped: Counter[str] = Counter()
    undated: list[ParsedTransaction] = []
    days: dict[str, date] = {}
    statuses: dict[str, TransactionStatus | None] = {"": TransactionStatus.BOOKED}
    money_at = [roles[r] for r in (_R.AMOUNT, _R.DEBIT, _R.CREDIT) if r in roles]
    filter_account = plan.account is not None and len(plan.accounts) > 1
    has_status, has_currency = _R.STATUS in roles, _R.CURRENCY in roles

    def day(text: str) -> date:
        found = days.get(text)
        if found is None:
            found = days[text] = plan.dates.read(text)
        return found

    for line, cells in table.rows:
        row.cells = cells
        if filter_account and _account(row(_R.ACCOUNT)) != plan.account:
            skipped["of another account"] += 1
            continue
        currency = row(_R.CURRENCY).upper() or None if has_currency else None
        found: TransactionStatus | None = TransactionStatus.BOOKED
        if has_status:
            text = row(_R.STATUS)
            if text not in statuses:
                statuses[text] = plan.status.get(vocabulary.normalise(text),
                                                 TransactionStatus.BOOKED)
            found = statuses[text]
        if found is None:
            skipped["that never happened (declined, reverted or failed)"] += 1
            continue
        status = found
        description = row(_R.DESCRIPTION)
        booked = row(_R.DATE)
        if len(money_at) == 1:
            has_money = money_at[0] < len(cells) and bool(cells[money_at[0]].strip())
        else:
            has_money = any(at < len(cells) and cells[at].strip() for at in money_at)
        if description and vocabulary.BALANCE_ROW.search(description):
            skipped["that state a balance"] += 1
            continue
        if not has_money:
            if not booked and parsed.rows and description:  # the line above goes on
                parsed.rows[-1].description = f"{parsed.rows[-1].description} {description}"
                skipped["that continue the text of the line above"] += 1
            else:
                skipped["without an amount"] += 1
            continue
        if booked[:1].isalpha() and _status_of(booked) is TransactionStatus.PENDING:
            status, booked = TransactionStatus.PENDING, ""  # "Pending" where the date goes
        if not booked and status is TransactionStatus.PENDING:
            booked = next((cells[i].strip() for i in plan.other_dates if cells[i].strip()), "")
        try:
            amount = _money(cells, plan, plan.mark, plan.sign, plan.subtract_fee)
            if not booked:
                if status is not TransactionStatus.PENDING:
                    raise ValueError("no date")
                undated.append(_transaction(line, None, None, amount, row, currency, status,
                                            header))
                continue  # dated below, with the file's latest date
            booking = day(booked)
            value_text = row(_R.VALUE_DATE)
            value_date = day(value_text) if value_text and written(value_text) else None
        except ValueError as exc:
            parsed.reject(line, f"line {line}: {exc}")
            continue
        parsed.rows.append(_transaction(line, booking, value_date, amount, row, currency,
                                        status, header))
    if undated:
        latest = max((r.booking_date for r in parsed.rows), default=None)
        if latest is None:
            raise BadUserInput("The file's lines have no dates", field="mapping.date")
        for pending in undated:
            pending.booking_date = latest
        parsed.rows.extend(undated)
        parsed.note(f"{len(undated)} pending line(s) have no date: they were dated "
                    f"{latest.isoformat()}, the file's latest date, until the booked ones "
                    "replace them.")
    for why, count in skipped.items():
        parsed.skipped += count
        parsed.note(f"{count} line(s) {why} were left out.")
    pending_count = sum(r.status is TransactionStatus.PENDING for r in parsed.rows)
    if pending_count:
        parsed.note(f"{pending_count} pending transaction(s) will be stored as pending, and "
                    "replaced by the booked ones when a later export brings them.")
    parsed.closing = _closing(table, plan, parsed)
    if (codes := {r.currency for r in parsed.rows if r.currency}) and len(codes) == 1:
        parsed.currency = codes.pop()


def _closing(table: Table, plan: _Plan, parsed: ParsedFile) -> StatementBalance | None:
    """The balance after the newest line, when the balance column was confirmed: the last line
    of a file oldest first, the first of one newest first (a balance before each line gives
    none: the newest line's result is not written)."""
    if plan.chain not in (_Chain.AFTER_OLDEST, _Chain.AFTER_NEWEST):
        return None
    booked = {r.row for r in parsed.rows if r.status is TransactionStatus.BOOKED}
    lines = [(line, cells) for line, cells in table.rows if line in booked]
    if not lines:
        return None
    line, cells = lines[-1] if plan.chain is _Chain.AFTER_OLDEST else lines[0]
    reading = _reading(cells, plan.roles[_R.BALANCE])
    row = next(r for r in parsed.rows if r.row == line)
    try:
        return None if reading is None else StatementBalance(numbers.amount(reading, plan.mark),
                                                             row.booking_date)
    except ValueError:
        return None


def _transaction(line: int, booking: date | None, value_date: date | None, amount: Decimal,
                 row: _Row, currency: str | None, status: TransactionStatus,
                 header: list[str]) -> ParsedTransaction:
    return ParsedTransaction(
        row=line, booking_date=booking or date.min, value_date=value_date, amount=amount,
        description=row(_R.DESCRIPTION), currency=currency,
        counterparty_name=row(_R.COUNTERPARTY) or None,
        counterparty_iban=row(_R.COUNTERPARTY_IBAN).replace(" ", "") or None,
        reference=row(_R.REFERENCE) or None, provider_id=row(_R.ID) or None,
        status=status, raw={name: cell for name, cell in zip(header, row.cells, strict=False)
                            if cell})  # empty cells say nothing: not kept


def _detected(table: Table, plan: _Plan) -> list[DetectedColumn]:
    role_of = {index: role for role, index in plan.roles.items()}
    sample = table.rows[0][1] if table.rows else []
    return [DetectedColumn(i, name, role_of.get(i), sample[i].strip() if i < len(sample) else "")
            for i, name in enumerate(table.header)]
