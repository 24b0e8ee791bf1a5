import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { ConfirmDialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { Loading } from "../../components/QueryState";
import { JobProgress } from "../../components/ProgressBar";
import { fieldErrors } from "../../lib/errors";
import { formatBytes, formatDateTime } from "../../lib/format";
import { isFinished, useJob } from "../../lib/useJob";
import { Analysis } from "./Analysis";
import { fetchFile, openBlankTab, openPdf, saveBlob } from "./download";
import { StatusBadge, TagList, fileKind, parseTags } from "./parts";
import { DocumentsDelete, DocumentsDetail, DocumentsUpdate } from "./queries";

/** The page a citation pointed at (?page=N), if it is a sensible number. */
export function citedPage(value: string | null): number | null {
  const page = Number(value);
  return Number.isInteger(page) && page > 0 ? page : null;
}

/** Follows a document still being read, and refreshes the page when that is done. */
function Ingesting({ jobId, title, onDone }: { jobId: string; title: string; onDone: () => void }) {
  const job = useJob(jobId);
  const done = isFinished(job);
  const reported = useRef(false);
  useEffect(() => {
    if (done && !reported.current) {
      reported.current = true;
      onDone();
    }
  }, [done, onDone]);
  return <JobProgress job={job} label={`Reading ${title}`} />;
}

export default function Detail() {
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  const page = citedPage(params.get("page"));
  const navigate = useNavigate();
  const [detail, refetch] = useQuery({ query: DocumentsDetail, variables: { id } });
  const [update, runUpdate] = useMutation(DocumentsUpdate);
  const [removal, runDelete] = useMutation(DocumentsDelete);
  const [title, setTitle] = useState("");
  const [tags, setTags] = useState("");
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [loadingFile, setLoadingFile] = useState(false);
  const blobUrls = useRef<string[]>([]);
  const doc = detail.data?.document;

  // The form starts from what the server has, again after each save.
  useEffect(() => {
    if (!doc) return;
    setTitle(doc.title);
    setTags(doc.tags.join(", "));
  }, [doc?.id, doc?.updatedAt]); // not on every refetch: keep what is being typed

  useEffect(() => () => blobUrls.current.forEach((url) => URL.revokeObjectURL(url)), []);

  if (detail.error && !doc) {
    return (
      <>
        <PageHeader title="Document" />
        <ErrorAlert error={detail.error} />
        <p><Link to="/documents">Back to the library</Link></p>
      </>
    );
  }
  if (!doc) return <Loading />;

  const updateErrors = fieldErrors(update.error, ["title", "tags"]);
  const isPdf = doc.mimeType === "application/pdf";
  const busy = doc.status === "PENDING" || doc.status === "PROCESSING";
  const refresh = () => refetch({ requestPolicy: "network-only" });

  const withFile = async (use: (blob: Blob) => void, tab: Window | null = null) => {
    setFileError(null);
    setLoadingFile(true);
    try {
      use(await fetchFile(doc.downloadUrl));
    } catch (error) {
      tab?.close();
      setFileError((error as Error).message);
    } finally {
      setLoadingFile(false);
    }
  };
  const download = () => withFile((blob) => saveBlob(blob, doc.filename));
  const open = () => {
    const tab = openBlankTab();
    return withFile((blob) => blobUrls.current.push(openPdf(blob, page, tab)), tab);
  };

  const save = async (tagList: string[], newTitle = title.trim()) => {
    setSaved(false);
    const result = await runUpdate({ id: doc.id, title: newTitle, tags: tagList });
    if (!result.error) {
      setSaved(true);
      refresh();
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(parseTags(tags));
  };
  const remove = async () => {
    const result = await runDelete({ id: doc.id });
    if (result.data?.deleteDocument) navigate("/documents", { replace: true });
  };

  return (
    <>
      <PageHeader
        title={doc.title}
        description={<Link to="/documents">← Library</Link>}
        actions={
          <>
            {isPdf ? <button type="button" onClick={() => void open()} disabled={loadingFile}>Open{page ? ` at page ${page}` : ""}</button> : null}
            <button type="button" onClick={() => void download()} disabled={loadingFile}>Download</button>
            <button type="button" className="danger" onClick={() => setConfirming(true)}>Delete…</button>
          </>
        }
      />
      {page ? (
        <Alert tone="info" title={`Cited passage on page ${page}.`}>
          {isPdf ? "Open the PDF to go straight to that page (it opens in a new tab)." : "Download the file to read it."}
        </Alert>
      ) : null}
      {loadingFile ? <p className="muted" role="status">Fetching the file…</p> : null}
      {fileError ? <Alert tone="error">{fileError}</Alert> : null}

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <dl className="doc-meta">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={doc.status} />
            {doc.error ? <div className="field-error">{doc.error}</div> : null}
            {doc.note ? <div className="muted">{doc.note}</div> : null}
          </dd>
          <dt>File</dt><dd>{doc.filename}</dd>
          <dt>Type</dt><dd>{fileKind(doc.mimeType)}</dd>
          <dt>Size</dt><dd>{formatBytes(doc.sizeBytes)}</dd>
          {doc.pageCount != null ? <><dt>Pages</dt><dd>{doc.pageCount}</dd></> : null}
          <dt>Passages indexed</dt><dd>{doc.chunkCount}</dd>
          <dt>Tags</dt><dd><TagList tags={doc.tags} /></dd>
          <dt>Added</dt><dd>{formatDateTime(doc.createdAt)}</dd>
          <dt>Changed</dt><dd>{formatDateTime(doc.updatedAt)}</dd>
          <dt>SHA-256</dt><dd><code className="doc-hash">{doc.sha256}</code></dd>
        </dl>
        {busy && doc.job ? <Ingesting jobId={doc.job.id} title={doc.title} onDone={refresh} /> : null}
        {doc.status === "FAILED" ? (
          <p className="muted small">Fix the file (for example, save it again as PDF or .docx) and upload it again, or delete this one.</p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="edit-heading">
        <h2 id="edit-heading">Title and tags</h2>
        <form onSubmit={submit}>
          <ErrorAlert errors={updateErrors.others} />
          {saved && !update.fetching ? <Alert tone="success">Saved.</Alert> : null}
          <div className="form-grid">
            <Field label="Title" error={updateErrors.field("title")}>
              <input required maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} />
            </Field>
            <Field label="Tags" hint="Separated by commas." error={updateErrors.field("tags")}>
              <input value={tags} onChange={(e) => setTags(e.target.value)} />
            </Field>
          </div>
          <button type="submit" className="primary" disabled={update.fetching}>{update.fetching ? "Saving…" : "Save"}</button>
        </form>
      </section>

      <Analysis document={doc} addingTag={update.fetching}
        onAddTag={(tag) => void save([...doc.tags, tag], doc.title)} />

      <ConfirmDialog
        open={confirming} title="Delete this doc?" confirmLabel="Delete" danger busy={removal.fetching} error={removal.error}
        message={`“${doc.title}”, its file and its search index are deleted. This cannot be undone.`}
        onConfirm={() => void remove()} onClose={() => setConfirming(false)}
      />
    </>
  );
}
