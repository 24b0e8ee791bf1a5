// The file of a document: GET downloadUrl with the bearer token (never a token in the URL),
// then handed to the browser as a blob.
import { freshSession, refreshSession } from "../../lib/refresh";

async function get(url: string, token: string | undefined): Promise<Response> {
  return fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

/** The file's bytes, or an Error with the server's message. */
export async function fetchFile(url: string): Promise<Blob> {
  let session = await freshSession().catch(() => null);
  let response = await get(url, session?.accessToken);
  if (response.status === 401 && session) {
    session = await refreshSession().catch(() => null);
    if (session) response = await get(url, session.accessToken);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { errors?: { message: string }[] } | null;
    throw new Error(body?.errors?.[0]?.message ?? `The download failed (${response.status}).`);
  }
  return response.blob();
}

/** Save a blob under `filename` through a temporary <a download>. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** A tab opened during the click (later, a popup blocker would refuse it), to be pointed at
 * the file once it has been fetched. */
export function openBlankTab(): Window | null {
  const tab = window.open("", "_blank");
  if (tab) tab.opener = null;
  return tab;
}

/** Show a PDF blob in `tab` at `page` (the browser's PDF viewer reads #page=N). Only PDFs: a
 * blob URL is on our origin, so an HTML file opened this way could run scripts. */
export function openPdf(blob: Blob, page: number | null, tab: Window | null): string {
  const url = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
  const target = page ? `${url}#page=${page}` : url;
  if (tab) tab.location.href = target;
  else window.open(target, "_blank", "noopener");
  return url;
}
