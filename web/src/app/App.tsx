import { lazy, Suspense, useMemo, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { Provider } from "urql";
import { Loading } from "../components/QueryState";
import { createClient } from "../lib/client";
import { useSession } from "../lib/useSession";
import { Layout } from "./Layout";
import { Login } from "../pages/auth/Login";
import { Setup } from "../pages/auth/Setup";

// Each area is its own chunk, loaded when first visited.
const Dashboard = lazy(() => import("../pages/Dashboard"));
const Finance = lazy(() => import("../pages/finance/routes"));
const Trading = lazy(() => import("../pages/trading/routes"));
const Documents = lazy(() => import("../pages/documents/routes"));
const Settings = lazy(() => import("../pages/settings/routes"));
const Profile = lazy(() => import("../pages/settings/Profile"));
const NotFound = lazy(() => import("../pages/NotFound"));

function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`} replace />;
  }
  return <>{children}</>;
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route path="/setup" element={<Setup />} />
        <Route element={<RequireAuth><Layout /></RequireAuth>}>
          <Route index element={<Suspense fallback={<Loading />}><Dashboard /></Suspense>} />
          <Route path="finance/*" element={<Suspense fallback={<Loading />}><Finance /></Suspense>} />
          <Route path="trading/*" element={<Suspense fallback={<Loading />}><Trading /></Suspense>} />
          <Route path="documents/*" element={<Suspense fallback={<Loading />}><Documents /></Suspense>} />
          <Route path="settings/*" element={<Suspense fallback={<Loading />}><Settings /></Suspense>} />
          <Route path="profile" element={<Suspense fallback={<Loading />}><Profile /></Suspense>} />
          <Route path="*" element={<Suspense fallback={<Loading />}><NotFound /></Suspense>} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  // One client per signed-in user: signing out (or in as someone else) drops the cache.
  const session = useSession();
  const userId = session?.user.id ?? "anonymous";
  const client = useMemo(() => createClient(), [userId]);
  return (
    <Provider value={client}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </Provider>
  );
}
