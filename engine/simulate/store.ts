import type { ContactView, JourneyEvent } from "../contact.ts";
import { noteEffect } from "../contact-update.ts";
import { noteEngagement } from "../engagement.ts";
import type { ConsentRecord } from "../rules/index.ts";
import { CATEGORIES, type Category, CHANNELS, type Channel } from "../shared/channels.ts";
import { copyOf } from "../shared/copy.ts";

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
} & Partial<
  Pick<ContactView, "externalId" | "optOuts" | "recentSends" | "cooldowns" | "phoneSends">
>;

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
    if (sim.externalId !== undefined) view.externalId = sim.externalId;
    if (sim.timezone !== undefined) view.timezone = sim.timezone;
    if (sim.phone !== undefined) view.phone = sim.phone;
    if (sim.email !== undefined) view.email = sim.email;
    if (sim.locale !== undefined) view.locale = sim.locale;
    if (sim.phoneSends !== undefined) view.phoneSends = sim.phoneSends;
    this.contact = view;
  }

  view(): ContactView {
    return this.contact;
  }

  /** The view after a step (engine/step.ts): its sends, cooldowns and opt-outs included. */
  replace(view: ContactView): void {
    this.contact = view;
  }

  /** An opt-out reply as ingest records it, whether or not an enrollment was listening. */
  optOut(at: number, keyword: string): void {
    const c = copyOf(this.contact);
    noteEffect(c, { type: "optOut", channel: "*", category: "*", at, keyword }, "");
    this.contact = c;
  }

  /** An open or click marks the send it is about opened (engine/engagement.ts). */
  recordEngagement(event: JourneyEvent): void {
    this.contact = noteEngagement(this.contact, event);
  }
}
