import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Field } from "../../components/Field";
import { graphql } from "../../gql";
import { fieldErrors } from "../../lib/errors";
import { setSession } from "../../lib/session";

const NeedsSetup = graphql(`query SetupNeeded { needsSetup }`);
const CreateFirstAdmin = graphql(`
  mutation CreateFirstAdmin($email: String!, $password: String!, $fullName: String!) {
    createFirstAdmin(email: $email, password: $password, fullName: $fullName) { ...AuthPayloadFields }
  }
`);

/** First run: create the first administrator (the server refuses once any user exists). */
export function Setup() {
  const navigate = useNavigate();
  const [state] = useQuery({ query: NeedsSetup, requestPolicy: "network-only" });
  const [result, create] = useMutation(CreateFirstAdmin);
  const [fullName, setFullName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Set up · ai-service";
  }, []);

  if (state.data && !state.data.needsSetup) return <Navigate to="/login" replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) {
      setMismatch("The two passwords differ.");
      return;
    }
    setMismatch(null);
    const outcome = await create({ email: email.trim(), password, fullName: fullName.trim() });
    if (outcome.data?.createFirstAdmin) {
      setSession(outcome.data.createFirstAdmin);
      navigate("/", { replace: true });
    }
  };

  const errors = fieldErrors(result.error, ["fullName", "email", "password"]);
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Welcome to ai-service</h1>
        <p>No one has an account yet. Create the first administrator: you can invite others afterwards.</p>
        <ErrorAlert errors={errors.others} />
        <Field label="Your name" error={errors.field("fullName")}>
          <input autoComplete="name" value={fullName} onChange={(e) => setFullName(e.target.value)} />
        </Field>
        <Field label="Email" error={errors.field("email")}>
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password" hint="At least 12 characters." error={errors.field("password")}>
          <input type="password" autoComplete="new-password" required minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label="Repeat the password" error={mismatch}>
          <input type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={result.fetching}>{result.fetching ? "Creating…" : "Create the administrator"}</button>
      </form>
    </main>
  );
}
