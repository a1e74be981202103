import { z } from "zod";
import { CATEGORIES, CHANNELS } from "../../engine/shared/channels.ts";

/**
 * Segment-shaped ingest payloads (identify, track, batch), so existing Segment/RudderStack
 * sources can point at Waymark. `consent` is Waymark's addition: channel → category → granted.
 */

const Json = z.record(z.string(), z.unknown());
const Context = z.looseObject({
  timezone: z.string().max(64).optional(),
  locale: z.string().max(35).optional(),
});

const Consent = z.partialRecord(z.enum(CHANNELS), z.partialRecord(z.enum(CATEGORIES), z.boolean()));

const common = {
  userId: z.string().trim().min(1).max(200),
  messageId: z.string().min(1).max(200).optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  context: Context.optional(),
};

export const IdentifyBody = z.object({
  ...common,
  type: z.literal("identify").optional(),
  traits: Json.default({}),
  consent: Consent.optional(),
  consentSource: z.string().max(100).optional(),
});

export const TrackBody = z.object({
  ...common,
  type: z.literal("track").optional(),
  event: z.string().trim().min(1).max(200),
  properties: Json.default({}),
});

export const BatchBody = z.object({
  batch: z
    .array(
      z.discriminatedUnion("type", [
        IdentifyBody.extend({ type: z.literal("identify") }),
        TrackBody.extend({ type: z.literal("track") }),
      ]),
    )
    .min(1)
    .max(500),
});

export type IdentifyPayload = z.infer<typeof IdentifyBody>;
export type TrackPayload = z.infer<typeof TrackBody>;
export type IngestItem =
  | (IdentifyPayload & { type?: "identify" })
  | (TrackPayload & { type?: "track" });
