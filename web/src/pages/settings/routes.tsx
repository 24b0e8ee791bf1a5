import { Route, Routes } from "react-router";
import NotFound from "../NotFound";
import { PageHeader } from "../../components/PageHeader";

// Placeholder until the settings pages land.
function Soon() {
  return <PageHeader title="settings" description="Coming next." />;
}

export default function SettingsRoutes() {
  return (
    <Routes>
      <Route path="*" element={<Soon />} />
      <Route path="missing" element={<NotFound />} />
    </Routes>
  );
}
