"""Every real bank export of the corpus is read exactly or refused clearly; none is wrong."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bank_corpus import MANIFEST, judge


def _id(entry: dict[str, Any]) -> str:
    return str(entry["file"])


@pytest.mark.parametrize("entry", MANIFEST, ids=_id)
def test_each_file_is_read_exactly_or_refused_clearly(entry: dict[str, Any]) -> None:
    verdict = judge(entry)
    assert verdict.verdict in ("EXACT", "REFUSED"), verdict.detail
    if verdict.verdict == "REFUSED" and not entry["expected"].get("must_refuse"):
        # A refusal of a readable file must say which mapping field settles it.
        assert (verdict.field or "").startswith("mapping."), verdict.detail


def test_at_least_95_percent_of_the_readable_files_are_read_exactly_without_a_mapping() -> None:
    readable = [e for e in MANIFEST if not e["expected"].get("must_refuse")]
    verdicts = Counter(judge(e).verdict for e in readable)
    assert verdicts["WRONG"] == verdicts["ERROR"] == 0
    assert verdicts["EXACT"] >= 0.95 * len(readable), verdicts
