import { afterEach, describe, expect, it, vi } from "vitest";
import { refreshSession } from "./refresh";
import { expiresSoon, getSession, setSession, type Session } from "./session";

const user = { id: "1", email: "a@b.c", fullName: "", role: "ADMIN" as const };
const session = (token: string, minutes = 10): Session => ({
  accessToken: `access-${token}`,
  refreshToken: `refresh-${token}`,
  expiresAt: new Date(Date.now() + minutes * 60_000).toISOString(),
  user,
});

afterEach(() => vi.unstubAllGlobals());

describe("refreshSession", () => {
  it("exchanges the refresh token once, however many callers ask at the same time", async () => {
    setSession(session("old", 0));
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ data: { refreshToken: session("new") } })));
    vi.stubGlobal("fetch", fetchMock);
    const [a, b] = await Promise.all([refreshSession(), refreshSession()]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(a?.accessToken).toBe("access-new");
    expect(b?.accessToken).toBe("access-new");
    const init = (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(JSON.parse(String(init.body)).variables).toEqual({ token: "refresh-old" });
    expect(getSession()?.refreshToken).toBe("refresh-new");
  });

  it("signs out when the server refuses the refresh token", async () => {
    setSession(session("spent", 0));
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ data: null, errors: [{ message: "expired", extensions: { code: "UNAUTHENTICATED" } }] }))));
    expect(await refreshSession()).toBeNull();
    expect(getSession()).toBeNull();
  });

  it("keeps the session when the server fails for another reason", async () => {
    setSession(session("kept", 0));
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ data: null, errors: [{ message: "Internal", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }))));
    await expect(refreshSession()).rejects.toThrow("could not be refreshed");
    expect(getSession()?.refreshToken).toBe("refresh-kept");
  });

  it("keeps the session when the network fails", async () => {
    setSession(session("kept", 0));
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("offline"); }));
    await expect(refreshSession()).rejects.toThrow("offline");
    expect(getSession()?.refreshToken).toBe("refresh-kept");
  });
});

describe("expiresSoon", () => {
  it("is true within the margin and for an unreadable date", () => {
    expect(expiresSoon(session("x", 10))).toBe(false);
    expect(expiresSoon(session("x", 0.25))).toBe(true);
    expect(expiresSoon({ ...session("x"), expiresAt: "garbage" })).toBe(true);
  });
});
