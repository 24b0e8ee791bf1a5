import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { DataTable, RowAction } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { EditDialog } from "../../components/EditDialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { FinanceRulesQuery } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { CategorySelect, categoryLabel, useAccounts, useCategories, useClientOptions, useTags, type AccountOption, type CategoryOption, type ClientOption, type TagOption } from "./common";
import { EMPTY_CONDITIONS, conditionsForm, conditionsInput, describeConditions, type ConditionsForm } from "./ruleConditions";
import { Suggestions } from "./Suggestions";
import { TagChip } from "./TagEditor";

const RulesQuery = graphql(`
  query FinanceRules { rules { id name priority enabled conditions categoryId clientId tagIds } }
`);
const CreateRule = graphql(`
  mutation FinanceCreateRule($input: RuleInput!) { createRule(input: $input) { id name priority enabled conditions categoryId clientId tagIds } }
`);
const UpdateRule = graphql(`
  mutation FinanceUpdateRule($id: ID!, $input: RuleInput!) { updateRule(id: $id, input: $input) { id name priority enabled conditions categoryId clientId tagIds } }
`);
const DeleteRule = graphql(`mutation FinanceDeleteRule($id: ID!) { deleteRule(id: $id) }`);
const ApplyRules = graphql(`mutation FinanceApplyRules { applyRules { categorised assignedToClients tagged } }`);

const RULE_TYPES = { additionalTypenames: ["Rule"] };

type RuleRow = FinanceRulesQuery["rules"][number];

export default function Rules() {
  const [result, refetch] = useQuery({ query: RulesQuery, context: RULE_TYPES });
  const { categories } = useCategories();
  const { accounts } = useAccounts();
  const { tags } = useTags();
  const { clients } = useClientOptions();
  const [editing, setEditing] = useState<RuleRow | "new" | null>(null);
  const [deleting, setDeleting] = useState<RuleRow | null>(null);
  const [deleted, remove] = useMutation(DeleteRule);
  const [applied, apply] = useMutation(ApplyRules);
  const rules = [...(result.data?.rules ?? [])].sort((a, b) => a.priority - b.priority);
  const categoryName = (id?: string | null) => {
    const c = categories.find((x) => x.id === id);
    return c ? categoryLabel(c, categories) : null;
  };
  const accountName = (id: string) => accounts.find((a) => a.id === id)?.name;

  return (
    <>
      <PageHeader
        title="Rules"
        description="Conditions that categorise, tag and assign transactions on import; the first matching rule (lowest priority number) decides."
        actions={<>
          <button type="button" disabled={applied.fetching || !rules.length} onClick={() => void apply({})}>{applied.fetching ? "Applying…" : "Apply rules now"}</button>
          <button type="button" className="primary" onClick={() => setEditing("new")}>New rule</button>
        </>}
      />
      <ErrorAlert error={applied.error} />
      {applied.data ? (
        <Alert tone="success">
          Rules applied: {applied.data.applyRules.categorised} categorised, {applied.data.applyRules.tagged} tagged, {applied.data.applyRules.assignedToClients} assigned to clients. What was already set stayed.
        </Alert>
      ) : null}
      <QueryState
        result={result}
        loading="Loading rules…"
        empty={!rules.length && (
          <EmptyState title="No rules yet.">
            <p>Create one (for example: description contains “netflix” → Subscriptions), or let the AI suggest some below.</p>
            <button type="button" className="primary" onClick={() => setEditing("new")}>New rule</button>
          </EmptyState>
        )}
      >
        <DataTable
          caption="Rules in the order they run" rows={rules} rowKey={(rule) => rule.id}
          columns={[
            { header: "Priority", numeric: true, cell: (rule) => rule.priority },
            { header: "Name", card: "title", cell: (rule) => rule.name },
            { header: "When", cell: (rule) => describeConditions(rule.conditions, accountName) },
            {
              header: "Then",
              cell: (rule) => (
                <>
                  {categoryName(rule.categoryId) ? <div>Category: {categoryName(rule.categoryId)}</div> : null}
                  {rule.clientId ? <div>Client: {clients.find((c) => c.id === rule.clientId)?.name ?? "—"}</div> : null}
                  {rule.tagIds.length ? (
                    <div className="row">{rule.tagIds.map((id) => tags.find((t) => t.id === id)).filter(Boolean).map((t) => <TagChip key={t!.id} tag={t!} />)}</div>
                  ) : null}
                </>
              ),
            },
            { header: "Status", cell: (rule) => (rule.enabled ? <Badge tone="good">Enabled</Badge> : <Badge>Disabled</Badge>) },
          ]}
          actions={(rule) => (
            <>
              <RowAction label="Edit" subject={`rule ${rule.name}`} onClick={() => setEditing(rule)} />
              <RowAction label="Delete" subject={`rule ${rule.name}`} className="danger" onClick={() => setDeleting(rule)} />
            </>
          )}
        />
      </QueryState>
      <Suggestions categories={categories} onAccepted={() => refetch({ requestPolicy: "network-only" })} />
      {editing !== null ? (
        <RuleDialog rule={editing === "new" ? null : editing} nextPriority={(rules.at(-1)?.priority ?? 0) + 10}
          accounts={accounts} tags={tags} clients={clients} categories={categories} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null} title="Delete this rule?" danger confirmLabel="Delete" busy={deleted.fetching} error={deleted.error}
        message={<>“{deleting?.name}” stops running. Transactions it already categorised keep their category.</>}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (deleting && !(await remove({ id: deleting.id })).error) {
            setDeleting(null);
            refetch({ requestPolicy: "network-only" });
          }
        }}
      />
    </>
  );
}

