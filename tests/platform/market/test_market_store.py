"""The market store: the same cases against the SQL store (this run's database: SQLite or
PostgreSQL) and a real InfluxDB 1.x (`.ci/influxdb.sh` starts one; TEST_INFLUXDB_URL, default
http://127.0.0.1:8086). An unreachable InfluxDB fails these tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import numpy as np
import pytest

from ai_service.config import Settings
from ai_service.core.errors import BadUserInput
from ai_service.platform.market import (
    BarColumns,
    MarketStore,
    MarketStoreError,
    SymbolSummary,
    WriteResult,
    create_market_store,
)
from ai_service.platform.market.influx import InfluxMarketStore
from ai_service.platform.market.sql import SqlMarketStore
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.bars import Bars
from ai_service.trading.marketdata import parse_ohlcv
from ai_service.trading.metrics import periods_per_year
from ai_service.users.models import User
from support.live_server import LiveServer
from support.paths import ORCL

INFLUXDB_URL = os.environ.get("TEST_INFLUXDB_URL", "http://127.0.0.1:8086")
T = TypeVar("T")
D1, H1, W1 = Timeframe.D1, Timeframe.H1, Timeframe.W1


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def bars(*rows: tuple[str, float, float, float, float, float]) -> BarColumns:
    return BarColumns([at(r[0]) for r in rows], *(np.array([r[i] for r in rows])
                                                  for i in range(1, 6)))


def as_rows(columns: BarColumns) -> list[tuple[str, float, float, float, float, float]]:
    return [(str(np.datetime64(int(t), "s")), o, h, lo, c, v) for t, o, h, lo, c, v in zip(
        columns.timestamps.tolist(), columns.open.tolist(), columns.high.tolist(),
        columns.low.tolist(), columns.close.tolist(), columns.volume.tolist(), strict=True)]


def orcl() -> BarColumns:
    with ORCL.open("rb") as fh:
        return parse_ohlcv(fh).bars


# Daily bars around two week boundaries, with a Sunday bar: Monday-aligned weeks put Sunday
# 2024-01-07 with Thursday the 4th; Thursday-aligned (epoch) weeks would not.
DAILY = bars(
    ("2024-01-04", 10.0, 12.0, 9.0, 11.0, 100.0),
    ("2024-01-05", 11.0, 13.0, 10.0, 12.0, 200.0),
    ("2024-01-07", 12.0, 12.5, 11.0, 11.5, 50.0),
    ("2024-01-08", 11.5, 14.0, 11.0, 13.0, 300.0),
    ("2024-01-09", 13.0, 15.0, 12.5, 14.5, 400.0),
    ("2024-01-12", 14.5, 14.75, 8.0, 9.0, 500.0),
    ("2024-01-15", 9.0, 9.5, 8.5, 9.25, 600.0),
)
WEEKLY_BY_HAND = [
    ("2024-01-01T00:00:00", 10.0, 13.0, 9.0, 11.5, 350.0),
    ("2024-01-08T00:00:00", 11.5, 15.0, 8.0, 9.0, 1200.0),
    ("2024-01-15T00:00:00", 9.0, 9.5, 8.5, 9.25, 600.0),
]
# Hourly bars across midnight UTC.
HOURLY = bars(
    ("2024-03-10T21:00:00", 100.0, 101.0, 99.0, 100.5, 10.0),
    ("2024-03-10T22:00:00", 100.5, 103.0, 100.0, 102.0, 20.0),
    ("2024-03-10T23:00:00", 102.0, 102.5, 98.0, 99.0, 30.0),
    ("2024-03-11T00:00:00", 99.0, 99.5, 97.0, 98.0, 40.0),
    ("2024-03-11T01:00:00", 98.0, 104.0, 97.5, 103.0, 50.0),
    ("2024-03-11T02:00:00", 103.0, 103.5, 102.0, 102.25, 60.0),
)
DAILY_FROM_HOURLY_BY_HAND = [
    ("2024-03-10T00:00:00", 100.0, 103.0, 98.0, 99.0, 60.0),
    ("2024-03-11T00:00:00", 99.0, 104.0, 97.0, 102.25, 150.0),
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def influx_database() -> Iterator[str]:
    """A database of its own on the test InfluxDB, dropped at the end."""
    try:
        status = httpx.get(f"{INFLUXDB_URL}/ping", timeout=5).status_code
    except httpx.HTTPError as exc:
        pytest.fail(f"InfluxDB at TEST_INFLUXDB_URL={INFLUXDB_URL} is unreachable ({exc}); "
                    "start one with .ci/influxdb.sh")
    if status != 204:
        pytest.fail(f"InfluxDB at {INFLUXDB_URL} answered /ping with {status}, not 204")
    name = f"ai_service_test_{uuid.uuid4().hex[:12]}"
    yield name
    influxql(f'DROP DATABASE "{name}"')


def influxql(statement: str) -> None:
    response = httpx.post(f"{INFLUXDB_URL}/query", data={"q": statement}, timeout=30)
    assert response.status_code == 200, response.text
    assert '"error"' not in response.text, response.text


class CountingTransport(httpx.AsyncBaseTransport):
    """The real HTTP transport, recording each request's method and path."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Harness:
    server: LiveServer
    store: MarketStore
    kind: str
    transport: CountingTransport | None = None

    def run(self, work: Callable[[], Awaitable[T]] | Awaitable[T]) -> T:
        return self.server.call(work, timeout=120)

    def owner(self, name: str = "owner") -> int:
        async def create() -> int:
            user = await User.create(email=f"{name}-{uuid.uuid4().hex[:6]}@example.com",
                                     password_hash="not a hash")
            return int(user.id)

        return self.run(create)


