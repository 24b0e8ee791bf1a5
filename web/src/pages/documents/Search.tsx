import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { fieldErrors } from "../../lib/errors";
import { useDebounced } from "../../lib/useDebounced";
import { Highlight } from "./highlight";
import { DocumentsAsk, DocumentsSearch } from "./queries";

const LIMIT = 20;

/** Where a citation or hit points: the document, at its page when it has one. */
export function passageLink(documentId: string, page: number | null | undefined): string {
  return page ? `/documents/${documentId}?page=${page}` : `/documents/${documentId}`;
}

function Results({ query }: { query: string }) {
  const [result] = useQuery({ query: DocumentsSearch, variables: { query, limit: LIMIT }, pause: !query });
  if (!query) return null;
  const hits = result.data?.searchDocuments ?? [];
  return (
    <QueryState
      result={result}
      loading="Searching…"
      empty={!hits.length && (
        <EmptyState title={`Nothing found for “${query}”.`}>
          Try other words, or <Link to="/documents">add the documents</Link> that should hold it.
        </EmptyState>
      )}
    >
      <ol className="hit-list" aria-label="Search results">
        {hits.map((hit, i) => (
          <li key={i} className="card hit">
            <div className="row">
              <Link to={passageLink(hit.document.id, hit.page)}><strong>{hit.document.title}</strong></Link>
              {hit.page ? <span className="muted small">page {hit.page}</span> : null}
              {hit.byVector ? <Badge>by meaning</Badge> : null}
              {hit.byKeyword ? <Badge>by words</Badge> : null}
              <span className="muted small" title="Relevance (higher is better; compare within this search only)">
                score {hit.score.toFixed(3)}
              </span>
            </div>
            <p className="passage"><Highlight text={hit.text} query={query} /></p>
          </li>
        ))}
      </ol>
    </QueryState>
  );
}

function Ask() {
  const [question, setQuestion] = useState("");
  const [result, ask] = useMutation(DocumentsAsk);
  const answer = result.data?.askDocuments;
  const errors = fieldErrors(result.error, ["question"]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (question.trim()) void ask({ question: question.trim() });
  };
  return (
    <section className="card" aria-labelledby="ask-heading">
      <h2 id="ask-heading">Ask a question</h2>
      <p className="muted small">Answered by your AI provider from the passages that match, with the passages it used.</p>
      <form onSubmit={submit}>
        <Field label="Question" error={errors.field("question")}>
          <textarea required rows={2} value={question} onChange={(e) => setQuestion(e.target.value)}
            placeholder="e.g. How much notice do I need to give to end the service contract?" />
        </Field>
        <button type="submit" className="primary" disabled={result.fetching || !question.trim()}>
          {result.fetching ? "Asking…" : "Ask"}
        </button>
      </form>
      {result.fetching ? <p className="muted" role="status">Finding passages and asking the AI…</p> : null}
      <ErrorAlert errors={errors.others} />
      {answer && !result.fetching ? (
        answer.grounded ? (
          <div className="answer" aria-live="polite">
            <h3>Answer</h3>
            <p className="answer-text">{answer.answer}</p>
            {answer.citations.length ? (
              <>
                <h3>Sources</h3>
                <ol className="citations">
                  {answer.citations.map((c, i) => (
                    <li key={i}>
                      <Link to={passageLink(c.document.id, c.page)}>
                        {c.document.title}{c.page ? `, page ${c.page}` : ""}
                      </Link>
                      <blockquote>{c.passage}</blockquote>
                    </li>
                  ))}
                </ol>
              </>
            ) : null}
            <p className="muted small">{[answer.provider, answer.model].filter(Boolean).join(" · ")}</p>
          </div>
        ) : (
          <Alert tone="info">{answer.answer}</Alert>
        )
      ) : null}
    </section>
  );
}

export default function Search() {
  // The search lives in the URL (?q=), so it survives Back from a result.
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get("q") ?? "");
  const query = useDebounced(text.trim(), 350);
  const change = (value: string) => {
    setText(value);
    setParams(value.trim() ? { q: value } : {}, { replace: true });
  };
  return (
    <>
      <PageHeader title="Search & ask" description="Find passages in your documents by their words or their meaning, or ask a question about them." />
      <section className="card" aria-labelledby="search-heading">
        <h2 id="search-heading">Search</h2>
        <form role="search" onSubmit={(e) => e.preventDefault()}>
          <Field label="Search your documents" hint="Words are matched in any form; passages with a similar meaning are found too.">
            <input type="search" value={text} onChange={(e) => change(e.target.value)} />
          </Field>
        </form>
      </section>
      <Results query={query} />
      <Ask />
    </>
  );
}
