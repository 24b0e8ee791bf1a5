import { useCallback, useEffect, useMemo, useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert } from "../../components/Alert";
import { DataTable } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import type { DocumentStatus } from "../../gql/graphql";
import { formatBytes, formatDate, isoDate } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { usePollWhile } from "../../lib/usePollWhile";
import { useSession } from "../../lib/useSession";
import { StatusBadge, TagList, fileKind } from "./parts";
import { DocumentsList, DocumentsReindex, DocumentsTags } from "./queries";
import { Uploads } from "./Uploads";

const PAGE_SIZE = 25;
const STATUSES: DocumentStatus[] = ["READY", "PENDING", "PROCESSING", "FAILED"];
const BUSY = new Set(["PENDING", "PROCESSING"]);

function ReindexAll() {
  const [open, setOpen] = useState(false);
  const [result, reindex] = useMutation(DocumentsReindex);
  const confirm = async () => {
    if (!(await reindex({})).error) setOpen(false);
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>Re-index all…</button>
      <ConfirmDialog
        open={open} title="Re-index every document" confirmLabel="Re-index" busy={result.fetching} error={result.error}
        message="Every user's documents are read and indexed again (needed after the embedding model changed). Search is incomplete until it finishes."
        onConfirm={() => void confirm()} onClose={() => setOpen(false)}
      />
      {result.data ? <Alert tone="success">{result.data.reindexDocuments} documents queued for indexing.</Alert> : null}
    </>
  );
}

export default function Library() {
  const admin = useSession()?.user.role === "ADMIN";
  const [text, setText] = useState("");
  const [tag, setTag] = useState("");
  const [status, setStatus] = useState<DocumentStatus | "">("");
  const search = useDebounced(text.trim(), 300);
  const keyset = useKeyset();
  const { reset } = keyset;
  const filter = useMemo(() => ({ search: search || null, tag: tag || null, status: status || null }), [search, tag, status]);
  const filtered = Boolean(search || tag || status);

  useEffect(() => reset(), [filter, reset]);

  const [list, refetch] = useQuery({ query: DocumentsList, variables: { first: PAGE_SIZE, after: keyset.after, filter } });
  const [tags, refetchTags] = useQuery({ query: DocumentsTags });
  const refresh = useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]);
  // Uploads go around urql (XHR, for progress): new tags they bring need asking for.
  const uploaded = useCallback(() => {
    refresh();
    refetchTags({ requestPolicy: "network-only" });
  }, [refresh, refetchTags]);

  const documents = list.data?.documents.edges.map((e) => e.node) ?? [];
  const pageInfo = list.data?.documents.pageInfo;

  // Documents being read (uploaded elsewhere, or re-indexed): keep their status current.
  const anyBusy = documents.some((d) => BUSY.has(d.status));
  usePollWhile(anyBusy, refresh);

  return (
    <>
      <PageHeader
        title="Documents"
        description="Your files, read and indexed so you can search them and ask questions about them."
        actions={<><Link to="/documents/search">Search &amp; ask</Link>{admin ? <ReindexAll /> : null}</>}
      />
      <Uploads onChanged={uploaded} />

      <section aria-labelledby="library-heading">
        <h2 id="library-heading">Library</h2>
        <form className="filters" role="search" aria-label="Filter documents" onSubmit={(e) => e.preventDefault()}>
          <Field label="Title or file name">
            <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
          </Field>
          <Field label="Tag">
            <select value={tag} onChange={(e) => setTag(e.target.value)}>
              <option value="">Any tag</option>
              {(tags.data?.tags ?? []).map((t) => <option key={t.id} value={t.name}>{t.name}</option>)}
            </select>
          </Field>
          <Field label="Status">
            <select value={status} onChange={(e) => setStatus(e.target.value as DocumentStatus | "")}>
              <option value="">Any status</option>
              {STATUSES.map((s) => <option key={s} value={s}>{s.charAt(0) + s.slice(1).toLowerCase()}</option>)}
            </select>
          </Field>
        </form>

        <QueryState
          result={list}
          loading="Loading documents…"
          empty={!documents.length && (filtered ? (
            <EmptyState title="No document matches these filters.">
              <button type="button" onClick={() => { setText(""); setTag(""); setStatus(""); }}>Clear the filters</button>
            </EmptyState>
          ) : (
            <EmptyState title="No documents yet.">
              Drop a file on “Add documents” above, or press “Choose files”: PDFs, Word files, HTML, Markdown, CSV or text.
            </EmptyState>
          ))}
        >
          <DataTable
            caption="Documents, newest first" rows={documents} rowKey={(d) => d.id}
            columns={[
              {
                header: "Title", card: "title",
                cell: (d) => <><Link to={`/documents/${d.id}`}>{d.title}</Link>{d.filename !== d.title ? <div className="muted small">{d.filename}</div> : null}</>,
              },
              { header: "Type", cell: (d) => fileKind(d.mimeType) },
              { header: "Size", numeric: true, cell: (d) => formatBytes(d.sizeBytes) },
              { header: "Pages", numeric: true, cell: (d) => d.pageCount ?? "—" },
              {
                header: "Status",
                cell: (d) => (
                  <>
                    <StatusBadge status={d.status} />
                    {d.error ? <div className="field-error small">{d.error}</div> : null}
                    {d.note ? <div className="muted small">{d.note}</div> : null}
                  </>
                ),
              },
              { header: "Tags", cell: (d) => <TagList tags={d.tags} /> },
              { header: "Added", cell: (d) => formatDate(isoDate(new Date(d.createdAt))) },
            ]}
          />
        </QueryState>
        {keyset.hasPrevious || pageInfo?.hasNextPage ? (
          <KeysetPager
            label="Document pages" hasPrevious={keyset.hasPrevious} hasNext={Boolean(pageInfo?.hasNextPage)}
            onPrevious={keyset.previous} onNext={() => keyset.next(pageInfo?.endCursor)}
          />
        ) : null}
      </section>
    </>
  );
}
