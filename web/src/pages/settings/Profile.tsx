import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import { fieldErrors } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { MIN_PASSWORD_LENGTH } from "./password";
import "./settings.css";

const MeQuery = graphql(`query SettingsMe { me { id email fullName role createdAt lastLoginAt } }`);
const ChangePassword = graphql(`
  mutation SettingsChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

type Problem = { field: "new" | "repeat"; message: string };

/** What is wrong with the new password before asking the server, or null. */
export function passwordProblem(next: string, repeat: string): Problem | null {
  if (next.length < MIN_PASSWORD_LENGTH) {
    return { field: "new", message: `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  if (next !== repeat) return { field: "repeat", message: "The two new passwords differ." };
  return null;
}

function ChangePasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState(false);
  const [result, change] = useMutation(ChangePassword);
  // The server names the field it refuses (currentPassword / newPassword): show it there.
  const errors = fieldErrors(result.error, ["currentPassword", "newPassword"]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    const local = passwordProblem(next, repeat);
    setProblem(local);
    if (local) return;
    const outcome = await change({ currentPassword: current, newPassword: next });
    if (outcome.data?.changePassword) {
      setCurrent("");
      setNext("");
      setRepeat("");
      setDone(true);
    }
  };

  return (
    <form className="card profile-password" onSubmit={submit} aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      {done ? (
        <Alert tone="success" title="Password changed.">
          Your other sessions (other browsers and devices) were signed out; this one stays signed in.
        </Alert>
      ) : null}
      <ErrorAlert errors={errors.others} />
      <Field label="Current password" error={errors.field("currentPassword")}>
        <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
      </Field>
      <Field label="New password" hint={`At least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words are easy to remember and hard to guess.`}
        error={errors.field("newPassword") ?? (problem?.field === "new" ? problem.message : null)}>
        <input type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} />
      </Field>
      <Field label="Repeat the new password" error={problem?.field === "repeat" ? problem.message : null}>
        <input type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </Field>
      <button type="submit" className="primary" disabled={result.fetching}>{result.fetching ? "Changing…" : "Change password"}</button>
    </form>
  );
}

export default function Profile() {
  const [me] = useQuery({ query: MeQuery });
  return (
    <>
      <PageHeader title="Profile" description="Your account on this instance." />
      <QueryState result={me}>
        {({ me: user }) => (
          <section className="card" aria-labelledby="account-heading">
            <h2 id="account-heading">Account</h2>
            <dl className="profile-facts">
              <dt>Email</dt><dd>{user.email}</dd>
              <dt>Name</dt><dd>{user.fullName || <span className="muted">—</span>}</dd>
              <dt>Role</dt><dd>{user.role === "ADMIN" ? "Administrator" : "Member"}</dd>
              <dt>Last sign-in</dt><dd>{formatDateTime(user.lastLoginAt)}</dd>
              <dt>Member since</dt><dd>{formatDateTime(user.createdAt)}</dd>
            </dl>
          </section>
        )}
      </QueryState>
      <ChangePasswordForm />
    </>
  );
}
