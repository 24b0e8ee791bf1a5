// A backtest's figures as a definition list of stat tiles; "—" where a figure is undefined
// (no trades: no win rate; a flat curve: no Sharpe).
import type { TradingMetricsFieldsFragment } from "../../gql/graphql";
import { amount, num, pct, ratio } from "./util";

export function MetricsGrid({ metrics, finalEquity }: { metrics: TradingMetricsFieldsFragment; finalEquity?: number | null }) {
  const tiles: [string, string, string?][] = [
    ["Total return", pct(metrics.totalReturn), `Buy and hold: ${pct(metrics.buyAndHoldReturn)}`],
    ["CAGR", pct(metrics.cagr)],
    ["Max drawdown", pct(-metrics.maxDrawdown, false), `Longest under water: ${num(Math.round(metrics.maxDrawdownDays))} days`],
    ["Sharpe ratio", ratio(metrics.sharpe)],
    ["Sortino ratio", ratio(metrics.sortino)],
    ["Volatility", pct(metrics.volatility, false), "Annualised"],
    ["Win rate", pct(metrics.winRate, false)],
    ["Profit factor", ratio(metrics.profitFactor)],
    ["Trades", String(metrics.tradeCount)],
    ["Exposure", pct(metrics.exposure, false), "Share of bars in the market"],
  ];
  if (finalEquity != null) tiles.splice(1, 0, ["Final equity", amount(finalEquity)]);
  return (
    <dl className="trading-metrics">
      {tiles.map(([label, value, note]) => (
        <div key={label} className="card">
          <dt className="muted small">{label}</dt>
          <dd className="stat">{value}</dd>
          {note ? <dd className="muted small">{note}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
