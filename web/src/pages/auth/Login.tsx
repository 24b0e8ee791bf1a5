import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Field } from "../../components/Field";
import { graphql } from "../../gql";
import { errorCode, errorMessage } from "../../lib/errors";
import { clearSessionEnded, sessionEndedReason, setSession } from "../../lib/session";
import { useSession } from "../../lib/useSession";

const NeedsSetup = graphql(`query NeedsSetup { needsSetup }`);
const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { ...AuthPayloadFields }
  }
`);

/** Only paths of this app, never another origin, are followed after signing in (browsers read
 * "/\\host" and "/%09/host" as other origins too, hence the URL parser). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/")) return "/";
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

export function Login() {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [setup] = useQuery({ query: NeedsSetup, requestPolicy: "network-only" });
  const [result, login] = useMutation(LoginMutation);
  const [ended] = useState(sessionEndedReason);
  const next = safeNext(params.get("next"));

  useEffect(() => {
    document.title = "Sign in · ai-service";
    clearSessionEnded();  // said once
  }, []);

  if (session) return <Navigate to={next} replace />;
  if (setup.data?.needsSetup) return <Navigate to="/setup" replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const outcome = await login({ email: email.trim(), password });
    const payload = outcome.data?.login;
    if (payload) {
      setSession(payload);
      navigate(next, { replace: true });
    }
  };

  const code = errorCode(result.error);
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate={false}>
        <h1>Sign in to ai-service</h1>
        {ended && !result.error ? <Alert tone="info">{ended}</Alert> : null}
        {code === "RATE_LIMITED" ? (
          <Alert tone="error" title="Too many attempts.">{errorMessage(result.error)}</Alert>
        ) : (
          <ErrorAlert error={result.error} />
        )}
        <Field label="Email">
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={result.fetching}>{result.fetching ? "Signing in…" : "Sign in"}</button>
        <p className="muted small">Forgot your password? An administrator can reset it in Settings → Users, or with <code>ai-service users reset-password</code>.</p>
      </form>
    </main>
  );
}
