import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { Alert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { DataTable, RowAction } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { EditDialog } from "../../components/EditDialog";
import { Field } from "../../components/Field";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { Role, SettingsUserFieldsFragment } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { getSession, setSession } from "../../lib/session";
import { useSession } from "../../lib/useSession";
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

function InviteDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (reveal: Reveal) => void }) {
  const [email, setEmail] = useState("");
  const [fullName, setFullName] = useState("");
  const [role, setRole] = useState<Role>("MEMBER");
  const [created, create] = useMutation(CreateUser);
  const errors = fieldErrors(created.error, ["email", "fullName", "role"]);

  const submit = async () => {
    const password = generatePassword();
    const result = await create({ input: { email: email.trim(), fullName: fullName.trim(), role, password } });
    const user = result.data?.createUser;
    if (user) onCreated({ title: `${user.email} can sign in now`, email: user.email, password });
  };

  return (
    <EditDialog title="Invite a user" submitLabel="Create user" busyLabel="Creating…" busy={created.fetching}
      errors={errors.others} onSubmit={submit} onClose={onClose}>
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
    </EditDialog>
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
    <ConfirmDialog
      open title={texts.title} message={texts.body} confirmLabel={texts.label} danger={action.kind !== "role" && user.active}
      busy={updated.fetching || reset.fetching} error={updated.error ?? reset.error}
      onConfirm={confirm} onClose={onClose}
    />
  );
}

export function Users() {
  const session = useSession();
  const keyset = useKeyset();
  const [result] = useQuery({ query: UsersQuery, variables: { first: PAGE, after: keyset.after } });
  const [inviting, setInviting] = useState(false);
  const [action, setAction] = useState<Action | null>(null);
  const [reveal, setReveal] = useState<Reveal | null>(null);

  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in, and with which role."
        actions={<button type="button" className="primary" onClick={() => setInviting(true)}>Invite user</button>}
      />
      {reveal ? (
        <Alert tone="success" title={`${reveal.title}.`}>
          <p>Give them this password now; it is not shown again.</p>
          <CopyField label={`Password for ${reveal.email}`} value={reveal.password} />
          <button type="button" className="link" onClick={() => setReveal(null)}>Hide the password</button>
        </Alert>
      ) : null}
      <QueryState result={result}>
        {({ users }) => (
          <>
            <DataTable
              caption="Users" rows={users.edges.map((e) => e.node)} rowKey={(user) => user.id}
              columns={[
                {
                  header: "Name", card: "title",
                  cell: (user) => <>{user.fullName || <span className="muted">—</span>}{user.id === session?.user.id ? <span className="muted"> (you)</span> : null}</>,
                },
                { header: "Email", cell: (user) => user.email },
                { header: "Role", cell: (user) => roleName(user.role) },
                { header: "Status", cell: (user) => (user.active ? <Badge tone="good">Active</Badge> : <Badge tone="bad">Deactivated</Badge>) },
                { header: "Last sign-in", className: "nowrap", cell: (user) => (user.lastLoginAt ? formatDateTime(user.lastLoginAt) : <span className="muted">Never</span>) },
                { header: "Created", className: "nowrap", cell: (user) => formatDateTime(user.createdAt) },
              ]}
              actions={(user) => (
                <>
                  <RowAction label={user.role === "ADMIN" ? "Make member" : "Make admin"} subject={user.email} onClick={() => setAction({ kind: "role", user })} />
                  {user.id === session?.user.id ? null : (
                    <RowAction label={user.active ? "Deactivate" : "Reactivate"} subject={user.email} onClick={() => setAction({ kind: "active", user })} />
                  )}
                  <RowAction label="Reset password" subject={user.email} onClick={() => setAction({ kind: "reset", user })} />
                </>
              )}
            />
            <KeysetPager
              label="Users pages" previousLabel="← Earlier" nextLabel="Later →" hasPrevious={keyset.hasPrevious} hasNext={users.pageInfo.hasNextPage}
              onPrevious={keyset.previous} onNext={() => keyset.next(users.pageInfo.endCursor)}
            />
          </>
        )}
      </QueryState>
      {inviting ? (
        <InviteDialog onClose={() => setInviting(false)} onCreated={(next) => { setInviting(false); setReveal(next); }} />
      ) : null}
      <ActionDialog
        // A new dialog (and mutation state) for each action.
        key={action ? `${action.kind}-${action.user.id}` : "none"}
        action={action} onClose={() => setAction(null)}
        onReveal={(next) => { setAction(null); setReveal(next); }}
      />
    </>
  );
}
