// Every backtest, newest first.
import { Link } from "react-router";
import { EmptyState } from "../../components/EmptyState";
import { PageHeader } from "../../components/PageHeader";
import { BacktestsTable } from "./BacktestsTable";

export default function Backtests() {
  return (
    <>
      <PageHeader title="Backtests" description="Every strategy run on past bars, newest first." />
      <BacktestsTable
        first={25}
        empty={
          <EmptyState title="No backtests yet.">
            Open a <Link to="/trading/strategies">strategy</Link> and run one from its page.
          </EmptyState>
        }
      />
    </>
  );
}
