import { useState } from "react";
import { useMutation } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { graphql } from "../../gql";

const SendTest = graphql(`
  mutation SettingsSendTestNotification { sendTestNotification { delivered message } }
`);
const RegisterWebhook = graphql(`
  mutation SettingsRegisterTelegramWebhook { registerTelegramWebhook { url botUsername } }
`);
const UnregisterWebhook = graphql(`
  mutation SettingsUnregisterTelegramWebhook { unregisterTelegramWebhook }
`);

/** A test message to the chat that applies to you; the bot's webhook (instance-wide bot only). */
export function TelegramActions({ configured, canManageWebhook }: { configured: boolean; canManageWebhook: boolean }) {
  const [sent, send] = useMutation(SendTest);
  const [registered, register] = useMutation(RegisterWebhook);
  const [unregistered, unregister] = useMutation(UnregisterWebhook);
  const [webhook, setWebhook] = useState<string | null>(null);

  const outcome = sent.data?.sendTestNotification;
  return (
    <div className="telegram-actions">
      <h3>Notifications</h3>
      <div className="actions">
        <button type="button" onClick={() => void send({})} disabled={sent.fetching}>
          {sent.fetching ? "Sending…" : "Send a test message"}
        </button>
        {canManageWebhook ? (
          <>
            <button
              type="button" disabled={!configured || registered.fetching}
              onClick={async () => {
                const result = await register({});
                const hook = result.data?.registerTelegramWebhook;
                if (hook) setWebhook(`The bot${hook.botUsername ? ` @${hook.botUsername}` : ""} now answers commands at ${hook.url}.`);
              }}
            >Register the bot's webhook</button>
            <button
              type="button" disabled={!configured || unregistered.fetching}
              onClick={async () => {
                const result = await unregister({});
                if (result.data) setWebhook(result.data.unregisterTelegramWebhook ? "The webhook is removed: the bot no longer answers commands." : "No webhook was set.");
              }}
            >Unregister the webhook</button>
          </>
        ) : null}
      </div>
      <p className="small muted">
        The test message goes to the chat that applies to you{canManageWebhook ? "; the webhook lets the instance's bot answer /status and the other commands" : ""}.
      </p>
      {outcome ? <Alert tone={outcome.delivered ? "success" : "error"}>{outcome.message}</Alert> : null}
      <ErrorAlert error={sent.error ?? registered.error ?? unregistered.error} />
      {webhook ? <Alert tone="success">{webhook}</Alert> : null}
    </div>
  );
}
