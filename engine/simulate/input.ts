import { z } from "zod";
import type { TimelineEntry } from "../effects.ts";

/**
 * The simulation's input and output shapes, shared by `waymark simulate` and
 * `POST /api/simulate` so the two cannot drift: a contact (consented to everything unless it
 * says otherwise), events with ISO or epoch-ms instants, and the JSON timeline.
 */

const Instant = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const at = typeof v === "number" ? v : Date.parse(v);
  if (!Number.isFinite(at)) {
    ctx.addIssue({ code: "custom", message: `not an ISO date-time: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return at;
});

export const SimContactSchema = z.object({
  id: z.string().min(1),
  timezone: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  locale: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  /** Ids of the saved audiences the contact is in, for condition branches; none when absent. */
  audiences: z.array(z.string().min(1)).max(1000).optional(),
  consent: z
    .record(
      z.string(),
      z.record(z.string(), z.union([z.boolean(), z.object({ granted: z.boolean() })])),
    )
    .optional(),
});

export const SimEventSchema = z.object({
  at: Instant,
  name: z.string().min(1),
  properties: z.record(z.string(), z.unknown()).optional(),
  messageId: z.string().optional(),
});

export const SimEventsSchema = z.array(SimEventSchema).max(10_000);

/** A timeline entry as JSON: instants as ISO strings, keys in a stable order. */
export function timelineEntryJson(e: TimelineEntry): Record<string, unknown> {
  const { at, nodeId, type, ...rest } = e;
  const out: Record<string, unknown> = { at: new Date(at).toISOString(), nodeId, type };
  for (const [k, v] of Object.entries(rest)) {
    out[k] = k === "until" && typeof v === "number" ? new Date(v).toISOString() : v;
  }
  return out;
}
