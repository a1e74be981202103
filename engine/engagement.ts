import type { ContactView, JourneyEvent } from "./contact.ts";

/**
 * What "opened" means, once for the engine, the simulator and the ticker's loader: an email or
 * push read receipt, or a click (SMS has no read receipt, so for SMS only a click proves the
 * message was read). Branches read it per send record, the unopened-streak rule per contact send.
 */
export const OPEN_EVENTS: readonly string[] = ["message.opened", "message.clicked"];

/** First time a send counts as opened, from its read receipt and its first click. */
export function openedAt(
  channel: string,
  opened: number | undefined,
  clicked: number | undefined,
): number | undefined {
  if (channel === "sms" || opened === undefined) return clicked;
  return clicked === undefined ? opened : Math.min(opened, clicked);
}

/**
 * Marks the contact's send an open or click event is about as opened (the unopened streak
 * resets on it): `properties.nodeId` (and `properties.journeyId` if given), else the latest send
 * before the event. Returns the same view when nothing changes; never mutates it.
 */
export function noteEngagement(contact: ContactView, event: JourneyEvent): ContactView {
  if (!OPEN_EVENTS.includes(event.name)) return contact;
  const nodeId = event.properties?.nodeId;
  const journeyId = event.properties?.journeyId;
  const sends = contact.recentSends;
  for (let i = sends.length - 1; i >= 0; i--) {
    const s = sends[i];
    if (!s || s.at > event.at) continue;
    if (typeof nodeId === "string" && s.nodeId !== nodeId) continue;
    if (typeof journeyId === "string" && s.journeyId !== journeyId) continue;
    if (s.opened) return contact;
    const recentSends = sends.map((x, j) => (j === i ? { ...x, opened: true } : x));
    return Object.assign({}, contact, { recentSends });
  }
  return contact;
}
