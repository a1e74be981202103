import type { ContactView } from "./contact.ts";
import { cooldownRecord, type Effect, withAttribute } from "./effects.ts";

/**
 * The one place an effect changes what the engine sees of a contact: a send joins the recent
 * sends (caps, streaks), a cooldown the cooldowns, an opt-out the opt-outs, an update node's
 * write the attributes (later branches and templates read the new value). `advance` applies
 * it as effects happen, so later decisions in the same call, later calls of the same `step` and
 * (through the view `step` returns) the contact's other enrollments all see them.
 *
 * Copy-on-append: reassigns the list it changes on `contact`, which the caller owns (a
 * shallow copy), so the lists of the view it was copied from stay as they were.
 */
export function noteEffect(contact: ContactView, e: Effect, journeyId: string): void {
  switch (e.type) {
    case "send":
      contact.recentSends = [
        ...contact.recentSends,
        {
          at: e.at,
          channel: e.channel,
          category: e.category,
          opened: false,
          journeyId,
          nodeId: e.nodeId,
        },
      ];
      // The number's count (rules/provider.ts) holds every SMS to it, this one included.
      if (contact.phoneSends && e.channel === "sms") {
        contact.phoneSends = [...contact.phoneSends, e.at];
      }
      return;
    case "cooldown":
      contact.cooldowns = [...contact.cooldowns, cooldownRecord(e, journeyId)];
      return;
    case "optOut":
      // A second STOP while already opted out changes nothing.
      if (contact.optOuts.some((o) => o.channel === "*" && o.category === "*" && o.at <= e.at)) {
        return;
      }
      contact.optOuts = [
        ...contact.optOuts,
        { channel: "*", category: "*", at: e.at, source: `reply ${e.keyword}` },
      ];
      return;
    case "attribute":
      contact.attributes = withAttribute(contact.attributes, e);
      return;
    case "log":
    case "converted":
    case "exited":
      return;
    default: {
      const never: never = e;
      throw new Error(`unknown effect ${JSON.stringify(never)}`);
    }
  }
}
