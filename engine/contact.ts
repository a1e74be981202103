import type { ContactState } from "./rules/index.ts";

/**
 * What the engine sees of a contact: profile fields plus the cross-journey history the
 * suppression rules need (consent, opt-outs, recent sends, cooldowns). Loaded by the caller
 * (ticker or simulator) before `advance`; the engine never reads a store itself.
 */
export type ContactView = ContactState & {
  id: string;
  email?: string;
  locale?: string;
  /** Profile traits: `firstName`, `birthday`, `lastPurchaseSku`… read by templates and conditions. */
  attributes: Record<string, unknown>;
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