// The inputs the server may name; "conditions" is the group as a whole (none filled in).
const RULE_FIELDS = [
  "name", "priority", "conditions", "conditions.descriptionContains", "conditions.counterpartyContains",
  "conditions.counterpartyIban", "conditions.amountMin", "conditions.amountMax", "conditions.accountId",
  "categoryId", "clientId",
] as const;

function RuleDialog({ rule, nextPriority, accounts, tags, clients, categories, onClose }: {
  rule: RuleRow | null; nextPriority: number; onClose: () => void;
  accounts: readonly AccountOption[]; tags: readonly TagOption[]; clients: readonly ClientOption[];
  categories: readonly CategoryOption[];
}) {
  const [name, setName] = useState(rule?.name ?? "");
  const [conditions, setConditions] = useState<ConditionsForm>(rule ? conditionsForm(rule.conditions) : EMPTY_CONDITIONS);
  const [categoryId, setCategoryId] = useState(rule?.categoryId ?? "");
  const [clientId, setClientId] = useState(rule?.clientId ?? "");
  const [tagIds, setTagIds] = useState<string[]>(rule?.tagIds ?? []);
  const [priority, setPriority] = useState(String(rule?.priority ?? nextPriority));
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [created, create] = useMutation(CreateRule);
  const [updated, update] = useMutation(UpdateRule);
  const errors = fieldErrors(created.error ?? updated.error, RULE_FIELDS);
  const condition = (key: keyof ConditionsForm, value: string) => setConditions({ ...conditions, [key]: value });

  const submit = async () => {
    const input = {
      name: name.trim(), priority: Number(priority) || 0, enabled, conditions: conditionsInput(conditions),
      categoryId: categoryId || null, clientId: clientId || null, tagIds,
    };
    const outcome = rule ? await update({ id: rule.id, input }) : await create({ input });
    if (!outcome.error) onClose();
  };

  return (
    <EditDialog
      title={rule ? "Edit rule" : "New rule"} submitLabel={rule ? "Save rule" : "Create rule"}
      busy={created.fetching || updated.fetching} errors={errors.others} onSubmit={submit} onClose={onClose}
    >
      <Field label="Name" error={errors.field("name")}>
        <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
      </Field>
      <fieldset>
        <legend>When (all filled-in conditions must match)</legend>
        <div className="form-grid">
          <Field label="Description contains" error={errors.field("conditions.descriptionContains")}>
            <input value={conditions.descriptionContains} onChange={(e) => condition("descriptionContains", e.target.value)} />
          </Field>
          <Field label="Counterparty contains" error={errors.field("conditions.counterpartyContains")}>
            <input value={conditions.counterpartyContains} onChange={(e) => condition("counterpartyContains", e.target.value)} />
          </Field>
          <Field label="Counterparty IBAN" error={errors.field("conditions.counterpartyIban")}>
            <input value={conditions.counterpartyIban} onChange={(e) => condition("counterpartyIban", e.target.value)} spellCheck={false} />
          </Field>
          <Field label="Amount at least" hint="Negative for money out" error={errors.field("conditions.amountMin")}>
            <input inputMode="decimal" value={conditions.amountMin} onChange={(e) => condition("amountMin", e.target.value)} />
          </Field>
          <Field label="Amount at most" error={errors.field("conditions.amountMax")}>
            <input inputMode="decimal" value={conditions.amountMax} onChange={(e) => condition("amountMax", e.target.value)} />
          </Field>
          <Field label="Account" error={errors.field("conditions.accountId")}>
            <select value={conditions.accountId} onChange={(e) => condition("accountId", e.target.value)}>
              <option value="">Any account</option>
              {accounts.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </select>
          </Field>
        </div>
        {errors.field("conditions") ? <p className="field-error" role="alert">{errors.field("conditions")}</p> : null}
      </fieldset>
      <fieldset>
        <legend>Then</legend>
        <div className="form-grid">
          <Field label="Set category" error={errors.field("categoryId")}>
            <CategorySelect categories={categories} emptyLabel="Leave the category" value={categoryId} onChange={(e) => setCategoryId(e.target.value)} />
          </Field>
          {clients.length ? (
            <Field label="Assign client" error={errors.field("clientId")}>
              <select value={clientId} onChange={(e) => setClientId(e.target.value)}>
                <option value="">No client</option>
                {clients.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            </Field>
          ) : null}
        </div>
        {tags.length ? (
          <fieldset className="checks">
            <legend>Add tags</legend>
            {tags.map((t) => (
              <label key={t.id} className="check">
                <input type="checkbox" checked={tagIds.includes(t.id)}
                  onChange={(e) => setTagIds(e.target.checked ? [...tagIds, t.id] : tagIds.filter((id) => id !== t.id))} />
                {t.name}
              </label>
            ))}
          </fieldset>
        ) : <p className="muted small">Tags you create on transactions can be added by rules too.</p>}
      </fieldset>
      <div className="form-grid">
        <Field label="Priority" hint="Lower runs first" error={errors.field("priority")}>
          <input type="number" step={1} value={priority} onChange={(e) => setPriority(e.target.value)} />
        </Field>
        <label className="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled</label>
      </div>
    </EditDialog>
  );
}
