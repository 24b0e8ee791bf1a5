// Light, dark, or the system's choice; remembered per browser.
export type Theme = "light" | "dark" | "system";
const KEY = "ai-service.theme";

export function getTheme(): Theme {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

export function effectiveTheme(theme = getTheme()): "light" | "dark" {
  if (theme !== "system") return theme;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function applyTheme(theme = getTheme()): void {
  if (theme === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, theme);
  document.documentElement.dataset.theme = effectiveTheme(theme);
  window.dispatchEvent(new CustomEvent("ai-service-theme"));
}

/** Read a CSS custom property (charts draw with the theme's colours). */
export function cssVar(name: string, fallback = "#888"): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}
