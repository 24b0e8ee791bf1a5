"""A bank file into an account: read in its format (told from the file unless given), with
what the account remembers of how its files read, then ingested; the reading a person
confirmed is remembered for the account's next file when asked."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from ai_service.core.bulk import collector_paused
from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import (
    AmountSign,
    ImportMapping,
    ImportTarget,
    ParsedFile,
    parse_bytes,
)
from ai_service.finance.ingest import IngestReport, ingest
from ai_service.finance.inputs import ImportRequest
from ai_service.finance.models import Account


def saved_mapping(account: Account) -> ImportMapping | None:
    stored = account.import_mapping
    if not stored:
        return None
    known = {f.name for f in dataclasses.fields(ImportMapping)}
    values: dict[str, Any] = {k: v for k, v in stored.items() if k in known}
    if "amount_sign" in values:
        values["amount_sign"] = AmountSign(values["amount_sign"])
    return ImportMapping(**values)


def mapping_json(mapping: ImportMapping | None) -> dict[str, Any] | None:
    if mapping is None:
        return None
    given = mapping.given()
    return {k: (v.value if isinstance(v, AmountSign) else v) for k, v in given.items()} or None


def read(account: Account, data: bytes, request: ImportRequest) -> ParsedFile:
    """The file as the account's mapping (the request's, over the one it remembers) reads it.
    A remembered mapping that does not fit this file is set aside, and the file read afresh."""
    target = ImportTarget(currency=account.currency, iban=account.iban, type=account.type)
    saved = saved_mapping(account)
    mapping = request.mapping or ImportMapping()
    with collector_paused():  # 100k rows: see core.bulk
        if saved is None:
            return parse_bytes(data, request.format, mapping, target)
        try:
            remembered = parse_bytes(data, request.format, mapping.over(saved), target)
            if not remembered.rejected:
                return remembered
        except BadUserInput:
            remembered = None
        parsed = parse_bytes(data, request.format, mapping, target)
        if remembered is not None and remembered.rejected <= parsed.rejected:
            return remembered
        parsed.note("The reading remembered for this account does not fit this file: the "
                    "file was read as it is.")
        return parsed


async def import_file(account: Account, data: bytes, request: ImportRequest) -> IngestReport:
    if account.archived:
        raise BadUserInput("The account is archived", field="accountId")
    parsed = read(account, data, request)
    if parsed.currency and parsed.currency.upper() != account.currency:
        raise BadUserInput(f"The statement is in {parsed.currency}, the account in "
                           f"{account.currency}", field="accountId")
    fmt = parsed.mapping.format if parsed.mapping else request.format
    report = await ingest(account, parsed, source=fmt.value if fmt else "FILE",
                          filename=request.filename, sha256=hashlib.sha256(data).hexdigest(),
                          dry_run=request.dry_run, replace_pending=True)
    if request.remember_mapping and not request.dry_run and not report.rejected \
            and parsed.mapping is not None:
        account.import_mapping = mapping_json(parsed.mapping.as_mapping())
        await account.save(update_fields=["import_mapping", "updated_at"])
    return dataclasses.replace(report, notes=list(parsed.notes), skipped=parsed.skipped,
                               mapping=parsed.mapping, closing=parsed.closing)
