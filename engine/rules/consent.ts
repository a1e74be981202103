import type { Category } from "../shared/channels.ts";
import { sendLabel } from "./labels.ts";
import type { Policy, Rule } from "./types.ts";

/** Default: marketing needs an explicit grant; receipts and logistics do not. */
export function consentRequiredFor(policy: Policy, category: Category): boolean {
  return policy.consentRequired[category] ?? category === "promotional";
}

/**
 * Required categories need `granted: true` on the send's channel. An explicit
 * `granted: false` suppresses even a category that does not require consent: the contact
 * unticked it (DOMAIN: users choose categories at sign-up), and that choice is honoured.
 */
export const consentRule: Rule = (send, contact, policy) => {
  const record = contact.consent[send.channel]?.[send.category];
  const label = sendLabel(send.category, send.channel);
  if (record?.granted === false) {
    const via = record.source ? ` (${record.source})` : "";
    return { kind: "suppress", reason: "no_consent", detail: `declined ${label}${via}` };
  }
  if (consentRequiredFor(policy, send.category) && record?.granted !== true) {
    return { kind: "suppress", reason: "no_consent", detail: `no consent recorded for ${label}` };
  }
  return null;
};
