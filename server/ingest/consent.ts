import { CATEGORIES, type Category, CHANNELS, type Channel } from "../../engine/shared/channels.ts";
import type { ConsentChanges } from "../contacts/profile.ts";
import type { Problem } from "./hygiene.ts";

/**
 * Consent through the SDKs as they are. analytics-node drops unknown top-level fields, but both
 * it and rudder-sdk-node pass `context` through untouched, and Segment's consent management
 * already puts consent there: `context.consent.categoryPreferences`, a flat map of category →
 * boolean. Waymark reads the keys named `<channel>.<category>` (e.g. `sms.promotional`) from it,
 * on any call; keys of other tools (`Advertising`, OneTrust's `C0004`) are left alone. A key
 * that starts with one of our channels but names no category of ours is an item rejection: a
 * typo must not silently leave a contact without the consent they gave.
 *
 * Each grant records its source (the call: `ingest:<type>:<messageId>`) and time (the call's
 * event time, not its arrival), as GDPR art. 7 asks. Restating the same choice keeps the
 * original record; a change applies only if it is not older than the stored one, so batches
 * retried out of order cannot resurrect a withdrawn consent (server/contacts/upsert.ts does the
 * same against the stored row; the rule is mergeConsent in server/contacts/profile.ts).
 */

const CHANNEL_SET = new Set<string>(CHANNELS);
const CATEGORY_SET = new Set<string>(CATEGORIES);

export function consentFromContext(
  context: Record<string, unknown> | null | undefined,
  source: string,
  at: string,
): { consent: ConsentChanges | null } | Problem {
  const consent = context?.consent;
  if (consent === undefined || consent === null || typeof consent !== "object") {
    return { consent: null };
  }
  const prefs = (consent as Record<string, unknown>).categoryPreferences;
  if (prefs === undefined || prefs === null) return { consent: null };
  const field = "context.consent.categoryPreferences";
  if (typeof prefs !== "object" || Array.isArray(prefs)) {
    return { field, message: "must be an object of category → boolean" };
  }
  const out: ConsentChanges = {};
  let any = false;
  for (const [key, granted] of Object.entries(prefs)) {
    const dot = key.indexOf(".");
    if (dot < 0) continue;
    const channel = key.slice(0, dot);
    if (!CHANNEL_SET.has(channel)) continue;
    const category = key.slice(dot + 1);
    if (!CATEGORY_SET.has(category)) {
      return {
        field: `${field}.${key}`,
        message: `names no category of ${channel} (use ${CATEGORIES.map((c) => `${channel}.${c}`).join(", ")})`,
      };
    }
    if (typeof granted !== "boolean") {
      return { field: `${field}.${key}`, message: "must be true or false" };
    }
    const entry = out[channel as Channel] ?? {};
    entry[category as Category] = { granted, source, at };
    out[channel as Channel] = entry;
    any = true;
  }
  return { consent: any ? out : null };
}

/** Waymark's own `consent` field on identify: channel → category → granted. */
export function consentFromField(
  consent: Partial<Record<Channel, Partial<Record<Category, boolean>>>>,
  source: string,
  at: string,
): ConsentChanges | null {
  const out: ConsentChanges = {};
  let any = false;
  for (const channel of CHANNELS) {
    const cats = consent[channel];
    if (!cats) continue;
    for (const category of CATEGORIES) {
      const granted = cats[category];
      if (granted === undefined) continue;
      const entry = out[channel] ?? {};
      entry[category] = { granted, source, at };
      out[channel] = entry;
      any = true;
    }
  }
  return any ? out : null;
}
