// Files dropped on the library: each one uploads (with its byte progress), then its ingestion
// job is followed until the document is READY or FAILED, and the library is told to refresh.
import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { useClient } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Field } from "../../components/Field";
import { FileDrop } from "../../components/FileDrop";
import { JobProgress, ProgressBar } from "../../components/ProgressBar";
import { graphql } from "../../gql";
import type { DocumentsDocumentFieldsFragment } from "../../gql/graphql";
import type { ServerError } from "../../lib/errors";
import { formatBytes } from "../../lib/format";
import { uploadMutation } from "../../lib/upload";
import { isFinished, useJob } from "../../lib/useJob";
import { StatusBadge, parseTags } from "./parts";
import { DocumentsUpload } from "./queries";

const DocumentsStatus = graphql(`
  query DocumentsStatus($id: ID!) { document(id: $id) { id status error note pageCount chunkCount } }
`);

/** An uploaded document, and the job that reads it. */
type Uploaded = Pick<DocumentsDocumentFieldsFragment, "id" | "title" | "status" | "error" | "note"> & { jobId?: string | null };

export interface UploadItem {
  key: number;
  file: File;
  phase: "waiting" | "uploading" | "ingesting" | "done" | "failed";
  progress: number;
  errors: ServerError[];
  document?: Uploaded;
}

const SETTLED = new Set(["READY", "FAILED"]);

/** Follows one document's ingestion; reports its final status once. */
function Ingestion({ item, onSettled }: { item: UploadItem; onSettled: (doc: Uploaded) => void }) {
  const client = useClient();
  const doc = item.document!;
  const job = useJob(doc.jobId);
  const reported = useRef(false);
  const finished = isFinished(job) || !doc.jobId;
  useEffect(() => {
    if (!finished || reported.current) return;
    reported.current = true;
    void client.query(DocumentsStatus, { id: doc.id }, { requestPolicy: "network-only" }).toPromise()
      .then((result) => onSettled({ ...doc, ...(result.data?.document ?? { status: "FAILED", error: "The document is gone." }) }));
  }, [finished, client, doc, onSettled]);
  return <JobProgress job={job} label={`Reading ${doc.title}`} />;
}

function Row({ item, onSettled }: { item: UploadItem; onSettled: (key: number, doc: Uploaded) => void }) {
  const settled = useCallback((doc: Uploaded) => onSettled(item.key, doc), [item.key, onSettled]);
  const doc = item.document;
  return (
    <li className="upload-item">
      <div className="row">
        <strong>{doc ? <Link to={`/documents/${doc.id}`}>{doc.title}</Link> : item.file.name}</strong>
        <span className="muted small">{formatBytes(item.file.size)}</span>
        {item.phase === "waiting" ? <span className="muted small">Waiting…</span> : null}
        {doc && item.phase === "done" ? <StatusBadge status={doc.status} /> : null}
      </div>
      {item.phase === "uploading" ? <ProgressBar value={item.progress} label={`Uploading ${item.file.name}`} /> : null}
      {item.phase === "ingesting" ? <Ingestion item={item} onSettled={settled} /> : null}
      {item.phase === "failed" ? <ErrorAlert errors={item.errors} /> : null}
      {doc?.error && item.phase === "done" ? <p className="field-error">{doc.error}</p> : null}
      {doc?.note && item.phase === "done" ? <p className="muted small">{doc.note}</p> : null}
    </li>
  );
}

export function Uploads({ onChanged }: { onChanged: () => void }) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const [tagText, setTagText] = useState("");
  const nextKey = useRef(1);

  const update = useCallback((key: number, patch: Partial<UploadItem>) => {
    setItems((list) => list.map((it) => (it.key === key ? { ...it, ...patch } : it)));
  }, []);

  const settled = useCallback((key: number, document: Uploaded) => {
    update(key, { phase: "done", document });
    onChanged();
  }, [update, onChanged]);

  // One file at a time: a NAS's upload link and its ingestion worker are both narrow.
  const start = async (files: File[]) => {
    const tags = parseTags(tagText);
    const added: UploadItem[] = files.map((file) => ({ key: nextKey.current++, file, phase: "waiting", progress: 0, errors: [] }));
    setItems((list) => [...added, ...list]);
    for (const item of added) {
      update(item.key, { phase: "uploading" });
      try {
        const result = await uploadMutation(DocumentsUpload, { tags: tags.length ? tags : null }, { file: item.file },
          (progress) => update(item.key, { progress }));
        const doc = result.data?.uploadDocument;
        if (!doc) {
          update(item.key, { phase: "failed", errors: result.errors.length ? result.errors : [{ message: "The upload failed." }] });
          continue;
        }
        const document: Uploaded = { id: doc.id, title: doc.title, status: doc.status, error: doc.error, note: doc.note, jobId: doc.job?.id };
        // The same file again is the same document, maybe long since ingested.
        update(item.key, { phase: SETTLED.has(doc.status) ? "done" : "ingesting", progress: 1, document });
        onChanged();
      } catch (error) {
        update(item.key, { phase: "failed", errors: [{ message: (error as Error).message }] });
      }
    }
  };

  const busy = items.some((it) => it.phase === "waiting" || it.phase === "uploading" || it.phase === "ingesting");
  return (
    <section className="card" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Add documents</h2>
      <p className="muted small">PDF, Word (.docx), HTML, Markdown, CSV or plain text. Each file is read, split into passages and indexed for search.</p>
      <div className="form-grid">
        <Field label="Tags for new uploads" hint="Optional, separated by commas.">
          <input value={tagText} onChange={(e) => setTagText(e.target.value)} placeholder="e.g. tax, 2024" />
        </Field>
      </div>
      <FileDrop label="Choose files" multiple onFiles={(files) => void start(files)} />
      {items.length ? (
        <>
          <ul className="upload-list" aria-label="Uploads">
            {items.map((item) => <Row key={item.key} item={item} onSettled={settled} />)}
          </ul>
          {!busy ? <button type="button" className="link" onClick={() => setItems([])}>Clear finished uploads</button> : null}
        </>
      ) : null}
    </section>
  );
}
