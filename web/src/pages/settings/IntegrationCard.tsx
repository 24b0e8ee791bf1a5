import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { graphql } from "../../gql";
import type { IntegrationScope, SettingsIntegrationFieldsFragment, SettingsIntegrationProvidersQuery } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { changedValues, initialValues, type FieldSpec, type FieldValue, type FormValues } from "./integrationValues";
import { TelegramActions } from "./TelegramActions";

export const IntegrationFields = graphql(`
  fragment SettingsIntegrationFields on Integration {
    provider label configured scope status lastCheckedAt lastError updatedAt
    fields { name secret isSet value }
  }
`);

const SetIntegration = graphql(`
  mutation SettingsSetIntegration($provider: IntegrationProvider!, $values: [IntegrationValueInput!]!, $scope: IntegrationScope!) {
    setIntegration(provider: $provider, values: $values, scope: $scope) { ...SettingsIntegrationFields }
  }
`);

const TestIntegration = graphql(`
  mutation SettingsTestIntegration($provider: IntegrationProvider!, $scope: IntegrationScope!) {
    testIntegration(provider: $provider, scope: $scope) { ...SettingsIntegrationFields }
  }
`);

const DeleteIntegration = graphql(`
  mutation SettingsDeleteIntegration($provider: IntegrationProvider!, $scope: IntegrationScope!) {
    deleteIntegration(provider: $provider, scope: $scope)
  }
`);

export type ProviderInfo = SettingsIntegrationProvidersQuery["integrationProviders"][number];

/** Configured / tested OK / failed (with the message and when). */
export function IntegrationStatus({ integration }: { integration: SettingsIntegrationFieldsFragment }) {
  if (!integration.configured) return <Badge tone="neutral">Not configured</Badge>;
  if (integration.status === "CONNECTED") return <Badge tone="good">Tested OK</Badge>;
  if (integration.status === "FAILED") return <Badge tone="bad">Failed</Badge>;
  return <Badge tone="neutral">Configured, not tested</Badge>;
}

