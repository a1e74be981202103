import type { ContactState } from "./rules/index.ts";

/**
 * What the engine sees of a contact: profile fields plus the cross-journey history the
 * suppression rules need (consent, opt-outs, recent sends, cooldowns). Loaded by the caller
 * (ticker or simulator) before `advance`; the engine never reads a store itself.
 */
export type ContactView = ContactState & {
  /** The row key: what split arms hash and the writers address. */
  id: string;
  /**
   * The id your systems know (the Segment `userId`), what a template prints as `{{ user.id }}`.
   * Absent for a sample contact, which then prints `id`.
   */
  externalId?: string;
  email?: string;
  locale?: string;
  /** Profile traits: `firstName`, `birthday`, `lastPurchaseSku`… read by templates and conditions. */
  attributes: Record<string, unknown>;
  /**
   * Ids of the audiences the contact is in right now, read by condition branches with an
   * `audience`. The caller loads them only when a journey needs them (the ticker, from the
   * batch's journey versions; the simulator, from the simulated contact). Absent = not loaded:
   * a branch then answers "not in audience" and says so in its log detail.
   */
  audiences?: readonly string[];
};

/**
 * An event as the track API receives it. `at` is epoch ms. Message events name the send they
 * are about with `properties.nodeId` (or `messageId`, an idempotency key).
 */
export type JourneyEvent = {
  name: string;
  at: number;
  properties?: Record<string, unknown>;
  messageId?: string;
};
