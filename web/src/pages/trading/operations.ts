// GraphQL shared by several trading pages. Every name starts with "Trading": operation names
// are unique across the whole app.
import { graphql } from "../../gql";

export const TradingMetricsFields = graphql(`
  fragment TradingMetricsFields on BacktestMetrics {
    totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownDays winRate
    profitFactor tradeCount exposure buyAndHoldReturn
  }
`);

export const TradingStrategyFields = graphql(`
  fragment TradingStrategyFields on Strategy {
    id name kind symbol timeframe parameters status evaluatedThrough createdAt updatedAt
    risk { positionSize stopLossPct takeProfitPct feeBps slippageBps allowShort }
  }
`);

export const TradingStrategyKinds = graphql(`
  query TradingStrategyKinds {
    strategyKinds { kind parameters { name description default minimum maximum integer exclusive } }
  }
`);

export const TradingMarketSymbols = graphql(`
  query TradingMarketSymbols { marketSymbols { symbol timeframe first last barCount } }
`);

export const TradingUpdateStrategy = graphql(`
  mutation TradingUpdateStrategy($id: ID!, $input: UpdateStrategyInput!) {
    updateStrategy(id: $id, input: $input) { ...TradingStrategyFields }
  }
`);
