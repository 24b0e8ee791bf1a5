import { Navigate, Route, Routes } from "react-router";
import NotFound from "../NotFound";
import { AdminOnly } from "./AdminOnly";
import { Audit } from "./Audit";
import { Integrations } from "./Integrations";
import { Jobs } from "./Jobs";
import { Users } from "./Users";
import "./settings.css";

export default function SettingsRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="integrations" replace />} />
      <Route path="integrations" element={<Integrations />} />
      <Route path="users" element={<AdminOnly title="Users"><Users /></AdminOnly>} />
      <Route path="audit" element={<AdminOnly title="Audit log"><Audit /></AdminOnly>} />
      <Route path="jobs" element={<Jobs />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
