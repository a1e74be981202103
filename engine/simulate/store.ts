import type { ContactView, JourneyEvent } from "../contact.ts";
import { cooldownRecord, type Effect, withAttribute } from "../effects.ts";
import type { ConsentRecord } from "../rules/index.ts";
import { CATEGORIES, type Category, CHANNELS, type Channel } from "../shared/channels.ts";

/** A contact as the CLI and tests describe it; everything but `id` is optional. */
export type SimContact = {
  id: string;
  timezone?: string;
  phone?: string;
  email?: string;
  locale?: string;
  attributes?: Record<string, unknown>;
  /** The saved audiences the contact is in (condition branches); none when absent. */
  audiences?: readonly string[];
  /** Per channel and category; anything not listed has no record (as on the server). */
  consent?: Partial<Record<Channel, Partial<Record<Category, boolean | ConsentRecord>>>>;
} & Partial<Pick<ContactView, "optOuts" | "recentSends" | "cooldowns">>;

/**
 * Consent exactly as given, as the server reads a contact's consent column: nothing listed is
 * no record, so a category that requires consent (promotional, by default) is suppressed
 * `no_consent` here as it is live. (The simulator once granted everything not listed and
 * predicted sends the server then held back.)
 */
function consentOf(given: SimContact["consent"]): ContactView["consent"] {
  const out: ContactView["consent"] = {};
  for (const ch of CHANNELS) {
    const row: Partial<Record<Category, ConsentRecord>> = {};
    for (const cat of CATEGORIES) {
      const v = given?.[ch]?.[cat];
      if (v !== undefined) row[cat] = typeof v === "boolean" ? { granted: v } : v;
    }
    if (Object.keys(row).length > 0) out[ch] = row;
  }
  return out;
}

/**
 * The in-memory stand-in for the contact tables: what the ticker would load before `advance`
 * and write back after. Shared by every journey in one simulation, so caps and cooldowns
 * apply across journeys as they do in production.
 */
export class ContactStore {
  private contact: ContactView;

  constructor(sim: SimContact) {
    const view: ContactView = {
      id: sim.id,
      attributes: sim.attributes ?? {},
      consent: consentOf(sim.consent),
      optOuts: sim.optOuts ?? [],
      recentSends: sim.recentSends ?? [],
      cooldowns: sim.cooldowns ?? [],
      // Always loaded here: a simulated contact is in exactly the audiences it lists.
      audiences: sim.audiences ?? [],
    };
    if (sim.timezone !== undefined) view.timezone = sim.timezone;
    if (sim.phone !== undefined) view.phone = sim.phone;
    if (sim.email !== undefined) view.email = sim.email;
    if (sim.locale !== undefined) view.locale = sim.locale;
    this.contact = view;
  }

  view(): ContactView {
    return this.contact;
  }

  /** Writes back what one advance call decided. */
  apply(effects: readonly Effect[], journeyId: string): void {
    const c = this.contact;
    for (const e of effects) {
      switch (e.type) {
        case "send":
          c.recentSends = [
            ...c.recentSends,
            {
              at: e.at,
              channel: e.channel,
              category: e.category,
              opened: false,
              journeyId,
              nodeId: e.nodeId,
            },
          ];
          break;
        case "cooldown":
          c.cooldowns = [...c.cooldowns, cooldownRecord(e, journeyId)];
          break;
        case "optOut":
          this.optOut(e.at, e.keyword);
          break;
        case "attribute":
          c.attributes = withAttribute(c.attributes, e);
          break;
        default:
          break;
      }
    }
  }

  optOut(at: number, keyword: string): void {
    const c = this.contact;
    if (c.optOuts.some((o) => o.channel === "*" && o.category === "*" && o.at <= at)) return;
    c.optOuts = [...c.optOuts, { channel: "*", category: "*", at, source: `reply ${keyword}` }];
  }

  /**
   * A click makes the send "opened" (SMS has no read receipt), which resets the unopened
   * streak. The send is `properties.nodeId` (and `properties.journeyId` if given), else the latest.
   */
  recordEngagement(event: JourneyEvent): void {
    if (event.name !== "message.clicked" && event.name !== "message.opened") return;
    const nodeId = event.properties?.nodeId;
    const journeyId = event.properties?.journeyId;
    const sends = this.contact.recentSends;
    for (let i = sends.length - 1; i >= 0; i--) {
      const s = sends[i];
      if (!s || s.at > event.at) continue;
      if (typeof nodeId === "string" && s.nodeId !== nodeId) continue;
      if (typeof journeyId === "string" && s.journeyId !== journeyId) continue;
      this.contact.recentSends = sends.map((x, j) => (j === i ? { ...x, opened: true } : x));
      return;
    }
  }
}
