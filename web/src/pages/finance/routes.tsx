import { Navigate, Route, Routes } from "react-router";
import NotFound from "../NotFound";
import Accounts from "./Accounts";
import Banks from "./Banks";
import ClientDetail from "./ClientDetail";
import Clients from "./Clients";
import Import from "./Import";
import Insights from "./Insights";
import Rules from "./Rules";
import Transactions from "./Transactions";
import "./finance.css";

export default function FinanceRoutes() {
  return (
    <div className="finance">
    <Routes>
      <Route index element={<Navigate to="transactions" replace />} />
      <Route path="transactions" element={<Transactions />} />
      <Route path="accounts" element={<Accounts />} />
      <Route path="import" element={<Import />} />
      <Route path="banks" element={<Banks />} />
      <Route path="rules" element={<Rules />} />
      <Route path="clients" element={<Clients />} />
      <Route path="clients/:id" element={<ClientDetail />} />
      <Route path="insights" element={<Insights />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
    </div>
  );
}