def influx_store(database: str, transport: CountingTransport | None = None,
                 **options: Any) -> InfluxMarketStore:
    return InfluxMarketStore(INFLUXDB_URL, database, transport=transport, **options)


@pytest.fixture(params=["sql", "influx"])
def harness(request: pytest.FixtureRequest, server: LiveServer) -> Iterator[Harness]:
    """A store on an empty database (the SQL store's rows go with the users between tests)."""
    if request.param == "sql":
        yield Harness(server, SqlMarketStore(), "sql")
        return
    database: str = request.getfixturevalue("influx_database")
    influxql(f'DROP DATABASE "{database}"')
    transport = CountingTransport()
    store = influx_store(database, transport)
    yield Harness(server, store, "influx", transport)
    server.call(store.close())


# --------------------------------------------------------------------------- cases


def test_bars_are_read_back_exactly_as_written(harness: Harness) -> None:
    owner, data = harness.owner(), orcl()
    store = harness.store
    written = harness.run(store.write(owner, "ORCL", D1, data))
    assert written == WriteResult(inserted=len(data))
    back = harness.run(store.range(owner, "ORCL", D1))
    assert len(back) == len(data) == 5036
    assert back.equals(data)
    assert as_rows(back)[0] == ("1995-01-03T00:00:00", 2.179012, 2.191358, 2.117284, 2.117284,
                                36301200.0)
    backtest_bars = Bars.of(back)
    assert backtest_bars.timestamps[-1] == np.datetime64("2014-12-31T00:00:00")


