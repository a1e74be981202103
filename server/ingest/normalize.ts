import { randomUUID } from "node:crypto";
import { emptyProfile, type ProfileRow } from "../contacts/profile.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { checkEmail, checkLocale, checkPhone, checkZone } from "./checks.ts";
import { consentFromContext, consentFromField } from "./consent.ts";
import { checkItem, type Problem } from "./hygiene.ts";
import {
  type AliasPayload,
  type GroupPayload,
  type IdentifyPayload,
  ITEM_SCHEMAS,
  ITEM_TYPES,
  type Item,
  type ItemType,
  type PagePayload,
  type Rejection,
  type ScreenPayload,
} from "./schemas.ts";
import { eventTime } from "./timestamps.ts";

/**
 * One Segment call turned into what ingest writes, or the reason it cannot be: the item's
 * checks all happen here, before any database work, so a rejection never depends on timing.
 *
 * page and screen calls become events named `page` and `screen`, with the call's `name` and
 * `category` among their properties (and, for page, `url`, `path`, `title`, `referrer`,
 * `search` from `context.page` when the properties lack them): a journey triggers on
 * `{ event: "page", where: [{ field: "name", op: "eq", value: "Pricing" }] }`.
 */

export const PAGE_EVENT = "page";
export const SCREEN_EVENT = "screen";

export interface EventData {
  messageId: string;
  name: string;
  properties: Record<string, unknown>;
  occurredAt: Date;
}

export interface Command {
  /** Position in the request's batch (0 for a single call). */
  index: number;
  type: ItemType;
  userId: string | null;
  anonymousId: string | null;
  /** An anonymous id to merge into userId's contact: identify/track/… with both ids, alias. */
  merge: string | null;
  profile: ProfileRow | null;
  event: EventData | null;
}

export interface NormalizeContext {
  crypto: FieldCrypto;
  /** Our receive time, epoch ms. */
  receivedAt: number;
  /** The batch's own sentAt / context, for items without one. */
  batchSentAt?: string | null | undefined;
  batchContext?: Record<string, unknown> | null | undefined;
  /** False when the raw body cannot hold NUL or surrogates (hygiene.ts, mayHoldBadText). */
  checkText: boolean;
}

/** Traits with a column of their own; the rest are attributes. */
const PROFILE_TRAITS = new Set(["email", "phone", "timezone", "locale"]);
const PAGE_CONTEXT = ["path", "referrer", "search", "title", "url"] as const;

const reject = (index: number, p: Problem): Rejection => ({ index, ...p });

export function normalizeItem(
  raw: unknown,
  index: number,
  forcedType: ItemType | null,
  ctx: NormalizeContext,
): Command | Rejection {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { index, field: "", message: "must be a JSON object (one call)" };
  }
  const bad = checkItem(raw, ctx.checkText);
  if (bad) return reject(index, bad);
  const declared = (raw as { type?: unknown }).type;
  const type = forcedType ?? (declared as ItemType);
  if (!ITEM_TYPES.includes(type)) {
    return { index, field: "type", message: `must be one of ${ITEM_TYPES.join(", ")}` };
  }
  const input = forcedType && declared !== forcedType ? { ...raw, type: forcedType } : raw;
  const parsed = ITEM_SCHEMAS[type].safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { index, field: issue?.path.map(String).join(".") ?? "", message: issue?.message ?? "" };
  }
  const item = parsed.data as Item;
  const context = withBatchContext(item.context, ctx.batchContext);

  const userId = item.userId ?? null;
  const anonymousId = item.anonymousId ?? null;
  if (item.type !== "alias" && userId === null && anonymousId === null) {
    return { index, field: "userId", message: "userId or anonymousId is required" };
  }
  const time = eventTime(item, ctx.batchSentAt, ctx.receivedAt);
  if ("field" in time) return reject(index, time);
  const occurredAt = new Date(time.at);
  const messageId = item.messageId ?? randomUUID();
  const base: Command = {
    index,
    type: item.type,
    userId,
    anonymousId,
    merge: userId !== null && anonymousId !== null ? anonymousId : null,
    profile: null,
    event: null,
  };

  const consentSource = `ingest:${item.type}:${messageId}`;
  const fromContext = consentFromContext(context, consentSource, occurredAt.toISOString());
  if ("field" in fromContext) return reject(index, fromContext);
  const withConsent = (p: ProfileRow | null): ProfileRow | null => {
    if (!fromContext.consent) return p;
    const profile = p ?? emptyProfile();
    profile.consent = { ...profile.consent, ...fromContext.consent };
    return profile;
  };

  switch (item.type) {
    case "identify": {
      const profile = identifyProfile(item, context, ctx.crypto, occurredAt, messageId);
      if ("field" in profile) return reject(index, profile);
      return { ...base, profile: withConsent(profile) };
    }
    case "track":
      return {
        ...base,
        profile: withConsent(null),
        event: { messageId, name: item.event, properties: item.properties ?? {}, occurredAt },
      };
    case "page":
    case "screen":
      return {
        ...base,
        profile: withConsent(null),
        event: {
          messageId,
          name: item.type === "page" ? PAGE_EVENT : SCREEN_EVENT,
          properties: viewProperties(item, context),
          occurredAt,
        },
      };
    case "group":
      return { ...base, profile: withConsent(groupProfile(item)) };
    case "alias":
      return aliasCommand(base, item);
    default:
      return { index, field: "type", message: `must be one of ${ITEM_TYPES.join(", ")}` };
  }
}

