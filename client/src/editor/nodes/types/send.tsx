import type { ReactNode } from "react";
import type { Journey } from "../../../../../engine/index.ts";
import type { SendNode } from "../../../../../engine/nodes/send.ts";
import { namedVariant } from "../../../../../engine/nodes/send-variants.ts";
import type { Channel } from "../../../api.ts";
import { i18n, msgKey } from "../../../i18n/index.ts";
import { CATEGORY_LABELS } from "../../../i18n/labels.ts";
import { useCan } from "../../../permissions.ts";
import { EmailPreviewCard, emailFieldOverride } from "../../panel/EmailFields.tsx";
import { type Change, Select } from "../../panel/inputs.tsx";
import { PushPreviewCard, pushFieldOverride } from "../../panel/PushFields.tsx";
import { LOCALE_OPTIONS, SmsPreviewCard, TemplateEditor } from "../../panel/SendEditor.tsx";
import {
  SmsTemplatePreviewCard,
  smsTemplateFieldOverride,
} from "../../panel/SmsTemplateFields.tsx";
import { TestSendCard } from "../../panel/TestSend.tsx";
import { SendContentFields } from "../../panel/VariantTabs.tsx";
import { useVariantTab } from "../../panel/variant-tab.ts";
import { WebhookPreviewCard, webhookFieldOverride } from "../../panel/WebhookFields.tsx";
import { OneOutNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

/** The card's channel word: "SMS · promotional", "邮件 · 交易". */
const CHANNELS: Record<Channel, string> = {
  sms: msgKey("nodes.send.channel.sms"),
  email: msgKey("nodes.send.channel.email"),
  push: msgKey("nodes.send.channel.push"),
  webhook: msgKey("nodes.send.channel.webhook"),
};

export const sendUi: NodeUi<SendNode> = {
  get label() {
    return i18n.t("nodes.send.label");
  },
  get hint() {
    return i18n.t("nodes.send.hint");
  },
  color: "#16a34a",
  icon: { path: "M2 4h12v8H2zM2 4l6 5 6-5" },
  idPrefix: "sms",
  create: (id, position) => ({
    id,
    type: "send",
    send: { channel: "sms", category: "promotional", template: "Hi {{ user.firstName }}" },
    position,
  }),
  summary: (node) =>
    [
      i18n.t(CHANNELS[node.send.channel]),
      i18n.t(CATEGORY_LABELS[node.send.category]),
      ...(node.send.channel === "sms" && node.send.smsTemplate
        ? [node.send.smsTemplate.code || i18n.t("nodes.send.template")]
        : []),
    ].join(" · "),
  component: OneOutNode,
  field: sendField,
  Inspector: SendInspector,
};

/** The send's own inputs where the schema-derived ones are not enough; also a variant's. */
function sendField(
  node: SendNode,
  path: string,
  value: unknown,
  onChange: Change<unknown>,
): ReactNode | undefined {
  // Its content per locale in tabs (panel/VariantTabs.tsx), each tab through this same hook.
  if (path === "send") {
    return <SendContentFields node={node} value={value} onChange={onChange} field={sendField} />;
  }
  const email = emailFieldOverride(node, path);
  if (email !== undefined) return email;
  const push = pushFieldOverride(node, path);
  if (push !== undefined) return push;
  const webhook = webhookFieldOverride(node, path, value, onChange);
  if (webhook !== undefined) return webhook;
  const template = smsTemplateFieldOverride(node, path, value, onChange);
  if (template !== undefined) return template;
  if (path === "send.template") {
    return (
      <TemplateEditor
        value={typeof value === "string" ? value : ""}
        onChange={onChange}
        mergeKey="field:send.template"
      />
    );
  }
  if (path === "send.locale") {
    return (
      <Select
        label={i18n.t("nodes.send.optOutLocale")}
        value={typeof value === "string" ? value : ""}
        options={LOCALE_OPTIONS}
        hint={i18n.t("nodes.send.optOutLocaleHint")}
        onChange={(v) => onChange(v === "" ? undefined : v, null)}
      />
    );
  }
  return undefined;
}

/** The SMS, email, push or webhook request as it will go (and what it costs), and, for those allowed, a test send. */
function SendInspector({ node, doc }: { node: SendNode; doc: Journey }) {
  const can = useCan();
  // The variant tab the panel shows: previewed, counted and test-sent as that variant.
  const [tab] = useVariantTab(node.id);
  const named = namedVariant(node.send, tab);
  const send = named?.spec ?? node.send;
  const variant = named?.variant ?? undefined;
  return (
    <>
      {send.channel === "sms" && !send.smsTemplate && (
        <SmsPreviewCard key={tab} send={send} journey={{ id: doc.id, name: doc.name }} />
      )}
      {send.channel === "sms" && send.smsTemplate && (
        <SmsTemplatePreviewCard send={send} journey={{ id: doc.id, name: doc.name }} />
      )}
      {node.send.channel === "email" && (
        <EmailPreviewCard send={send} journey={{ id: doc.id, name: doc.name }} />
      )}
      {node.send.channel === "push" && (
        <PushPreviewCard send={send} journey={{ id: doc.id, name: doc.name }} />
      )}
      {node.send.channel === "webhook" && (
        <WebhookPreviewCard send={send} journey={{ id: doc.id, name: doc.name }} />
      )}
      {can("testSend") && (
        <TestSendCard
          journeyId={doc.id}
          nodeId={node.id}
          testList={doc.settings?.testList ?? []}
          variant={variant}
        />
      )}
    </>
  );
}