def test_a_second_identical_write_changes_nothing(harness: Harness) -> None:
    owner, data, store = harness.owner(), DAILY, harness.store
    assert harness.run(store.write(owner, "X", D1, data)) == WriteResult(inserted=7)
    assert harness.run(store.write(owner, "X", D1, data)) == WriteResult(unchanged=7)
    # A corrected close overwrites the stored bar (counted as updated); a new day is inserted.
    corrected = bars(("2024-01-05", 11.0, 13.0, 10.0, 12.5, 200.0),
                     ("2024-01-08", 11.5, 14.0, 11.0, 13.0, 300.0),
                     ("2024-01-16", 9.25, 9.5, 9.0, 9.5, 10.0))
    assert harness.run(store.write(owner, "X", D1, corrected)) == WriteResult(
        inserted=1, updated=1, unchanged=1)
    rows = as_rows(harness.run(store.range(owner, "X", D1)))
    assert len(rows) == 8
    assert rows[1] == ("2024-01-05T00:00:00", 11.0, 13.0, 10.0, 12.5, 200.0)
    assert rows[-1] == ("2024-01-16T00:00:00", 9.25, 9.5, 9.0, 9.5, 10.0)


def test_daily_bars_roll_up_into_monday_weeks(harness: Harness) -> None:
    owner = harness.owner()
    harness.run(harness.store.write(owner, "X", D1, DAILY))
    weekly = harness.run(harness.store.range(owner, "X", D1, aggregate_to=W1))
    assert as_rows(weekly) == WEEKLY_BY_HAND
    assert [str(d.astype("datetime64[D]").item().strftime("%A")) for d in weekly.datetimes()] \
        == ["Monday"] * 3


def test_hourly_bars_roll_up_into_utc_days(harness: Harness) -> None:
    owner = harness.owner()
    harness.run(harness.store.write(owner, "X", H1, HOURLY))
    daily = harness.run(harness.store.range(owner, "X", H1, aggregate_to=D1))
    assert as_rows(daily) == DAILY_FROM_HOURLY_BY_HAND
    # Rolling up into the bars' own timeframe is a plain read.
    assert harness.run(harness.store.range(owner, "X", H1, aggregate_to=H1)).equals(HOURLY)


def test_weeks_before_1970_are_floored_too(harness: Harness) -> None:
    owner = harness.owner()
    data = bars(("1969-12-29", 1.0, 2.0, 0.5, 1.5, 1.0),   # Monday
                ("1969-12-31", 1.5, 3.0, 1.25, 2.5, 2.0),  # Wednesday
                ("1970-01-01", 2.5, 2.75, 2.0, 2.25, 4.0),  # Thursday, the epoch
                ("1970-01-05", 2.25, 2.5, 1.75, 2.0, 8.0))  # Monday
    harness.run(harness.store.write(owner, "OLD", D1, data))
    weekly = harness.run(harness.store.range(owner, "OLD", D1, aggregate_to=W1))
    assert as_rows(weekly) == [("1969-12-29T00:00:00", 1.0, 3.0, 0.5, 2.25, 7.0),
                               ("1970-01-05T00:00:00", 2.25, 2.5, 1.75, 2.0, 8.0)]


def test_aggregation_only_to_a_larger_timeframe(harness: Harness) -> None:
    owner = harness.owner()
    harness.run(harness.store.write(owner, "X", D1, DAILY))
    with pytest.raises(BadUserInput, match="smaller timeframe") as error:
        harness.run(harness.store.range(owner, "X", D1, aggregate_to=H1))
    assert error.value.extensions["field"] == "aggregateTo"


def test_ranges_include_their_start_and_exclude_their_end(harness: Harness) -> None:
    owner, store = harness.owner(), harness.store
    harness.run(store.write(owner, "X", D1, DAILY))
    inside = harness.run(store.range(owner, "X", D1, when("2024-01-05"), when("2024-01-09")))
    assert [r[0][:10] for r in as_rows(inside)] == ["2024-01-05", "2024-01-07", "2024-01-08"]
    assert [r[0][:10] for r in as_rows(harness.run(
        store.range(owner, "X", D1, start=when("2024-01-12"))))] == ["2024-01-12", "2024-01-15"]
    assert [r[0][:10] for r in as_rows(harness.run(
        store.range(owner, "X", D1, end=when("2024-01-05"))))] == ["2024-01-04"]
    assert len(harness.run(store.range(owner, "X", D1, when("2024-01-10"), when("2024-01-12")))) \
        == 0
    # Bounds filter bars, not buckets: a week cut by `start` keeps its Monday label.
    weekly = harness.run(store.range(owner, "X", D1, when("2024-01-05"), when("2024-01-12"),
                                     aggregate_to=W1))
    assert as_rows(weekly) == [("2024-01-01T00:00:00", 11.0, 13.0, 10.0, 11.5, 250.0),
                               ("2024-01-08T00:00:00", 11.5, 15.0, 11.0, 14.5, 700.0)]
    # Open bounds on an aggregated read cover all the data.
    assert as_rows(harness.run(store.range(owner, "X", D1, start=when("2024-01-08"),
                                           aggregate_to=W1))) == WEEKLY_BY_HAND[1:]
    assert len(harness.run(store.range(owner, "NONE", D1, aggregate_to=W1))) == 0


