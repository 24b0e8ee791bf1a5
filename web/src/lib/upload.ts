// Uploads with progress: the GraphQL multipart request spec over XMLHttpRequest (fetch cannot
// report upload progress). The token is refreshed first when it is about to expire.
import { print, type DocumentNode } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { freshSession, refreshSession } from "./refresh";
import { toServerError, type ServerError } from "./errors";

export interface UploadResult<T> {
  data?: T;
  errors: ServerError[];
}

interface Payload<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function send<T>(body: FormData, token: string | undefined, onProgress?: (fraction: number) => void,
                 signal?: AbortSignal): Promise<Payload<T>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/graphql");
    xhr.setRequestHeader("Accept", "application/json");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) as Payload<T>);
      } catch {
        reject(new Error(`The server answered ${xhr.status} ${xhr.statusText}.`));
      }
    };
    xhr.onerror = () => reject(new Error("The upload failed: the server could not be reached."));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}

function form(query: string, variables: Record<string, unknown>, files: Record<string, File>): FormData {
  const body = new FormData();
  const nulled: Record<string, unknown> = { ...variables };
  const map: Record<string, string[]> = {};
  Object.keys(files).forEach((name, index) => {
    nulled[name] = null;
    map[String(index)] = [`variables.${name}`];
  });
  body.append("operations", JSON.stringify({ query, variables: nulled }));
  body.append("map", JSON.stringify(map));
  Object.values(files).forEach((file, index) => body.append(String(index), file, file.name));
  return body;
}

/** Run a mutation whose `files` variables are uploads; `onProgress` gets 0..1. */
export async function uploadMutation<T, V extends Record<string, unknown>>(
  document: TypedDocumentNode<T, V> | DocumentNode,
  variables: Omit<V, keyof typeof files> & Record<string, unknown>,
  files: Record<string, File>,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadResult<T>> {
  const query = print(document);
  let session = await freshSession().catch(() => null);
  let payload = await send<T>(form(query, variables, files), session?.accessToken, onProgress, signal);
  const unauthenticated = payload.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED");
  if (unauthenticated && session) {
    session = await refreshSession().catch(() => null);
    if (session) payload = await send<T>(form(query, variables, files), session.accessToken, onProgress, signal);
  }
  return {
    data: payload.data ?? undefined,
    errors: (payload.errors ?? []).map(toServerError),
  };
}
