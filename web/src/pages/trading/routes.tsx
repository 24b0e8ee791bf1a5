import { Navigate, Route, Routes } from "react-router";
import NotFound from "../NotFound";
import BacktestDetail from "./BacktestDetail";
import Backtests from "./Backtests";
import MarketData from "./MarketData";
import OptimizationDetail from "./OptimizationDetail";
import Strategies from "./Strategies";
import StrategyDetail from "./StrategyDetail";
import "./trading.css";

export default function TradingRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="strategies" replace />} />
      <Route path="strategies" element={<Strategies />} />
      <Route path="strategies/:id" element={<StrategyDetail />} />
      <Route path="market-data" element={<MarketData />} />
      <Route path="backtests" element={<Backtests />} />
      <Route path="backtests/:id" element={<BacktestDetail />} />
      <Route path="optimizations/:id" element={<OptimizationDetail />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
