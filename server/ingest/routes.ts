import { randomUUID } from "node:crypto";
import { type Request, Router } from "express";
import type { Knex } from "knex";
import { isValidZone } from "../../engine/time/index.ts";
import { type ContactUpdate, normalizeContactPhone, upsertContacts } from "../contacts/upsert.ts";
import { type NewEvent, recordEvents } from "../events/record.ts";
import { HttpError } from "../http/errors.ts";
import { parseBody } from "../http/validate.ts";
import { verifyApiKey } from "../keys/api-keys.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { notifyDue } from "../runtime/due-channel.ts";
import { enroll, entriesForEvents } from "../runtime/enroll.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import {
  BatchBody,
  IdentifyBody,
  type IdentifyPayload,
  type IngestItem,
  TrackBody,
  type TrackPayload,
} from "./schemas.ts";

export interface IngestDeps {
  knex: Knex;
  crypto: FieldCrypto;
  live: ReturnType<typeof liveJourneyCache>;
  now?: () => Date;
  /** Called after commit with how many enrollments were created (metrics, tests). */
  onIngested?: (stats: { events: number; enrolled: number }) => void;
  /** Called after commit when enrollments became due: the ticker's nudge (ticker.ts). */
  onDue?: () => void;
  /** Also tell tickers in other processes, with a NOTIFY at commit (PostgreSQL). */
  notifyOthers?: boolean;
}

/** Reserved profile traits; everything else becomes a contact attribute. */
const PROFILE_TRAITS = new Set(["email", "phone", "timezone", "locale"]);

export function ingestRoutes(deps: IngestDeps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());

  const authenticate = async (req: Request) => {
    const key = writeKeyFrom(req.headers.authorization);
    if (!key)
      throw new HttpError(401, "unauthenticated", "send the write key as the HTTP Basic username");
    if (!(await verifyApiKey(deps.knex, key, "write")))
      throw new HttpError(401, "invalid_key", "unknown or revoked write key");
  };

  const handle = async (items: IngestItem[], paths: string[]) => {
    const at = now();
    const updates: ContactUpdate[] = [];
    const tracks: TrackPayload[] = [];
    const problems: { path: string; message: string }[] = [];
    items.forEach((item, index) => {
      if ("event" in item) {
        tracks.push(item);
        updates.push({ externalId: item.userId });
      } else {
        const mapped = toUpdate(item, paths[index] ?? "");
        if ("problems" in mapped) problems.push(...mapped.problems);
        else updates.push(mapped.update);
      }
    });
    if (problems.length > 0) {
      const first = problems[0];
      throw new HttpError(400, "invalid_body", `${first?.path}: ${first?.message}`, problems);
    }
    // Read before the transaction: on PGlite the transaction holds the only connection, and a
    // query on the outer knex inside it would wait for itself.
    const live = tracks.length ? await deps.live.get() : [];
    const result = await deps.knex.transaction(async (trx) => {
      const ids = await upsertContacts(trx, deps.crypto, updates, at);
      const events: NewEvent[] = tracks.map((item) => ({
        contactId: ids.get(item.userId) ?? -1,
        messageId: item.messageId ?? randomUUID(),
        name: item.event,
        properties: item.properties,
        occurredAt: item.timestamp ? new Date(item.timestamp) : at,
      }));
      const recorded = await recordEvents(trx, events, at);
      const enrolled = await enroll(trx, entriesForEvents(live, recorded.inserted), at);
      if (deps.notifyOthers && (enrolled.length > 0 || recorded.woken > 0)) await notifyDue(trx);
      return {
        events: recorded.inserted.length,
        duplicates: events.length - recorded.inserted.length,
        enrolled: enrolled.length,
        woken: recorded.woken,
      };
    });
    deps.onIngested?.(result);
    if (result.enrolled > 0 || result.woken > 0) deps.onDue?.();
    return result;
  };

  router.post("/v1/identify", async (req, res) => {
    await authenticate(req);
    const body = parseBody(IdentifyBody, req.body);
    await handle([body], [""]);
    res.json({ success: true });
  });

  router.post("/v1/track", async (req, res) => {
    await authenticate(req);
    const body = parseBody(TrackBody, req.body);
    const r = await handle([body], [""]);
    res.json({ success: true, duplicate: r.duplicates > 0 });
  });

  router.post("/v1/batch", async (req, res) => {
    await authenticate(req);
    const body = parseBody(BatchBody, req.body);
    // The whole batch is validated before anything is written: a bad item rejects the batch
    // with every problem listed, so a client fixes and resends instead of guessing what landed.
    const r = await handle(
      body.batch,
      body.batch.map((_, i) => `batch.${i}.`),
    );
    res.json({ success: true, events: r.events, duplicates: r.duplicates });
  });

  return router;
}

function writeKeyFrom(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(" ");
  if (scheme?.toLowerCase() === "basic" && value) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    return decoded.split(":")[0] || null;
  }
  if (scheme?.toLowerCase() === "bearer" && value) return value;
  return null;
}

/** Maps identify traits to the profile; a bad phone, zone or email is reported by field path. */
function toUpdate(
  item: IdentifyPayload,
  prefix: string,
): { update: ContactUpdate } | { problems: { path: string; message: string }[] } {
  const traits = item.traits;
  const problems: { path: string; message: string }[] = [];
  const bad = (field: string, message: string) =>
    problems.push({ path: `${prefix}${field}`, message });
  const update: ContactUpdate = { externalId: item.userId };
  if (traits.email !== undefined && traits.email !== null) {
    if (
      typeof traits.email === "string" &&
      /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(traits.email.trim())
    ) {
      update.email = traits.email.trim().toLowerCase();
    } else bad("traits.email", "not an email address");
  }
  if (traits.phone !== undefined && traits.phone !== null) {
    const phone = typeof traits.phone === "string" ? normalizeContactPhone(traits.phone) : null;
    if (phone) update.phone = phone;
    else bad("traits.phone", "not a valid phone number (use E.164, e.g. +8613812345678)");
  }
  const zone = traits.timezone ?? item.context?.timezone;
  if (zone !== undefined && zone !== null) {
    if (typeof zone === "string" && isValidZone(zone)) update.timezone = zone;
    else bad("traits.timezone", "not an IANA time zone (e.g. Asia/Shanghai)");
  }
  const locale = traits.locale ?? item.context?.locale;
  if (typeof locale === "string") update.locale = locale;
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(traits)) if (!PROFILE_TRAITS.has(k)) attributes[k] = v;
  update.attributes = attributes;
  if (item.consent) {
    const consent: Record<string, Record<string, boolean>> = {};
    for (const [channel, cats] of Object.entries(item.consent)) {
      const entry: Record<string, boolean> = {};
      for (const [cat, granted] of Object.entries(cats ?? {}))
        if (granted !== undefined) entry[cat] = granted;
      consent[channel] = entry;
    }
    update.consent = consent;
    if (item.consentSource) update.consentSource = item.consentSource;
  }
  return problems.length ? { problems } : { update };
}
