"""What the statement formats share: each file recognised by its content, and any bytes at all
answered with rows or a sentence of ours, never an exception or a library's words."""

from __future__ import annotations

import json
import random
import re

import pytest

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ImportTarget, parse_bytes
from ai_service.finance.imports.sniff import detect_format
from ai_service.finance.models import ImportFormat
from support.paths import DATA

BANK = DATA / "bank"
FORMATS = {"ofx": ImportFormat.OFX, "qfx": ImportFormat.OFX, "qif": ImportFormat.QIF,
           "mt940": ImportFormat.MT940, "camt052": ImportFormat.CAMT052,
           "camt053": ImportFormat.CAMT053, "camt054": ImportFormat.CAMT054}
FILES = [e for e in json.loads((BANK / "manifest.json").read_text()) if e["format"] in FORMATS]
INTERNALS = re.compile(r"object at 0x|Traceback|Error\b|Exception\b|\\x[0-9a-f]{2}|codec|"
                       r"ofxtools|xml\.etree|strptime|NoneType")


@pytest.mark.parametrize("entry", FILES, ids=lambda e: str(e["file"]))
def test_each_statement_file_is_recognised_by_its_content(entry: dict[str, str]) -> None:
    assert detect_format((BANK / entry["file"]).read_bytes()) is FORMATS[entry["format"]]


def test_a_qif_file_may_begin_with_comment_lines() -> None:
    assert detect_format(b"### exported\n# by hand\n\n!Type:Bank\nD1/2/24\nT-1\n^\n") is \
        ImportFormat.QIF


def _answer(data: bytes, fmt: ImportFormat) -> list[str]:
    """Every sentence the parser says about `data` (it must raise nothing but BadUserInput)."""
    try:
        parsed = parse_bytes(data, fmt, None, ImportTarget("EUR"))
    except BadUserInput as refusal:
        return [refusal.message]
    return [*parsed.notes, *(e.message for e in parsed.errors)]


@pytest.mark.parametrize("fmt", sorted(set(FORMATS.values())))
def test_random_bytes_get_an_answer_in_our_words(fmt: ImportFormat) -> None:
    chance = random.Random(fmt.value)
    for _ in range(100):
        data = bytes(chance.randrange(256) for _ in range(chance.randrange(1, 300)))
        for sentence in _answer(data, fmt):
            assert not INTERNALS.search(sentence), sentence


@pytest.mark.parametrize("entry", FILES[::4], ids=lambda e: str(e["file"]))
def test_cut_files_get_an_answer_in_our_words(entry: dict[str, str]) -> None:
    data = (BANK / entry["file"]).read_bytes()
    for cut in range(1, len(data), max(1, len(data) // 25)):
        for sentence in _answer(data[:cut], FORMATS[entry["format"]]):
            assert not INTERNALS.search(sentence), sentence


def test_a_file_of_too_many_transactions_is_refused_before_they_are_built() -> None:
    """Bounded work (issue 20): a 64 MiB CSV can hold millions of short lines."""
    from ai_service.finance.imports import MAX_ROWS

    lines = "\n".join(f"2025-01-0{1 + i % 9},-1.00,x" for i in range(MAX_ROWS + 1))
    with pytest.raises(BadUserInput) as caught:
        parse_bytes(f"date,amount,description\n{lines}\n".encode(), None)
    assert caught.value.field == "file"
    assert f"{MAX_ROWS:,}" in caught.value.message
