import { Route, Routes } from "react-router";
import NotFound from "../NotFound";
import { PageHeader } from "../../components/PageHeader";

// Placeholder until the trading pages land.
function Soon() {
  return <PageHeader title="trading" description="Coming next." />;
}

export default function TradingRoutes() {
  return (
    <Routes>
      <Route path="*" element={<Soon />} />
      <Route path="missing" element={<NotFound />} />
    </Routes>
  );
}
