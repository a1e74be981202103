import type { ContactState } from "./types.ts";

/**
 * How far back the rules look at a contact's sends: 90 days, the longest default cap window
 * (P30D) plus the unopened streak's reach with room to spare. The ticker loads exactly this
 * much history per batch (server/runtime/sql/contact-state.ts), so the rules must not see more
 * when the simulator holds a longer one: a send of day 0 made the simulator suppress a send of
 * day 91 for the unopened streak that the ticker, not having loaded it, sent
 * (tests/server/sim-ticker-parity.test.ts). A cap window longer than this counts 90 days.
 */
export const HISTORY_DAYS = 90;
const HISTORY_MS = HISTORY_DAYS * 86_400_000;

/** The contact with the sends older than the horizon left out (the same object if none are). */
export function withinHistory<C extends ContactState>(contact: C, now: number): C {
  const since = now - HISTORY_MS;
  if (!contact.recentSends.some((s) => s.at <= since)) return contact;
  return { ...contact, recentSends: contact.recentSends.filter((s) => s.at > since) };
}
