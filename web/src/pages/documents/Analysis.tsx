// The AI analysis of one document: run it, show summary, entities and topics, and add a
// suggested tag with one click.
import { useMutation } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import type { DocumentsDetailQuery } from "../../gql/graphql";
import { formatDateTime } from "../../lib/format";
import { DocumentsAnalyze } from "./queries";

type Doc = DocumentsDetailQuery["document"];

export function Analysis({ document, onAddTag, addingTag }: {
  document: Doc; onAddTag: (tag: string) => void; addingTag: boolean;
}) {
  const [result, analyze] = useMutation(DocumentsAnalyze);
  const analysis = document.analysis;
  const ready = document.status === "READY";
  const have = new Set(document.tags.map((t) => t.toLowerCase()));

  return (
    <section className="card" aria-labelledby="analysis-heading">
      <h2 id="analysis-heading">AI analysis</h2>
      {!analysis ? (
        <p className="muted">A summary, the people and organisations named, the topics and some tags, written by your AI provider from the document's text.</p>
      ) : null}
      <div className="actions">
        <button type="button" className={analysis ? undefined : "primary"} disabled={!ready || result.fetching}
          onClick={() => void analyze({ id: document.id })}>
          {result.fetching ? "Analysing…" : analysis ? "Analyse again" : "Analyse with AI"}
        </button>
        {!ready ? <span className="muted small">Available once the document is ready.</span> : null}
      </div>
      {result.fetching ? <p className="muted" role="status">Asking the AI provider; this can take a little while…</p> : null}
      <ErrorAlert error={result.error} />
      {analysis ? (
        <div className="doc-analysis">
          <h3>Summary</h3>
          <p>{analysis.summary}</p>
          {analysis.topics.length ? (
            <>
              <h3>Topics</h3>
              <ul className="doc-tags">{analysis.topics.map((t) => <li key={t}><Badge>{t}</Badge></li>)}</ul>
            </>
          ) : null}
          {analysis.entities.length ? (
            <>
              <h3>Named in it</h3>
              <ul>{analysis.entities.map((e, i) => <li key={i}>{e.name} <span className="muted small">({e.type.toLowerCase()})</span></li>)}</ul>
            </>
          ) : null}
          {analysis.suggestedTags.length ? (
            <>
              <h3>Suggested tags</h3>
              <ul className="doc-tags">
                {analysis.suggestedTags.map((tag) => (
                  <li key={tag}>
                    {have.has(tag.toLowerCase()) ? (
                      <Badge tone="good">{tag} ✓</Badge>
                    ) : (
                      <button type="button" className="small" disabled={addingTag} aria-label={`Add tag ${tag}`} onClick={() => onAddTag(tag)}>
                        + {tag}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <p className="muted small">
            {[analysis.provider, analysis.model].filter(Boolean).join(" · ")}
            {analysis.analyzedAt ? ` · ${formatDateTime(analysis.analyzedAt)}` : ""}
          </p>
        </div>
      ) : null}
    </section>
  );
}
