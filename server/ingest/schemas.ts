import { z } from "zod";
import { CATEGORIES, CHANNELS } from "../../engine/shared/channels.ts";

/**
 * The Segment tracking spec as Waymark accepts it (identify, track, page, screen, group, alias),
 * so Segment and RudderStack sources and their SDKs can point at Waymark unchanged.
 *
 * Terminology:
 *  - item: one call (one element of `batch`, or the body of a single-call endpoint). Items are
 *    validated one by one; a bad item is reported and skipped, the others are stored.
 *  - userId: the sender's id for a known user (a contact's external id). anonymousId: the id of
 *    someone not identified yet (a cookie, an app install); see the anonymous_profiles migration.
 *  - timestamp / originalTimestamp / sentAt: when it happened (trusted as sent), when it happened
 *    by the device's clock, when the device sent it; Waymark corrects the device clock with
 *    sentAt and its own receive time (server/ingest/timestamps.ts).
 *
 * `traits`, `properties` and `context` are free JSON, checked by hygiene.ts (text, depth, size)
 * rather than by zod: zod rebuilds records and would silently drop a `__proto__` key.
 */

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export const JsonObject = z
  .custom<Record<string, unknown>>(isJsonObject, { message: "must be a JSON object" })
  .meta({ type: "object", description: "any JSON object (at most 32 levels deep)" });

const Id = z.string().trim().min(1).max(200);
/** RudderStack sends numeric groupId and previousId as numbers; Segment's spec says strings. */
const IdOrNumber = z.union([Id, z.number().finite().transform(String)]);
const Timestamp = z.iso
  .datetime({ offset: true })
  .max(64)
  .meta({ description: "ISO 8601 with a zone, e.g. 2026-03-01T08:00:00.000Z" });

const Consent = z
  .partialRecord(z.enum(CHANNELS), z.partialRecord(z.enum(CATEGORIES), z.boolean()))
  .meta({
    description: "Waymark's addition: channel → category → granted (prefer context.consent)",
  });

/** Fields every call may carry. `null` is accepted as absent: analytics.js sends `userId: null`. */
const envelope = {
  userId: Id.nullish(),
  anonymousId: Id.nullish(),
  messageId: z.string().min(1).max(200).nullish(),
  timestamp: Timestamp.nullish(),
  originalTimestamp: Timestamp.nullish(),
  sentAt: Timestamp.nullish(),
  context: JsonObject.nullish(),
  integrations: JsonObject.nullish(),
};

export const IdentifyItem = z.looseObject({
  ...envelope,
  type: z.literal("identify"),
  traits: JsonObject.nullish(),
  consent: Consent.optional(),
  consentSource: z.string().max(100).optional(),
});
export const TrackItem = z.looseObject({
  ...envelope,
  type: z.literal("track"),
  event: z.string().trim().min(1).max(200),
  properties: JsonObject.nullish(),
});
const viewed = {
  name: z.string().max(200).nullish(),
  category: z.string().max(200).nullish(),
  properties: JsonObject.nullish(),
};
export const PageItem = z.looseObject({ ...envelope, type: z.literal("page"), ...viewed });
export const ScreenItem = z.looseObject({ ...envelope, type: z.literal("screen"), ...viewed });
export const GroupItem = z.looseObject({
  ...envelope,
  type: z.literal("group"),
  groupId: IdOrNumber,
  traits: JsonObject.nullish(),
});
export const AliasItem = z.looseObject({
  ...envelope,
  type: z.literal("alias"),
  userId: Id,
  previousId: IdOrNumber,
});

export const ITEM_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export const ITEM_SCHEMAS = {
  identify: IdentifyItem,
  track: TrackItem,
  page: PageItem,
  screen: ScreenItem,
  group: GroupItem,
  alias: AliasItem,
} as const satisfies Record<ItemType, z.ZodType>;

export type IdentifyPayload = z.infer<typeof IdentifyItem>;
export type TrackPayload = z.infer<typeof TrackItem>;
export type PagePayload = z.infer<typeof PageItem>;
export type ScreenPayload = z.infer<typeof ScreenItem>;
export type GroupPayload = z.infer<typeof GroupItem>;
export type AliasPayload = z.infer<typeof AliasItem>;
export type Item =
  | IdentifyPayload
  | TrackPayload
  | PagePayload
  | ScreenPayload
  | GroupPayload
  | AliasPayload;

/**
 * `POST /v1/batch` (and `/v1/import`). Only the envelope is checked here; each element of
 * `batch` is checked on its own. `sentAt`, `context` and `integrations` at the top apply to every
 * item that has none of its own (Segment's batch semantics).
 */
export const BatchBody = z.looseObject({
  batch: z
    .array(z.union([IdentifyItem, TrackItem, PageItem, ScreenItem, GroupItem, AliasItem]))
    .meta({ description: "the calls; any count, as long as the body is ≤ 512 KB uncompressed" }),
  sentAt: Timestamp.nullish(),
  context: JsonObject.nullish(),
  integrations: JsonObject.nullish(),
});
/** What the route actually parses: items stay unknown until each is checked on its own. */
export const BatchEnvelope = BatchBody.extend({ batch: z.array(z.unknown()) });

/** A single-call endpoint's body: the item without `type`, which the path gives. */
export const singleBody = <T extends z.ZodObject>(schema: T) =>
  schema.extend({ type: z.string().optional() });

export const Rejection = z.object({
  index: z.number().int().meta({ description: "position in `batch` (0 for single calls)" }),
  field: z.string().meta({ description: "dotted path inside the item, e.g. traits.email" }),
  message: z.string(),
});
export type Rejection = z.infer<typeof Rejection>;

/**
 * The answer to every ingest call that was processed. A 200 means every accepted item is
 * committed; `rejected` items were not stored and retrying them unchanged cannot help.
 */
export const IngestResponse = z.object({
  success: z.literal(true),
  accepted: z.number().int().meta({ description: "items stored or applied now" }),
  duplicates: z
    .number()
    .int()
    .meta({ description: "events already stored under the same messageId (not stored again)" }),
  rejected: z.array(Rejection),
  duplicate: z
    .boolean()
    .optional()
    .meta({ description: "single-call endpoints: the event was a duplicate" }),
});
export type IngestResponse = z.infer<typeof IngestResponse>;