def test_symbols_summarise_each_series(harness: Harness) -> None:
    owner, store = harness.owner(), harness.store
    harness.run(store.write(owner, "X", D1, DAILY))
    harness.run(store.write(owner, "X", H1, HOURLY))
    harness.run(store.write(owner, "BRK.B", D1, DAILY.slice(2, 4)))
    assert harness.run(store.symbols(owner)) == [
        SymbolSummary("BRK.B", D1, when("2024-01-07"), when("2024-01-08"), 2),
        SymbolSummary("X", H1, when("2024-03-10T21:00"), when("2024-03-11T02:00"), 6),
        SymbolSummary("X", D1, when("2024-01-04"), when("2024-01-15"), 7),
    ]


def test_owners_see_only_their_own_bars(harness: Harness) -> None:
    alice, bob, store = harness.owner("alice"), harness.owner("bob"), harness.store
    harness.run(store.write(alice, "X", D1, DAILY))
    assert harness.run(store.symbols(bob)) == []
    assert len(harness.run(store.range(bob, "X", D1))) == 0
    assert len(harness.run(store.range(bob, "X", D1, aggregate_to=W1))) == 0
    assert harness.run(store.delete(bob, "X", D1)) == 0
    # Bob's copy of the same bars is his own: inserted, not unchanged.
    assert harness.run(store.write(bob, "X", D1, DAILY)) == WriteResult(inserted=7)
    assert harness.run(store.delete(bob, "X", D1)) == 7
    assert harness.run(store.range(alice, "X", D1)).equals(DAILY)


