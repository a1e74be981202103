import { instantLabel } from "./labels.ts";
import type { Rule } from "./types.ts";

/**
 * Opt-outs beat everything, transactional included: after STOP, carriers (and the law in
 * the US) allow nothing more on that channel. An opt-out matches on channel and category,
 * "*" matching any. It is lifted only by a LATER explicit grant for that exact channel and
 * category (a START or re-consent recorded after the opt-out); the server normally deletes
 * the opt-out on START, this just keeps a stale row from overriding a newer grant.
 */
export const optOutRule: Rule = (send, contact, _policy, _now, zone) => {
  const grant = contact.consent[send.channel]?.[send.category];
  const matching = contact.optOuts.filter(
    (o) =>
      (o.channel === "*" || o.channel === send.channel) &&
      (o.category === "*" || o.category === send.category) &&
      !(grant?.granted === true && grant.at !== undefined && grant.at > o.at),
  );
  const latest = matching.reduce<(typeof matching)[number] | undefined>(
    (acc, o) => (acc === undefined || o.at > acc.at ? o : acc),
    undefined,
  );
  if (!latest) return null;
  const scope = `${latest.channel === "*" ? "all channels" : latest.channel}/${latest.category === "*" ? "all categories" : latest.category}`;
  const via = latest.source ? ` via ${latest.source}` : "";
  return {
    kind: "suppress",
    reason: "opted_out",
    detail: `opted out of ${scope}${via} at ${instantLabel(latest.at, zone)}`,
  };
};
