"""Trading over GraphQL, end to end: market data through multipart uploads (into the SQL store on
the embedded default, a real InfluxDB on the services run), strategies, backtests inline and as
jobs, walk-forward optimisation, and signals that reach Telegram."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from ai_service.core.jobs.models import Job, JobState
from ai_service.platform.market import BarColumns
from ai_service.trading import Bars, RiskSettings, Strategy, run_backtest
from ai_service.trading.marketdata import parse_ohlcv
from fakes.server import FakeProviders
from support.accounts import make_member
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.paths import ORCL
from support.waiting import wait_for

IMPORT = """mutation($symbol: String!, $timeframe: Timeframe!, $file: Upload!) {
  importMarketData(symbol: $symbol, timeframe: $timeframe, file: $file) {
    symbol timeframe rows inserted updated unchanged rejected stored first last
    errors { row message } } }"""
SYMBOLS = "{ marketSymbols { symbol timeframe first last barCount } }"
CANDLES = """query($s: String!, $tf: Timeframe!, $from: DateTime, $to: DateTime) {
  candles(symbol: $s, timeframe: $tf, from: $from, to: $to) {
    timeframe timestamps open high low close volume } }"""
STRATEGY_FIELDS = """id name kind symbol timeframe parameters status evaluatedThrough
  risk { positionSize stopLossPct takeProfitPct feeBps slippageBps allowShort }"""
CREATE = f"""mutation($input: CreateStrategyInput!) {{
  createStrategy(input: $input) {{ {STRATEGY_FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateStrategyInput!) {{
  updateStrategy(id: $id, input: $input) {{ {STRATEGY_FIELDS} }} }}"""
SET_STATUS = """mutation($id: ID!, $status: StrategyStatus!) {
  setStrategyStatus(id: $id, status: $status) { id status evaluatedThrough } }"""
STRATEGIES = """query($first: Int!, $status: StrategyStatus) {
  strategies(first: $first, status: $status) { edges { node { id name status } }
  pageInfo { hasNextPage endCursor } } }"""
METRICS = """totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownDays winRate
  profitFactor tradeCount exposure buyAndHoldReturn"""
RUN = f"""mutation($input: RunBacktestInput!) {{ runBacktest(input: $input) {{
  id status error barCount initialCapital from to configuration
  metrics {{ {METRICS} }}
  trades {{ side entryTime entryPrice exitTime exitPrice quantity pnl returnPct fees exitReason }}
  equityCurve {{ timestamps values }} job {{ id state }} strategy {{ id name }} }} }}"""
BACKTEST = f"""query($id: ID!) {{ backtest(id: $id) {{ id status error barCount
  metrics {{ {METRICS} }} trades {{ side }} equityCurve {{ timestamps values }}
  job {{ id state progress message }} }} }}"""
OPTIMIZE = """mutation($input: OptimizeStrategyInput!) { optimizeStrategy(input: $input) {
  id status configuration job { id } } }"""
OPTIMIZATION = """query($id: ID!) { optimization(id: $id) { id status error metric combinations
  inSampleScore outOfSampleScore outOfSampleReturn
  windows { trainFrom trainTo testFrom testTo parameters inSample { sharpe }
            outOfSample { sharpe totalReturn } }
  ranking(first: 50) { rank parameters score metrics { sharpe tradeCount } }
  job { state progress } } }"""
SIGNALS = """query($id: ID!) { signals(strategyId: $id, first: 50) {
  edges { node { time action price notifiedAt } } } }"""


def csv_of(bars: BarColumns) -> bytes:
    lines = ["timestamp,open,high,low,close,volume"]
    lines += [f"{t},{o!r},{h!r},{lo!r},{c!r},{v!r}" for t, o, h, lo, c, v in zip(
        bars.timestamps.tolist(), bars.open.tolist(), bars.high.tolist(), bars.low.tolist(),
        bars.close.tolist(), bars.volume.tolist(), strict=True)]
    return ("\n".join(lines) + "\n").encode()


def upload(gql: GraphQLClient, content: bytes, symbol: str = "ORCL", timeframe: str = "D1",
           token: str | None = None, stored: bool = True) -> dict[str, Any]:
    response = gql.upload(IMPORT, {"symbol": symbol, "timeframe": timeframe},
                          {"file": ("prices.csv", content, "text/csv")}, token=token)
    body = response.json()
    assert response.status_code == 200, body
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["importMarketData"]
    assert result["stored"] is stored, result
    return result


def orcl() -> BarColumns:
    return parse_ohlcv(io.BytesIO(ORCL.read_bytes())).bars


@pytest.fixture
def token(gql: GraphQLClient, admin: dict[str, Any]) -> str:
    gql.token = admin["accessToken"]
    return str(admin["accessToken"])


def create(gql: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    spec = {"name": "Golden cross", "kind": "SMA_CROSSOVER", "symbol": "ORCL", "timeframe": "D1",
            "parameters": {"fast": 20, "slow": 50}} | overrides
    result: dict[str, Any] = gql.data(CREATE, {"input": spec})["createStrategy"]
    return result


async def awaited(query: Any) -> Any:
    """Tortoise querysets are awaitable but not coroutines, which the server's loop wants."""
    return await query


def job_done(server: LiveServer, job_id: str, timeout: float = 60) -> Job:
    def finished() -> Job | None:
        job: Job | None = server.call(awaited(Job.get_or_none(id=int(job_id))))
        return job if job and job.state in (JobState.SUCCEEDED, JobState.DEAD) else None

    result: Job = wait_for(finished, timeout, what=f"job {job_id}")
    return result


# --------------------------------------------------------------------------- market data


def test_importing_the_same_file_twice_stores_it_once(gql: GraphQLClient, token: str) -> None:
    content = ORCL.read_bytes()
    first = upload(gql, content)
    assert first["rows"] == 5036
    assert (first["inserted"], first["updated"], first["unchanged"]) == (5036, 0, 0)
    assert (first["rejected"], first["stored"], first["errors"]) == (0, True, [])
    assert first["first"].startswith("1995-01-03")
    assert first["last"].startswith("2014-12-31")
    again = upload(gql, content)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 5036)

    # A corrected re-export overwrites the bars it changes, and only those.
    lines = content.decode().splitlines()
    header, row = lines[0], lines[-1].split(",")
    price = float(row[1])  # a new close for 2014-12-31, inside a widened high and low
    row[2], row[3], row[4] = str(price + 5), str(price - 5), str(price + 1)
    fixed = upload(gql, "\n".join([header, ",".join(row)]).encode())
    assert (fixed["inserted"], fixed["updated"], fixed["unchanged"]) == (0, 1, 0)

    [summary] = gql.data(SYMBOLS)["marketSymbols"]
    assert summary["symbol"] == "ORCL"
    assert summary["timeframe"] == "D1"
    assert summary["barCount"] == 5036
    assert summary["first"].startswith("1995-01-03")
    assert summary["last"].startswith("2014-12-31")


def test_a_file_with_one_bad_row_stores_nothing_and_names_the_row(
    gql: GraphQLClient, token: str,
) -> None:
    content = (b"Date,Open,High,Low,Close,Adj Close,Volume\n"
               b"2024-01-02,10,11,9,10.5,10.5,100\n"
               b"2024-01-03,10,9.5,9,10.5,10.5,100\n"  # high below the close
               b"2024-01-04,10,11,9,-1,10.5,100\n"  # a negative price
               b"2024-01-05,10,11,9,10.5,10.5,100\n")
    report = upload(gql, content, symbol="BAD", stored=False)
    assert report["stored"] is False
    assert (report["inserted"], report["unchanged"], report["rejected"]) == (0, 0, 2)
    assert [e["row"] for e in report["errors"]] == [3, 4]
    assert "high" in report["errors"][0]["message"]
    assert gql.data(SYMBOLS)["marketSymbols"] == []

    not_csv = gql.upload(IMPORT, {"symbol": "BAD", "timeframe": "D1"},
                         {"file": ("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")}).json()
    assert not_csv["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_symbol = gql.upload(IMPORT, {"symbol": "no spaces", "timeframe": "D1"},
                            {"file": ("x.csv", content, "text/csv")}).json()
    assert bad_symbol["errors"][0]["extensions"]["field"] == "symbol"


def test_uploads_are_multipart_with_their_own_limit(
    server: LiveServer, gql: GraphQLClient, token: str,
) -> None:
    # A JSON string where the file should be is refused, not read as a path.
    error = gql.error(IMPORT, {"symbol": "X", "timeframe": "D1", "file": "/etc/passwd"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "file"}

    # Larger than MAX_REQUEST_BYTES (1 MiB), well under MAX_UPLOAD_BYTES: accepted.
    start = 1_700_000_000
    n = 30_000
    base = 100 + np.cumsum(np.sin(np.arange(n) / 50))
    bars = BarColumns(start + 60 * np.arange(n), base, base + 1, base - 1, base + 0.5,
                      np.full(n, 10.0))
    content = csv_of(bars)
    assert len(content) > server.settings.max_request_bytes
    assert upload(gql, content, symbol="BIG", timeframe="M1")["inserted"] == n

    # Past MAX_UPLOAD_BYTES: 413 while streaming, nothing stored.
    limit = server.settings.max_upload_bytes

    def body() -> Any:
        yield b"--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n"
        yield b"--b\r\nContent-Disposition: form-data; name=\"0\"; filename=\"a.csv\"\r\n\r\n"
        for _ in range(limit // 1_048_576 + 2):
            yield b"0" * 1_048_576

    response = gql.http.post("/graphql", content=body(), headers={
        "content-type": "multipart/form-data; boundary=b", "authorization": f"Bearer {token}"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert [s["symbol"] for s in gql.data(SYMBOLS)["marketSymbols"]] == ["BIG"]


def test_candles_come_back_columnar_and_roll_up_in_the_store(
    gql: GraphQLClient, token: str,
) -> None:
    upload(gql, ORCL.read_bytes())
    bars = orcl()
    window = {"s": "ORCL", "from": "2014-01-01T00:00:00Z", "to": "2015-01-01T00:00:00Z"}
    daily = gql.data(CANDLES, window | {"tf": "D1"})["candles"]
    inside = (bars.timestamps >= 1388534400) & (bars.timestamps < 1420070400)
    assert daily["timestamps"] == bars.timestamps[inside].tolist()
    assert daily["close"] == bars.close[inside].tolist()
    assert daily["volume"] == bars.volume[inside].tolist()

    weekly = gql.data(CANDLES, window | {"tf": "W1"})["candles"]
    assert weekly["timeframe"] == "W1"
    stamps = np.asarray(daily["timestamps"])
    week = (stamps - 4 * 86400) // (7 * 86400)  # the epoch was a Thursday: weeks from Monday
    starts = np.flatnonzero(np.diff(week, prepend=-1))
    assert len(weekly["timestamps"]) == len(starts)
    assert weekly["open"] == [daily["open"][i] for i in starts]
    ends = np.append(starts[1:], len(stamps)) - 1
    assert weekly["close"] == [daily["close"][i] for i in ends]
    highs = np.maximum.reduceat(np.asarray(daily["high"]), starts)
    assert weekly["high"] == highs.tolist()
    assert all(t % (7 * 86400) == 4 * 86400 for t in weekly["timestamps"])  # Mondays

    error = gql.error(CANDLES, {"s": "ORCL", "tf": "H1"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert gql.data(CANDLES, {"s": "NONE", "tf": "D1"})["candles"]["timestamps"] == []


# --------------------------------------------------------------------------- strategies


def test_strategies_are_validated_per_kind_and_owned(
    gql: GraphQLClient, token: str, admin: dict[str, Any],
) -> None:
    kinds = gql.data("{ strategyKinds { kind parameters { name default minimum maximum "
                     "integer } } }")["strategyKinds"]
    assert {k["kind"] for k in kinds} == {"SMA_CROSSOVER", "EMA_CROSSOVER", "RSI_REVERSION",
                                          "DONCHIAN_BREAKOUT"}
    rsi = next(k for k in kinds if k["kind"] == "RSI_REVERSION")
    assert [p["name"] for p in rsi["parameters"]] == ["period", "lower", "upper"]

    strategy = create(gql, risk={"positionSize": 0.5, "stopLossPct": 5, "feeBps": 10,
                                 "allowShort": True})
    assert strategy["status"] == "DRAFT"
    assert strategy["parameters"] == {"fast": 20, "slow": 50}
    assert strategy["risk"] == {"positionSize": 0.5, "stopLossPct": 5.0, "takeProfitPct": None,
                                "feeBps": 10.0, "slippageBps": 0.0, "allowShort": True}

    def refused(field: str, **spec: Any) -> None:
        error = gql.error(CREATE, {"input": {"name": "x", "kind": "SMA_CROSSOVER",
                                             "symbol": "ORCL", "timeframe": "D1"} | spec})
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["field"] == field, error

    refused("params.fast", parameters={"fast": 60, "slow": 50})
    refused("params.fast", parameters={"fast": 1.5})
    refused("params.period", kind="RSI_REVERSION", parameters={"period": 0})
    refused("params.lower", kind="RSI_REVERSION", parameters={"lower": 80, "upper": 70})
    refused("params.exit", kind="DONCHIAN_BREAKOUT", parameters={"exit": "ten"})
    refused("params.bogus", parameters={"bogus": 1})
    refused("risk.positionSize", risk={"positionSize": 2})
    refused("risk.stopLossPct", risk={"stopLossPct": 100})
    refused("symbol", symbol="two words")
    refused("name", name="  ")
    duplicate = gql.error(CREATE, {"input": {"name": "Golden cross", "kind": "EMA_CROSSOVER",
                                             "symbol": "ORCL", "timeframe": "D1"}})
    assert duplicate["extensions"]["code"] == "CONFLICT"

    # Partial updates: what is not given stays; a new kind takes its own parameters.
    sid = strategy["id"]
    renamed = gql.data(UPDATE, {"id": sid, "input": {"name": "Cross 10/30",
                                                     "parameters": {"fast": 10, "slow": 30}}})
    assert renamed["updateStrategy"]["name"] == "Cross 10/30"
    assert renamed["updateStrategy"]["risk"]["positionSize"] == 0.5
    rsi_now = gql.data(UPDATE, {"id": sid, "input": {"kind": "RSI_REVERSION"}})["updateStrategy"]
    assert rsi_now["parameters"] == {"period": 14, "lower": 30, "upper": 70}
    error = gql.error(UPDATE, {"id": sid, "input": {"parameters": {"upper": 20}}})
    assert error["extensions"]["field"] == "params.lower"

    for status in ("ACTIVE", "PAUSED", "ARCHIVED"):
        assert gql.data(SET_STATUS, {"id": sid, "status": status})["setStrategyStatus"][
            "status"] == status
    assert gql.data(STRATEGIES, {"first": 10})["strategies"]["edges"] == []
    archived = gql.data(STRATEGIES, {"first": 10, "status": "ARCHIVED"})["strategies"]["edges"]
    assert [e["node"]["id"] for e in archived] == [sid]

    # Another user sees none of it.
    member = make_member(gql, admin["accessToken"])["accessToken"]
    assert gql.data(STRATEGIES, {"first": 10, "status": "ARCHIVED"}, token=member)[
        "strategies"]["edges"] == []
    for query, variables in ((UPDATE, {"id": sid, "input": {"name": "mine"}}),
                             (SET_STATUS, {"id": sid, "status": "ACTIVE"}),
                             ("query($id: ID!) { strategy(id: $id) { id } }", {"id": sid}),
                             (RUN, {"input": {"strategyId": sid}})):
        assert gql.error(query, variables, token=member)["extensions"]["code"] == "NOT_FOUND"
    assert gql.data("mutation($id: ID!) { deleteStrategy(id: $id) }", {"id": sid},
                    token=member)["deleteStrategy"] is False
    assert gql.data("mutation($id: ID!) { deleteStrategy(id: $id) }", {"id": sid}
                    )["deleteStrategy"] is True


# --------------------------------------------------------------------------- backtests


def test_an_inline_backtest_is_the_engine_on_the_stored_bars(
    gql: GraphQLClient, token: str,
) -> None:
    upload(gql, ORCL.read_bytes())
    risk = {"positionSize": 0.8, "stopLossPct": 8, "takeProfitPct": 30, "feeBps": 5,
            "slippageBps": 2, "allowShort": True}
    strategy = create(gql, risk=risk)
    result = gql.data(RUN, {"input": {"strategyId": strategy["id"], "from": "2000-01-01",
                                      "to": "2010-01-01", "initialCapital": 25_000}})[
        "runBacktest"]
    assert result["status"] == "SUCCEEDED"
    assert result["job"] is None
    assert result["strategy"]["name"] == "Golden cross"
    assert result["configuration"]["parameters"] == {"fast": 20, "slow": 50}

    bars = orcl()
    inside = (bars.timestamps >= 946684800) & (bars.timestamps < 1262304000)
    rows = np.flatnonzero(inside)
    expected = run_backtest(
        Bars.of(bars.slice(int(rows[0]), int(rows[-1]) + 1)),
        Strategy.create("SMA_CROSSOVER", {"fast": 20, "slow": 50}),
        RiskSettings(position_size=0.8, stop_loss_pct=8, take_profit_pct=30, fee_bps=5,
                     slippage_bps=2, allow_short=True),
        initial_capital=25_000)
    assert result["barCount"] == len(rows)
    assert result["metrics"] == pytest.approx(expected.metrics.as_dict())
    trades = expected.trades.records()
    assert len(result["trades"]) == len(trades) > 5
    assert {t["exitReason"] for t in result["trades"]} >= {"SIGNAL", "STOP_LOSS"}
    assert [t["pnl"] for t in result["trades"]] == pytest.approx([t.pnl for t in trades])
    assert result["trades"][0]["side"] in ("LONG", "SHORT")
    curve = result["equityCurve"]
    assert len(curve["values"]) == len(rows)  # under the thinning threshold: every bar
    assert curve["values"][-1] == pytest.approx(float(expected.equity_curve.values[-1]))
    assert curve["timestamps"][0] == int(bars.timestamps[rows[0]])

    stored = gql.data("query($s: ID) { backtests(strategyId: $s) { edges { node { id status "
                      "metrics { tradeCount } strategy { name } } } } }",
                      {"s": strategy["id"]})["backtests"]["edges"]
    assert [e["node"]["id"] for e in stored] == [result["id"]]

    for bad, field in (({"initialCapital": 0}, "initialCapital"),
                       ({"from": "2010-01-01", "to": "2000-01-01"}, "from"),
                       ({"from": "2030-01-01"}, "strategyId")):
        error = gql.error(RUN, {"input": {"strategyId": strategy["id"]} | bad})
        assert error["extensions"]["field"] == field, error


def test_a_background_backtest_is_a_job_with_progress(
    server: LiveServer, gql: GraphQLClient, token: str,
) -> None:
    upload(gql, ORCL.read_bytes())
    strategy = create(gql, kind="DONCHIAN_BREAKOUT", parameters={"entry": 40, "exit": 20})
    queued = gql.data(RUN, {"input": {"strategyId": strategy["id"], "inBackground": True}})[
        "runBacktest"]
    assert queued["status"] in ("QUEUED", "RUNNING", "SUCCEEDED")
    assert queued["job"] is not None
    job = job_done(server, queued["job"]["id"])
    assert job.state is JobState.SUCCEEDED
    assert job.progress == 1.0
    done = gql.data(BACKTEST, {"id": queued["id"]})["backtest"]
    assert done["status"] == "SUCCEEDED"
    assert done["barCount"] == 5036
    assert done["metrics"]["tradeCount"] == len(done["trades"]) > 0
    inline = gql.data(RUN, {"input": {"strategyId": strategy["id"]}})["runBacktest"]
    assert inline["metrics"] == done["metrics"]


def test_a_run_whose_job_is_cancelled_reports_failed(
    server: LiveServer, gql: GraphQLClient, token: str,
) -> None:
    from ai_service.trading.models import Backtest, RunStatus

    strategy = create(gql)
    # A job of a kind no worker runs stays queued: cancelling it cannot race a worker.
    job = server.call(server.services.jobs.enqueue("test.never-claimed", {}))
    row = server.call(awaited(Backtest.create(owner_id=1, strategy_id=int(strategy["id"]),
                                      initial_capital=1000, status=RunStatus.RUNNING,
                                      job_id=job.id)))
    assert gql.data(BACKTEST, {"id": str(row.id)})["backtest"]["status"] == "RUNNING"
    gql.data("mutation($id: ID!) { cancelJob(id: $id) { state } }", {"id": str(job.id)})
    assert gql.data(BACKTEST, {"id": str(row.id)})["backtest"]["status"] == "FAILED"


def test_optimisation_walks_forward_in_one_job(
    server: LiveServer, gql: GraphQLClient, token: str,
) -> None:
    upload(gql, ORCL.read_bytes())
    strategy = create(gql)
    grid = {"fast": [5, 10, 20], "slow": [30, 50, 100]}
    row = gql.data(OPTIMIZE, {"input": {"strategyId": strategy["id"], "grid": grid,
                                        "metric": "SHARPE", "trainBars": 1500,
                                        "testBars": 500}})["optimizeStrategy"]
    config = row["configuration"]
    assert (config["combinations"], config["trainBars"], config["testBars"]) == (9, 1500, 500)
    assert config["windows"] == (5036 - 2000) // 500 + 1
    job = job_done(server, row["job"]["id"], timeout=120)
    assert job.state is JobState.SUCCEEDED, job.error
    result = gql.data(OPTIMIZATION, {"id": row["id"]})["optimization"]
    assert result["status"] == "SUCCEEDED"
    assert result["combinations"] == 9
    assert result["metric"] == "SHARPE"
    assert len(result["windows"]) == config["windows"]
    first = result["windows"][0]
    assert first["trainFrom"].startswith("1995-01-03")
    assert first["testFrom"] > first["trainTo"]
    assert first["parameters"]["fast"] in grid["fast"]
    ranking = result["ranking"]
    assert [r["rank"] for r in ranking] == list(range(1, 10))
    scores = [r["score"] for r in ranking if r["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert result["outOfSampleScore"] is not None
    assert result["inSampleScore"] is not None

    for bad, field in (({"grid": {"fast": [60], "slow": [50]}}, "grid"),
                       ({"grid": {"speed": [1]}}, "grid.speed"),
                       ({"grid": {"fast": [5]}, "trainBars": 5000, "testBars": 500},
                        "trainBars"),
                       ({"grid": {"fast": [5]}, "metric": "SHARPE", "testBars": 1},
                        "testBars")):
        error = gql.error(OPTIMIZE, {"input": {"strategyId": strategy["id"]} | bad})
        assert error["extensions"]["field"] == field, error


def test_lists_cost_the_same_statements_whatever_their_length(
    server: LiveServer, gql: GraphQLClient, token: str,
) -> None:
    from ai_service.core.db import count_statements

    upload(gql, ORCL.read_bytes())
    for i in range(12):
        strategy = create(gql, name=f"S{i}", parameters={"fast": 5 + i, "slow": 60})
        gql.data(RUN, {"input": {"strategyId": strategy["id"], "from": "2013-01-01"}})
    query = """query($n: Int!) { backtests(first: $n) { edges { node { id status
      metrics { sharpe } strategy { name symbol } job { id } } } } }"""
    counts = []
    for size in (2, 12):
        with count_statements() as counter:
            edges = gql.data(query, {"n": size})["backtests"]["edges"]
        assert len(edges) == size
        counts.append(counter.count)
    # Authentication, the page, and one batch for all their strategies.
    assert counts == [3, 3]
    with count_statements() as counter:
        gql.data(STRATEGIES, {"first": 12})
    assert counter.count == 2


# --------------------------------------------------------------------------- signals


def signals_settled(server: LiveServer) -> None:
    """Every signal job done: each step of a test starts from a known evaluation point."""
    def done() -> bool:
        states = server.call(awaited(Job.filter(kind="trading.signals").values_list(
            "state", flat=True)))
        return all(state in (JobState.SUCCEEDED, JobState.DEAD) for state in states)

    wait_for(done, 30, what="the signal jobs")


def trending_bars(n: int, start: int = 1_600_000_000) -> BarColumns:
    """Daily bars falling, then rising from bar n/2: one SMA(5/20) cross up near the turn."""
    t = np.arange(n)
    close = np.where(t < n // 2, 300.0 - t, 300.0 - n // 2 + 2.0 * (t - n // 2))
    return BarColumns(start + 86400 * t, close, close + 1, close - 1, close, np.full(n, 1e6))


def test_an_active_strategy_signals_new_bars_once_and_tells_telegram(
    server: LiveServer, gql: GraphQLClient, token: str, fake_providers: FakeProviders,
) -> None:
    from fakes.telegram import TELEGRAM_CHAT_ID, TELEGRAM_TOKEN

    gql.data("""mutation($v: [IntegrationValueInput!]!) { setIntegration(provider: TELEGRAM,
                values: $v) { configured } }""",
             {"v": [{"key": "botToken", "value": TELEGRAM_TOKEN},
                    {"key": "chatId", "value": TELEGRAM_CHAT_ID}]})
    bars = trending_bars(400)
    history, fresh = bars.slice(0, 300), bars.slice(0, 400)
    upload(gql, csv_of(history), symbol="TREND")
    strategy = create(gql, symbol="TREND", parameters={"fast": 5, "slow": 20})
    active = gql.data(SET_STATUS, {"id": strategy["id"], "status": "ACTIVE"})["setStrategyStatus"]
    assert active["evaluatedThrough"] is not None  # history does not signal
    assert gql.data(SIGNALS, {"id": strategy["id"]})["signals"]["edges"] == []

    report = upload(gql, csv_of(fresh), symbol="TREND")
    assert report["inserted"] == 100
    signals_settled(server)
    # The turn (bar 200) and its cross up are history, from before the activation: the
    # 100 new, still rising bars want the same position, so they say nothing.
    assert gql.data(SIGNALS, {"id": strategy["id"]})["signals"]["edges"] == []

    # Now a fall: the fast average crosses down, long-only → EXIT_LONG on that bar.
    t = np.arange(400, 460)
    close = 397.0 - 5.0 * (t - 400)  # no bar where the averages tie: the cross is exact
    drop = BarColumns(1_600_000_000 + 86400 * t, close, close + 1, close - 1, close,
                      np.full(len(t), 1e6))
    upload(gql, csv_of(drop), symbol="TREND")

    def signalled() -> list[dict[str, Any]]:
        edges = gql.data(SIGNALS, {"id": strategy["id"]})["signals"]["edges"]
        return [e["node"] for e in edges if e["node"]["notifiedAt"]]

    [signal] = wait_for(signalled, 30, what="a signal")
    full = BarColumns(np.concatenate([bars.timestamps, drop.timestamps]),
                      np.concatenate([bars.open, drop.open]),
                      np.concatenate([bars.high, drop.high]),
                      np.concatenate([bars.low, drop.low]),
                      np.concatenate([bars.close, drop.close]))
    fast = np.convolve(full.close, np.ones(5) / 5, "valid")[15:]
    slow = np.convolve(full.close, np.ones(20) / 20, "valid")
    above = fast > slow
    cross_down = np.flatnonzero(above[:-1] & ~above[1:])[-1] + 1 + 19
    assert signal["action"] == "EXIT_LONG"
    assert signal["price"] == full.close[cross_down]
    from datetime import UTC, datetime

    assert signal["time"] == datetime.fromtimestamp(int(full.timestamps[cross_down]), UTC
                                                    ).isoformat()
    message = wait_for(lambda: [m for m in fake_providers.telegram_messages
                                if "TREND" in m["text"]], 15, what="the Telegram message")
    assert "exit the long position" in message[0]["text"]

    # Evaluating again (an import of the same bars, the schedule) adds nothing.
    upload(gql, csv_of(drop), symbol="TREND")
    server.call(server.services.signals.evaluate(
        server.call(server.services.trading.strategy(
            server.call(_user(server)), int(strategy["id"])))))
    assert len(gql.data(SIGNALS, {"id": strategy["id"]})["signals"]["edges"]) == 1
    assert len([m for m in fake_providers.telegram_messages if "TREND" in m["text"]]) == 1


async def _user(server: LiveServer) -> Any:
    from ai_service.users.models import User

    return await User.first()
