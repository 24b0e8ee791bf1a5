import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { PageHeader } from "../../components/PageHeader";
import { graphql } from "../../gql";
import type { Role, SettingsUserFieldsFragment } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { getSession, setSession } from "../../lib/session";
import { useSession } from "../../lib/useSession";
import { ConfirmAction } from "./ConfirmAction";
import { CopyField } from "./CopyField";
import { generatePassword } from "./password";

graphql(`
  fragment SettingsUserFields on User { id email fullName role active createdAt lastLoginAt }
`);

const UsersQuery = graphql(`
  query SettingsUsers($first: Int!, $after: String) {
    users(first: $first, after: $after) {
      edges { node { ...SettingsUserFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const CreateUser = graphql(`
  mutation SettingsCreateUser($input: CreateUserInput!) { createUser(input: $input) { ...SettingsUserFields } }
`);

const UpdateUser = graphql(`
  mutation SettingsUpdateUser($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ...SettingsUserFields } }
`);

const ResetPassword = graphql(`
  mutation SettingsResetUserPassword($id: ID!, $newPassword: String!) {
    resetUserPassword(id: $id, newPassword: $newPassword) { ...SettingsUserFields }
  }
`);

const PAGE = 25;

type User = SettingsUserFieldsFragment;
type Action = { kind: "role" | "active" | "reset"; user: User };
/** A password shown once, right after it was set. */
type Reveal = { title: string; email: string; password: string };

const roleName = (role: Role) => (role === "ADMIN" ? "Administrator" : "Member");

function InviteDialog({ open, onClose, onCreated }: {
  open: boolean; onClose: () => void; onCreated: (reveal: Reveal) => void;
}) {
  const [email, setEmail] = useState("");
  const [fullName, setFullName] = useState("");
  const [role, setRole] = useState<Role>("MEMBER");
  const [created, create] = useMutation(CreateUser);
  const errors = fieldErrors(created.error, ["email", "fullName", "role"]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const password = generatePassword();
    const result = await create({ input: { email: email.trim(), fullName: fullName.trim(), role, password } });
    const user = result.data?.createUser;
    if (user) {
      setEmail("");
      setFullName("");
      setRole("MEMBER");
      onCreated({ title: `${user.email} can sign in now`, email: user.email, password });
    }
  };

  return (
    <Dialog open={open} title="Invite a user" onClose={onClose}>
      <form onSubmit={submit}>
        <ErrorAlert errors={errors.others} />
        <Field label="Email" error={errors.field("email")}>
          <input type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Full name (optional)" error={errors.field("fullName")}>
          <input type="text" autoComplete="off" value={fullName} onChange={(e) => setFullName(e.target.value)} />
        </Field>
        <Field label="Role" hint="Administrators manage users, the instance-wide integrations and see the audit log." error={errors.field("role")}>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="MEMBER">Member</option>
            <option value="ADMIN">Administrator</option>
          </select>
        </Field>
        <p className="small muted">A strong initial password is generated in your browser and shown once, for you to pass on. They can change it on their Profile page.</p>
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={created.fetching}>{created.fetching ? "Creating…" : "Create user"}</button>
        </div>
      </form>
    </Dialog>
  );
}

function ActionDialog({ action, onClose, onReveal }: {
  action: Action | null; onClose: () => void; onReveal: (reveal: Reveal) => void;
}) {
  const [updated, update] = useMutation(UpdateUser);
  const [reset, resetPassword] = useMutation(ResetPassword);
  const user = action?.user;
  if (!action || !user) return null;
  const who = user.fullName ? `${user.fullName} (${user.email})` : user.email;

  const confirm = async () => {
    if (action.kind === "reset") {
      const password = generatePassword();
      const result = await resetPassword({ id: user.id, newPassword: password });
      if (result.data) onReveal({ title: `New password for ${user.email}`, email: user.email, password });
      return;
    }
    const input = action.kind === "role"
      ? { role: (user.role === "ADMIN" ? "MEMBER" : "ADMIN") as Role }
      : { active: !user.active };
    const result = await update({ id: user.id, input });
    if (result.data) {
      // Your own role changed: the menu and admin pages follow at once, not at the next refresh.
      const me = getSession();
      if (me && me.user.id === user.id) setSession({ ...me, user: { ...me.user, role: result.data.updateUser.role } });
      onClose();
    }
  };

  const texts = {
    role: user.role === "ADMIN"
      ? { title: "Make a member?", label: "Make member", body: `${who} will no longer manage users, the instance-wide integrations or see the audit log.` }
      : { title: "Make an administrator?", label: "Make administrator", body: `${who} will manage users and the instance-wide integrations, and see the audit log.` },
    active: user.active
      ? { title: "Deactivate this user?", label: "Deactivate", body: `${who} is signed out everywhere at once and can no longer sign in. Their data is kept; you can reactivate them later.` }
      : { title: "Reactivate this user?", label: "Reactivate", body: `${who} can sign in again with their password.` },
    reset: { title: "Reset the password?", label: "Reset password", body: `${who} is signed out everywhere. A new password is generated and shown once, for you to pass on.` },
  }[action.kind];

  return (
    <ConfirmAction
      open title={texts.title} confirmLabel={texts.label} danger={action.kind !== "role" && user.active}
      busy={updated.fetching || reset.fetching} error={updated.error ?? reset.error}
      onConfirm={confirm} onClose={onClose}
    >
      <p>{texts.body}</p>
    </ConfirmAction>
  );
}

export function Users() {
  const session = useSession();
  const keyset = useKeyset();
  const [result] = useQuery({ query: UsersQuery, variables: { first: PAGE, after: keyset.after } });
  const [inviting, setInviting] = useState(false);
  const [action, setAction] = useState<Action | null>(null);
  const [reveal, setReveal] = useState<Reveal | null>(null);
  const users = result.data?.users;

  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in, and with which role."
        actions={<button type="button" className="primary" onClick={() => setInviting(true)}>Invite user</button>}
      />
      <ErrorAlert error={result.error} />
      {reveal ? (
        <Alert tone="success" title={`${reveal.title}.`}>
          <p>Give them this password now; it is not shown again.</p>
          <CopyField label={`Password for ${reveal.email}`} value={reveal.password} />
          <button type="button" className="link" onClick={() => setReveal(null)}>Hide the password</button>
        </Alert>
      ) : null}
      {!users ? (
        result.error ? null : <p className="muted loading" role="status">Loading…</p>
      ) : (
        <>
          <div className="table-wrap settings-table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th>
                  <th scope="col">Last sign-in</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {users.edges.map(({ node: user }) => {
                  const self = user.id === session?.user.id;
                  return (
                    <tr key={user.id}>
                      <td>{user.fullName || <span className="muted">—</span>}{self ? <span className="muted"> (you)</span> : null}</td>
                      <td>{user.email}</td>
                      <td>{roleName(user.role)}</td>
                      <td>{user.active ? <Badge tone="good">Active</Badge> : <Badge tone="bad">Deactivated</Badge>}</td>
                      <td className="nowrap">{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : <span className="muted">Never</span>}</td>
                      <td className="nowrap">{formatDateTime(user.createdAt)}</td>
                      <td>
                        <div className="actions row-actions">
                          {/* The visible word starts the accessible name; the email says whose row. */}
                          <button type="button" onClick={() => setAction({ kind: "role", user })}>
                            {user.role === "ADMIN" ? "Make member" : "Make admin"}<span className="visually-hidden"> {user.email}</span>
                          </button>
                          {self ? null : (
                            <button type="button" onClick={() => setAction({ kind: "active", user })}>
                              {user.active ? "Deactivate" : "Reactivate"}<span className="visually-hidden"> {user.email}</span>
                            </button>
                          )}
                          <button type="button" onClick={() => setAction({ kind: "reset", user })}>
                            Reset password<span className="visually-hidden"> {user.email}</span>
                          </button>
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <KeysetPager
            label="Users pages" previousLabel="← Earlier" nextLabel="Later →" hasPrevious={keyset.hasPrevious} hasNext={users.pageInfo.hasNextPage}
            onPrevious={keyset.previous} onNext={() => keyset.next(users.pageInfo.endCursor)}
          />
        </>
      )}
      <InviteDialog
        open={inviting} onClose={() => setInviting(false)}
        onCreated={(next) => { setInviting(false); setReveal(next); }}
      />
      <ActionDialog
        // A new dialog (and mutation state) for each action.
        key={action ? `${action.kind}-${action.user.id}` : "none"}
        action={action} onClose={() => setAction(null)}
        onReveal={(next) => { setAction(null); setReveal(next); }}
      />
    </>
  );
}