def test_writes_larger_than_a_batch(harness: Harness) -> None:
    owner, store = harness.owner(), harness.store
    n = 12_001
    start = at("2024-01-01")
    close = 100 + np.sin(np.arange(n) / 50)
    data = BarColumns(start + 60 * np.arange(n), close, close + 1, close - 1, close,
                      np.arange(n, dtype=float))
    assert harness.run(store.write(owner, "BTC/USDT", Timeframe.M1, data)) == WriteResult(
        inserted=n)
    if harness.transport is not None:  # 5,000 lines per request
        assert harness.transport.requests.count("POST /write") == 3
    back = harness.run(store.range(owner, "BTC/USDT", Timeframe.M1))
    assert back.equals(data)
    # A rewrite straddling batch boundaries: 500 changed bars, 1,000 new ones after the end.
    later = start + 60 * np.arange(n, n + 1000)
    span = data.slice(3000, 9000)
    changed_close = span.close.copy()
    changed_close[1000:1500] += 0.5
    rewrite = BarColumns(np.concatenate([span.timestamps, later]),
                         np.concatenate([span.open, np.full(1000, 50.0)]),
                         np.concatenate([span.high + 0.5, np.full(1000, 51.0)]),
                         np.concatenate([span.low, np.full(1000, 49.0)]),
                         np.concatenate([changed_close, np.full(1000, 50.5)]),
                         np.concatenate([span.volume, np.ones(1000)]))
    assert harness.run(store.write(owner, "BTC/USDT", Timeframe.M1, rewrite)) == WriteResult(
        inserted=1000, updated=6000, unchanged=0)
    assert harness.run(store.write(owner, "BTC/USDT", Timeframe.M1, rewrite)) == WriteResult(
        unchanged=7000)
    back = harness.run(store.range(owner, "BTC/USDT", Timeframe.M1))
    assert len(back) == n + 1000
    assert back.close[4000:4500].tolist() == changed_close[1000:1500].tolist()
    hourly = harness.run(store.range(owner, "BTC/USDT", Timeframe.M1, aggregate_to=H1))
    assert len(hourly) == -(-(n + 1000) // 60)


def test_delete_removes_one_series(harness: Harness) -> None:
    owner, store = harness.owner(), harness.store
    harness.run(store.write(owner, "X", D1, DAILY))
    harness.run(store.write(owner, "X", H1, HOURLY))
    assert harness.run(store.delete(owner, "X", D1)) == 7
    assert len(harness.run(store.range(owner, "X", D1))) == 0
    assert [s.timeframe for s in harness.run(store.symbols(owner))] == [H1]
    assert harness.run(store.delete(owner, "X", D1)) == 0
    # Deleted bars come back as inserted.
    assert harness.run(store.write(owner, "X", D1, DAILY)) == WriteResult(inserted=7)


def test_invalid_input_stores_nothing(harness: Harness) -> None:
    owner, store = harness.owner(), harness.store
    broken = bars(("2024-01-04", 10.0, 12.0, 9.0, 11.0, 1.0),
                  ("2024-01-05", 11.0, 11.5, 10.0, 12.0, 1.0))  # close above high
    with pytest.raises(BadUserInput, match="low <= open, close <= high"):
        harness.run(store.write(owner, "X", D1, broken))
    for symbol in ("", "A B", "X,Y", "X'", 'X"', "a\\b", "=X", "Ω", "X" * 33):
        with pytest.raises(BadUserInput, match="symbol"):
            harness.run(store.write(owner, symbol, D1, DAILY))
    assert harness.run(store.symbols(owner)) == []
    assert harness.run(store.write(owner, "X", D1, BarColumns.empty())) == WriteResult()
    with pytest.raises(BadUserInput, match="strictly increasing"):
        BarColumns([2, 1], [1, 1], [1, 1], [1, 1], [1, 1])


def test_odd_symbols_and_extreme_values_round_trip(harness: Harness) -> None:
    owner, store = harness.owner(), harness.store
    data = bars(("2024-01-04", 1e-05, 2e-05, 1e-06, 1.5e-05, 1e16),
                ("2024-01-05", 123456.789012345, 123456.789012346, 0.1, 0.30000000000000004,
                 0.0))
    for symbol in ("^GSPC", "EURUSD=X", "GC=F", "ES:CME", "BTC-USD", "A/B+C"):
        harness.run(store.write(owner, symbol, D1, data))
        assert harness.run(store.range(owner, symbol, D1)).equals(data), symbol
    assert [s.symbol for s in harness.run(store.symbols(owner))] == [
        "A/B+C", "BTC-USD", "ES:CME", "EURUSD=X", "GC=F", "^GSPC"]


# --------------------------------------------------------------------------- both stores


def test_both_stores_aggregate_a_real_history_identically(
        server: LiveServer, influx_database: str) -> None:
    influxql(f'DROP DATABASE "{influx_database}"')
    influx, sql = influx_store(influx_database), SqlMarketStore()
    data = orcl()

    async def both() -> list[tuple[BarColumns, BarColumns]]:
        user = await User.create(email="both@example.com", password_hash="x")
        results = []
        for store in (sql, influx):
            await store.write(user.id, "ORCL", D1, data)
        for target, start, end in ((W1, None, None), (W1, when("1999-12-30"), when("2000-02-10")),
                                   (D1, None, None)):
            results.append((await sql.range(user.id, "ORCL", D1, start, end, target),
                            await influx.range(user.id, "ORCL", D1, start, end, target)))
        await influx.close()
        return results

    (weeks_sql, weeks_influx), (cut_sql, cut_influx), (days_sql, days_influx) = server.call(
        both, timeout=120)
    assert weeks_sql.equals(weeks_influx)
    assert cut_sql.equals(cut_influx)
    assert days_sql.equals(days_influx)
    assert days_sql.equals(data)
    assert weeks_sql.equals(reference_rollup(data, W1))
    assert len(weeks_sql) == 1044  # 20 years of weeks
    assert as_rows(cut_sql)[0][0] == "1999-12-27T00:00:00"  # Monday before the cut
    assert len(cut_sql) == 7


def reference_rollup(data: BarColumns, target: Timeframe) -> BarColumns:
    """The roll-up computed here, independently, with numpy."""
    buckets = data.timestamps - (data.timestamps - target.offset_seconds) % target.seconds
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    ends = np.r_[starts[1:], len(buckets)] - 1
    return BarColumns(buckets[starts], data.open[starts], np.maximum.reduceat(data.high, starts),
                      np.minimum.reduceat(data.low, starts), data.close[ends],
                      np.add.reduceat(data.volume, starts))


# --------------------------------------------------------------------------- configuration


def test_the_store_follows_the_configuration() -> None:
    assert isinstance(create_market_store(Settings()), SqlMarketStore)
    assert isinstance(create_market_store(Settings(influxdb_url="http://influx:8086")),
                      InfluxMarketStore)


@pytest.mark.parametrize(("url", "options", "expected"), [
    ("http://influx:8086", {"token": "t0k"}, "Token t0k"),
    ("http://u:p%40ss@influx:8086", {}, "Basic dTpwQHNz"),
    ("http://u:p@influx:8086", {"username": "me", "password": "pw"}, "Basic bWU6cHc="),
    ("http://influx:8086", {}, None),
])
def test_credentials_are_sent_as_configured(url: str, options: dict[str, str],
                                            expected: str | None) -> None:
    import asyncio

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    async def ping() -> None:
        store = InfluxMarketStore(url, transport=httpx.MockTransport(answer), **options)
        await store.ping()
        await store.close()

    asyncio.run(ping())
    assert seen[0].headers.get("authorization") == expected
    assert str(seen[0].url) == "http://influx:8086/ping"  # no credentials in the URL


def test_an_unreachable_influxdb_is_an_error_that_names_it() -> None:
    import asyncio

    async def attempt() -> list[str]:
        store = InfluxMarketStore(f"http://127.0.0.1:{unused_port()}", timeout=2)
        messages = []
        for call in (store.ping(), store.write(1, "X", D1, DAILY), store.symbols(1)):
            with pytest.raises(MarketStoreError) as error:
                await call
            messages.append(str(error.value))
        await store.close()
        return messages

    assert all("unreachable" in m and "127.0.0.1" in m for m in asyncio.run(attempt()))


def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_timeframes() -> None:
    assert [tf.seconds for tf in Timeframe] == [60, 300, 900, 1800, 3600, 14400, 86400, 604800]
    assert periods_per_year(D1) == 252
    assert periods_per_year(W1) == 52
    assert periods_per_year(H1) == 252 * 6.5
    assert periods_per_year(Timeframe.M1) == 98_280
    assert periods_per_year(H1, trading_days=365, session_hours=24) == 8760
    assert W1.bucket_start(at("2024-01-07T23:59:59")) == at("2024-01-01")
    assert W1.bucket_start(at("2024-01-08")) == at("2024-01-08")
    assert W1.bucket_start(at("1969-12-31")) == at("1969-12-29")
    assert Timeframe.H4.bucket_start(at("2024-01-01T03:59:00")) == at("2024-01-01")
    D1.check_aggregation(W1)
    with pytest.raises(BadUserInput, match="smaller"):
        W1.check_aggregation(D1)
