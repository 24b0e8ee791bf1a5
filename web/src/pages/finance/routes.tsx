import { Route, Routes } from "react-router";
import NotFound from "../NotFound";
import { PageHeader } from "../../components/PageHeader";

// Placeholder until the finance pages land.
function Soon() {
  return <PageHeader title="finance" description="Coming next." />;
}

export default function FinanceRoutes() {
  return (
    <Routes>
      <Route path="*" element={<Soon />} />
      <Route path="missing" element={<NotFound />} />
    </Routes>
  );
}
