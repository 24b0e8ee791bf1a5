import { Route, Routes } from "react-router";
import NotFound from "../NotFound";
import { PageHeader } from "../../components/PageHeader";

// Placeholder until the documents pages land.
function Soon() {
  return <PageHeader title="documents" description="Coming next." />;
}

export default function DocumentsRoutes() {
  return (
    <Routes>
      <Route path="*" element={<Soon />} />
      <Route path="missing" element={<NotFound />} />
    </Routes>
  );
}
