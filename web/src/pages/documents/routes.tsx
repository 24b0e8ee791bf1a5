import { Route, Routes } from "react-router";
import NotFound from "../NotFound";
import Detail from "./Detail";
import Library from "./Library";
import Search from "./Search";
import "./documents.css";

export default function DocumentsRoutes() {
  return (
    <Routes>
      <Route index element={<Library />} />
      <Route path="search" element={<Search />} />
      <Route path=":id" element={<Detail />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
