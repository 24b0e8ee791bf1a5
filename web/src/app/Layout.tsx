import { useEffect, useRef, useState } from "react";
import { Link, Outlet, useLocation } from "react-router";
import { signOut } from "../lib/client";
import { useSession } from "../lib/useSession";
import { applyTheme, getTheme, type Theme } from "../lib/theme";
import { NAV, currentNavItem } from "./nav";

export function Layout() {
  const session = useSession();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [theme, setTheme] = useState<Theme>(getTheme);
  const menuButton = useRef<HTMLButtonElement>(null);
  const main = useRef<HTMLElement>(null);
  const current = currentNavItem(location.pathname);
  const admin = session?.user.role === "ADMIN";

  // A new page: close the phone menu and move focus to the content for keyboard users.
  useEffect(() => {
    setMenuOpen(false);
  }, [location.pathname]);

  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setMenuOpen(false);
        menuButton.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [menuOpen]);

  const changeTheme = (next: Theme) => {
    setTheme(next);
    applyTheme(next);
  };

  return (
    <div className={`shell${menuOpen ? " menu-open" : ""}`}>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
      <header className="topbar">
        <button
          ref={menuButton} type="button" className="menu-button ghost" aria-expanded={menuOpen} aria-controls="sidebar"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
        <Link to="/" className="brand">ai-service</Link>
        <div className="topbar-end">
          <label className="theme-picker">
            <span className="visually-hidden">Theme</span>
            <select value={theme} onChange={(e) => changeTheme(e.target.value as Theme)}>
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <Link to="/profile" className="user-link">{session?.user.fullName || session?.user.email}</Link>
          <button type="button" className="ghost" onClick={() => signOut()}>Sign out</button>
        </div>
      </header>
      {menuOpen ? <div className="backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} /> : null}
      <nav id="sidebar" className="sidebar" aria-label="Main">
        {NAV.map((group) => {
          const items = group.items.filter((item) => !item.adminOnly || admin);
          return (
            <div key={group.label} className="nav-group">
              <h2 className="nav-heading">{group.label}</h2>
              <ul>
                {items.map((item) => (
                  <li key={item.to}>
                    <Link to={item.to} aria-current={current?.to === item.to ? "page" : undefined}>{item.label}</Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
        <div className="nav-group">
          <ul><li><a href="/graphiql">GraphiQL</a></li></ul>
        </div>
      </nav>
      <main id="main" ref={main} tabIndex={-1} className="content">
        <Outlet />
      </main>
    </div>
  );
}