function withBatchContext(
  own: Record<string, unknown> | null | undefined,
  batch: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (!batch) return own ?? null;
  if (!own) return batch;
  return Object.assign(Object.create(null), batch, own) as Record<string, unknown>;
}

/** identify's traits: email, phone, timezone, locale to their columns, the rest as attributes. */
function identifyProfile(
  item: IdentifyPayload,
  context: Record<string, unknown> | null,
  crypto: FieldCrypto,
  at: Date,
  messageId: string,
): ProfileRow | Problem {
  const traits = item.traits ?? {};
  const profile = emptyProfile();
  const { email, phone, timezone, locale } = traits;
  if (email !== undefined && email !== null) {
    const normalized = typeof email === "string" ? checkEmail(email) : null;
    if (!normalized) return { field: "traits.email", message: "is not an email address" };
    profile.email = normalized;
  }
  if (phone !== undefined && phone !== null) {
    const e164 = typeof phone === "string" ? checkPhone(phone) : null;
    if (!e164) {
      return {
        field: "traits.phone",
        message: "is not a valid phone number (use E.164, e.g. +8613812345678)",
      };
    }
    profile.phone_encrypted = crypto.encrypt(e164.e164);
    profile.phone_hash = crypto.blindIndex(e164.e164);
    profile.phone_country = e164.country ?? null;
  }
  if (timezone !== undefined && timezone !== null) {
    if (typeof timezone !== "string" || !checkZone(timezone)) {
      return { field: "traits.timezone", message: "is not an IANA time zone (e.g. Asia/Shanghai)" };
    }
    profile.timezone = timezone;
  } else if (typeof context?.timezone === "string" && checkZone(context.timezone)) {
    // The device's zone, when the profile names none; a zone the device misreports is ignored
    // rather than costing the identify.
    profile.timezone = context.timezone;
  }
  if (locale !== undefined && locale !== null) {
    const tag = typeof locale === "string" ? checkLocale(locale) : null;
    if (!tag)
      return { field: "traits.locale", message: "is not a BCP 47 language tag (e.g. zh-CN)" };
    profile.locale = tag;
  } else if (typeof context?.locale === "string") {
    profile.locale = checkLocale(context.locale);
  }
  for (const key of Object.keys(traits)) {
    if (!PROFILE_TRAITS.has(key)) profile.attributes[key] = traits[key];
  }
  if (item.consent) {
    const source = item.consentSource ?? `ingest:identify:${messageId}`;
    profile.consent = consentFromField(item.consent, source, at.toISOString()) ?? {};
  }
  return profile;
}

/** page/screen properties: the call's own, then name and category, then context.page's. */
function viewProperties(
  item: PagePayload | ScreenPayload,
  context: Record<string, unknown> | null,
) {
  const props = Object.assign(Object.create(null), item.properties) as Record<string, unknown>;
  if (item.name !== undefined && item.name !== null) props.name = item.name;
  if (item.category !== undefined && item.category !== null) props.category = item.category;
  const page = item.type === "page" ? context?.page : undefined;
  if (page !== null && typeof page === "object" && !Array.isArray(page)) {
    for (const key of PAGE_CONTEXT) {
      const value = (page as Record<string, unknown>)[key];
      if (value !== undefined && !Object.hasOwn(props, key)) props[key] = value;
    }
  }
  return props;
}

/**
 * group: the contact's `groupId` and `group` (the traits, with `id`) are the latest group's, and
 * `groupIds` lists every group joined; conditions read `group.plan` or `groupIds contains acme`.
 */
function groupProfile(item: GroupPayload): ProfileRow {
  const profile = emptyProfile();
  const group = Object.assign(Object.create(null), item.traits, { id: item.groupId });
  profile.attributes.groupId = item.groupId;
  profile.attributes.group = group;
  profile.group_ids = [item.groupId];
  return profile;
}

/** alias(userId, previousId): the anonymous profile `previousId` merges into userId's contact. */
function aliasCommand(base: Command, item: AliasPayload): Command {
  return { ...base, userId: item.userId, anonymousId: null, merge: item.previousId };
}