function FieldInput({ spec, stored, value, error, onChange }: {
  spec: FieldSpec; stored?: FieldValue; value: string; error: string | null; onChange: (value: string) => void;
}) {
  // The default is in the placeholder (or the first choice); the hint says it in words too.
  const showDefault = spec.default && spec.kind !== "BOOLEAN" && spec.kind !== "CHOICE" && !spec.secret;
  const hint = [spec.help, showDefault ? `Default: ${spec.default}` : null,
    spec.secret && stored?.isSet ? `Stored: ${stored.value ?? "set"}. Leave blank to keep it` : null]
    .filter(Boolean).map((s) => (/[.!?]$/.test(s as string) ? s : `${s}.`)).join(" ");
  // Required only while nothing is stored: a stored secret stays when its input is blank.
  const required = spec.required && !stored?.isSet;
  let control;
  if (spec.kind === "BOOLEAN") {
    return (
      <div className="field field-check">
        <label>
          <input type="checkbox" checked={value === "true"} onChange={(e) => onChange(e.target.checked ? "true" : "false")} />
          {" "}{spec.label}
        </label>
        {spec.help ? <small className="muted">{spec.help}</small> : null}
        {error ? <small className="field-error" role="alert">{error}</small> : null}
      </div>
    );
  } else if (spec.kind === "CHOICE") {
    control = (
      <select value={value} required={required} onChange={(e) => onChange(e.target.value)}>
        <option value="">{spec.default ? `Default (${spec.default})` : "Choose…"}</option>
        {spec.choices.map((choice) => <option key={choice} value={choice}>{choice}</option>)}
      </select>
    );
  } else if (spec.kind === "PEM") {
    control = (
      <textarea
        value={value} required={required} spellCheck={false} autoComplete="off" rows={4}
        placeholder={stored?.isSet ? "A key is stored; paste a new one to replace it" : "-----BEGIN PRIVATE KEY-----"}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    control = (
      <input
        type={spec.secret ? "password" : spec.kind === "INTEGER" ? "number" : "text"}
        // new-password: the browser must not offer the user's sign-in password here.
        autoComplete={spec.secret ? "new-password" : "off"}
        spellCheck={false}
        value={value} required={required}
        placeholder={spec.secret ? (stored?.isSet ? stored.value ?? "" : "") : spec.default ?? ""}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <Field label={`${spec.label}${spec.required ? "" : " (optional)"}`} hint={hint || undefined} error={error}>
      {control}
    </Field>
  );
}

export function IntegrationCard({ info, integration, scope, admin, note, onChanged }: {
  info: ProviderInfo; integration: SettingsIntegrationFieldsFragment; scope: IntegrationScope; admin: boolean;
  note?: string; onChanged: () => void;
}) {
  const headingId = useId();
  // What is stored, as a string: the form starts over when it changes (a save, a delete), not
  // when something else refetches the list while the user is typing.
  const storedKey = JSON.stringify(integration.fields);
  const initial = useMemo(() => initialValues(info.fields, integration.fields), [info.fields, storedKey]);
  const [values, setValues] = useState<FormValues>(initial);
  useEffect(() => setValues(initial), [initial]);
  const [notice, setNotice] = useState<{ tone: "success" | "info" | "error"; text: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saved, save] = useMutation(SetIntegration);
  const [tested, test] = useMutation(TestIntegration);
  const [deleted, remove] = useMutation(DeleteIntegration);
  const stored = new Map(integration.fields.map((f) => [f.name, f]));
  const vars = { provider: info.provider, scope };
  // A refused save names the value it is about (its key): the message goes under that input.
  const errors = fieldErrors(saved.error ?? tested.error, info.fields.map((f) => f.name));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const changes = changedValues(info.fields, initial, values);
    if (!changes.length) {
      setNotice({ tone: "info", text: "Nothing changed." });
      return;
    }
    setNotice(null);
    const result = await save({ ...vars, values: changes });
    const stored = result.data?.setIntegration;
    if (stored) {
      // Secret inputs go blank again: the stored secret now shows as its mask.
      setValues(initialValues(info.fields, stored.fields));
      setNotice({ tone: "success", text: "Saved. Test the connection to check the new values." });
    }
  };

  const runTest = async () => {
    setNotice(null);
    const result = await test(vars);
    const outcome = result.data?.testIntegration;
    if (outcome) {
      setNotice(outcome.status === "CONNECTED"
        ? { tone: "success", text: `${info.label}: the connection works.` }
        : { tone: "error", text: outcome.lastError || `${info.label}: the test failed.` });
    }
  };

  const runDelete = async () => {
    const result = await remove(vars);
    if (!result.error) {
      setConfirmDelete(false);
      setNotice({ tone: "info", text: "Deleted." });
      onChanged();
    }
  };

  return (
    <section className="card integration" aria-labelledby={headingId}>
      <header className="integration-header">
        <h2 id={headingId}>{info.label}</h2>
        <IntegrationStatus integration={integration} />
      </header>
      <p className="muted">
        {info.description}{" "}
        <a href={info.docsUrl} target="_blank" rel="noreferrer noopener">API documentation</a>
      </p>
      {info.notice ? <Alert tone="warning">{info.notice}</Alert> : null}
      {note ? <p className="small">{note}</p> : null}
      {integration.configured && integration.status === "FAILED" ? (
        <Alert tone="error" title="Last test failed.">
          {integration.lastError} {integration.lastCheckedAt ? <span className="muted">({formatDateTime(integration.lastCheckedAt)})</span> : null}
        </Alert>
      ) : integration.configured && integration.lastCheckedAt ? (
        <p className="small muted">Last tested {formatDateTime(integration.lastCheckedAt)}.</p>
      ) : null}
      <form onSubmit={submit} aria-label={`${info.label} settings`}>
        <div className="form-grid">
          {info.fields.map((spec) => (
            <FieldInput
              key={spec.name} spec={spec} stored={stored.get(spec.name)} value={values[spec.name] ?? ""} error={errors.field(spec.name)}
              onChange={(value) => setValues((v) => ({ ...v, [spec.name]: value }))}
            />
          ))}
        </div>
        <ErrorAlert errors={errors.others} />
        {notice && !tested.error ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
        {tested.fetching ? <p className="muted" role="status">Testing the connection…</p> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={saved.fetching}>{saved.fetching ? "Saving…" : "Save"}</button>
          <button type="button" onClick={runTest} disabled={!integration.configured || tested.fetching}>
            {tested.fetching ? "Testing…" : "Test"}
          </button>
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={!integration.configured}>Delete</button>
        </div>
      </form>
      {info.provider === "TELEGRAM" ? (
        <TelegramActions configured={Boolean(integration.configured)} canManageWebhook={admin && scope === "GLOBAL"} />
      ) : null}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete the ${info.label} integration?`}
        message={<>
          The stored credentials are forgotten{scope === "GLOBAL" ? " for everyone who uses the instance-wide integration" : ""}.
          This cannot be undone.
        </>}
        confirmLabel="Delete"
        danger
        busy={deleted.fetching}
        error={deleted.error}
        onConfirm={runDelete}
        onClose={() => setConfirmDelete(false)}
      />
    </section>
  );
}
