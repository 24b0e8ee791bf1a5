// Tags on one transaction or client: each shown with a remove button, and a small form that
// adds an existing tag by name or creates it first.
import { useId, useState, type FormEvent } from "react";
import { useClient } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { graphql } from "../../gql";
import type { TaggedEntity } from "../../gql/graphql";
import { serverErrors, type ServerError } from "../../lib/errors";
import type { TagOption } from "./common";

const CreateTag = graphql(`
  mutation FinanceCreateTag($name: String!) { createTag(name: $name) { id name color } }
`);
const TagEntity = graphql(`
  mutation FinanceTagEntity($tagId: ID!, $entityType: TaggedEntity!, $entityId: ID!) {
    tagEntity(tagId: $tagId, entityType: $entityType, entityId: $entityId)
  }
`);
const UntagEntity = graphql(`
  mutation FinanceUntagEntity($tagId: ID!, $entityType: TaggedEntity!, $entityId: ID!) {
    untagEntity(tagId: $tagId, entityType: $entityType, entityId: $entityId)
  }
`);


export function TagChip({ tag, onRemove, label }: { tag: TagOption; label?: string; onRemove?: () => void }) {
  return (
    <span className="tag-chip" style={tag.color ? { borderColor: tag.color } : undefined}>
      {tag.name}
      {onRemove ? (
        <button type="button" className="ghost tag-remove" aria-label={label ?? `Remove tag ${tag.name}`} onClick={onRemove}>×</button>
      ) : null}
    </span>
  );
}

export function TagEditor({ entityType, entityId, entityLabel, tags, allTags, onChanged }: {
  entityType: TaggedEntity; entityId: string; entityLabel: string;
  tags: readonly TagOption[]; allTags: readonly TagOption[]; onChanged: () => void;
}) {
  const client = useClient();
  const listId = useId();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ServerError[]>([]);

  const run = async (work: () => Promise<ServerError[]>) => {
    setBusy(true);
    const failed = await work();
    setErrors(failed);
    setBusy(false);
    if (!failed.length) onChanged();
    return failed;
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const wanted = name.trim();
    if (!wanted) return;
    const failed = await run(async () => {
      let tag = allTags.find((t) => t.name.toLowerCase() === wanted.toLowerCase());
      if (!tag) {
        const created = await client.mutation(CreateTag, { name: wanted }).toPromise();
        if (!created.data) return serverErrors(created.error);
        tag = created.data.createTag;
      }
      const tagged = await client.mutation(TagEntity, { tagId: tag.id, entityType, entityId }).toPromise();
      return serverErrors(tagged.error);
    });
    if (!failed.length) setName("");
  };

  const remove = (tag: TagOption) => run(async () => {
    const result = await client.mutation(UntagEntity, { tagId: tag.id, entityType, entityId }).toPromise();
    return serverErrors(result.error);
  });

  const unused = allTags.filter((t) => !tags.some((own) => own.id === t.id));
  return (
    <div className="tag-editor">
      {tags.map((tag) => (
        <TagChip key={tag.id} tag={tag} label={`Remove tag ${tag.name} from ${entityLabel}`} onRemove={() => void remove(tag)} />
      ))}
      <form className="tag-add" onSubmit={add}>
        <input
          aria-label={`Add a tag to ${entityLabel}`} placeholder="Add tag" list={listId} value={name}
          onChange={(e) => setName(e.target.value)} disabled={busy} maxLength={64}
        />
        <datalist id={listId}>{unused.map((t) => <option key={t.id} value={t.name} />)}</datalist>
        <button type="submit" disabled={busy || !name.trim()} aria-label={`Add tag to ${entityLabel}`}>+</button>
      </form>
      <ErrorAlert errors={errors} />
    </div>
  );
}
