"""Where things are: the repository, and the reference data the tests read (tests/data)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
DATA = TESTS / "data"
ORCL = DATA / "market" / "orcl-1995-2014.csv"  # real daily OHLCV, 1995-2014
