import { useState } from "react";
import { useQuery } from "urql";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { IntegrationScope } from "../../gql/graphql";
import { useSession } from "../../lib/useSession";
import { AiUsage } from "./AiUsage";
import { IntegrationCard } from "./IntegrationCard";

const ProvidersQuery = graphql(`
  query SettingsIntegrationProviders {
    integrationProviders {
      provider label description docsUrl notice
      fields { name label kind secret required default choices help }
    }
  }
`);

const IntegrationsQuery = graphql(`
  query SettingsIntegrations($scope: IntegrationScope!) {
    integrations(scope: $scope) { ...SettingsIntegrationFields }
    applies: integrations { provider configured scope }
  }
`);

export function Integrations() {
  const session = useSession();
  const admin = session?.user.role === "ADMIN";
  // Admins manage the instance-wide integrations by default; members only ever their own.
  const [scope, setScope] = useState<IntegrationScope>(admin ? "GLOBAL" : "USER");
  const [providers] = useQuery({ query: ProvidersQuery });
  const [current, refetch] = useQuery({ query: IntegrationsQuery, variables: { scope } });
  const reload = () => refetch({ requestPolicy: "network-only" });

  const byProvider = new Map(current.data?.integrations.map((i) => [i.provider, i]));
  const applies = new Map(current.data?.applies.map((i) => [i.provider, i]));
  // One state for both queries: the cards need the providers and what is stored.
  const both = { data: providers.data && current.data ? providers.data : null, error: providers.error ?? current.error };

  return (
    <>
      <PageHeader
        title="Integrations"
        description="API keys and accounts of the services ai-service talks to. Secrets are stored encrypted and never shown again."
      />
      {admin ? (
        <fieldset className="card scope-switch">
          <legend>Whose integrations</legend>
          <label>
            <input type="radio" name="scope" value="GLOBAL" checked={scope === "GLOBAL"} onChange={() => setScope("GLOBAL")} />
            {" "}Instance-wide (every user without their own)
          </label>
          <label>
            <input type="radio" name="scope" value="USER" checked={scope === "USER"} onChange={() => setScope("USER")} />
            {" "}Only mine (overrides the instance-wide one for you)
          </label>
        </fieldset>
      ) : (
        <p className="muted">
          These are your own integrations. Where you set none, the instance-wide one an administrator configured applies.
        </p>
      )}
      <QueryState result={both}>
        {({ integrationProviders }) => integrationProviders.map((info) => {
          const integration = byProvider.get(info.provider);
          if (!integration) return null;
          const effective = applies.get(info.provider);
          let note: string | undefined;
          if (scope === "USER" && !integration.configured && effective?.scope === "GLOBAL") {
            note = "The instance-wide integration applies to you until you set your own.";
          } else if (scope === "GLOBAL" && effective?.scope === "USER") {
            note = "Your own integration overrides this one for you.";
          }
          return (
            <IntegrationCard
              // A fresh form for the other scope; within one, the card follows what is stored.
              key={`${scope}-${info.provider}`}
              info={info}
              integration={integration}
              scope={scope}
              admin={admin}
              note={note}
              onChanged={reload}
            />
          );
        })}
      </QueryState>
      <AiUsage admin={admin} />
    </>
  );
}
