import type { Request, Response } from "express";
import type { Knex } from "knex";
import { ErrorBody } from "../api/common.ts";
import { HttpError } from "../http/errors.ts";
import type { RouteSpec } from "../http/routes.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import type { Outcome } from "./apply.ts";
import { ingestAuth } from "./auth.ts";
import { ingestBody, rawBody } from "./body.ts";
import { mayHoldBadText } from "./hygiene.ts";
import { type Command, type NormalizeContext, normalizeItem } from "./normalize.ts";
import {
  AliasItem,
  BatchBody,
  BatchEnvelope,
  GroupItem,
  IdentifyItem,
  IngestResponse,
  PageItem,
  type Rejection,
  ScreenItem,
  singleBody,
  TrackItem,
} from "./schemas.ts";
import { createWriter, isTransient, Overloaded } from "./writer.ts";

export interface IngestDeps {
  knex: Knex;
  crypto: FieldCrypto;
  live: ReturnType<typeof liveJourneyCache>;
  now?: () => Date;
  /** Sustained requests/s per write key (burst twice that). */
  ratePerSecond?: number;
  /** Transactions at a time (default 1: PGlite has one connection). */
  concurrency?: number;
  /** Calls per transaction at most (default 2,000). */
  maxGroup?: number;
  /** How long a request may wait for a transaction before a 503 (default 3 s). */
  maxWaitMs?: number;
  /** Called after commit with what was written (metrics, tests). */
  onIngested?: (stats: { events: number; enrolled: number; requests: number }) => void;
  /** Called after commit when enrollments became due: the ticker's nudge (ticker.ts). */
  onDue?: () => void;
  /** Also tell tickers in other processes, with a NOTIFY at commit (PostgreSQL). */
  notifyOthers?: boolean;
  onError?: (err: unknown) => void;
}

const BATCH_SUMMARY =
  "Segment batch: identify, track, page, screen, group and alias calls. Each item is checked on its own: valid items are stored, invalid ones are listed in `rejected` (index, field, message) in a 200. Only a body that is not JSON, has no `batch` array or is over 512 KB uncompressed is a 4xx. gzip/deflate accepted, any Content-Type.";

/** The Segment endpoints besides the batch: one per call type, with its body and summary. */
const SINGLE_CALLS = [
  {
    type: "identify",
    body: singleBody(IdentifyItem),
    summary:
      "Create or update a contact (userId), or an anonymous profile (anonymousId only); both ids merge the anonymous profile into the user. A rejected call is a 400 naming the field.",
  },
  {
    type: "track",
    body: singleBody(TrackItem),
    summary: "Record an event; idempotent by messageId; enrolls and wakes journeys",
  },
  { type: "page", body: singleBody(PageItem), summary: "A page view, stored as the event `page`" },
  {
    type: "screen",
    body: singleBody(ScreenItem),
    summary: "A screen view, stored as the event `screen`",
  },
  {
    type: "group",
    body: singleBody(GroupItem),
    summary: "Attach a group (attributes groupId, group, groupIds) to the contact",
  },
  {
    type: "alias",
    body: singleBody(AliasItem),
    summary: "Merge the anonymous profile previousId into userId's contact",
  },
] as const;

/** What every ingest route answers besides its 200: a bad write key, the rate limit. */
const RESPONSES = { 200: IngestResponse, 401: ErrorBody, 429: ErrorBody } as const;

/**
 * Routes parse, call and answer. Each authenticates by write key and rate-limits before it
 * reads a body with its own parser (gzip, any Content-Type), so the app mounts them before its
 * JSON parser (`ownBody`, server/app.ts).
 */
export function ingestRoutes(deps: IngestDeps): RouteSpec[] {
  const now = deps.now ?? (() => new Date());
  const auth = ingestAuth({ knex: deps.knex, perSecond: deps.ratePerSecond ?? 2000 });
  const writer = createWriter({
    knex: deps.knex,
    live: deps.live,
    now,
    notifyOthers: deps.notifyOthers ?? false,
    lanes: deps.concurrency ?? 1,
    maxGroup: deps.maxGroup ?? 2000,
    maxWaitMs: deps.maxWaitMs ?? 3000,
    maxQueued: 20_000,
    onCommitted: (applied, requests) => {
      deps.onIngested?.({ events: applied.events, enrolled: applied.enrolled, requests });
      if (applied.enrolled > 0 || applied.woken > 0) deps.onDue?.();
    },
    ...(deps.onError ? { onError: deps.onError } : {}),
  });

  const context = (req: Request, batch?: { sentAt?: unknown; context?: unknown }) => {
    const ctx: NormalizeContext = {
      crypto: deps.crypto,
      receivedAt: now().getTime(),
      checkText: mayHoldBadText(rawBody(req)),
    };
    if (typeof batch?.sentAt === "string") ctx.batchSentAt = batch.sentAt;
    if (batch?.context && typeof batch.context === "object") {
      ctx.batchContext = batch.context as Record<string, unknown>;
    }
    return ctx;
  };

  /** Writes the checked calls; a saturated or unreachable database is a 503 to retry. */
  const write = (res: Response, commands: Command[]): Promise<Outcome[]> =>
    unavailableOnTransient(res, () => writer.submit(commands));
  const authenticated = async (req: Request, res: Response, next: (err?: unknown) => void) => {
    await unavailableOnTransient(res, async () => {
      await auth(req, res);
      // Saturated: refuse before reading the body (writer.ts, admit).
      if (!writer.admit()) throw writer.overloaded();
    });
    next();
  };

  const answer = (commands: Command[], outcomes: Outcome[], rejected: Rejection[]) => {
    const body: IngestResponse = { success: true, accepted: 0, duplicates: 0, rejected };
    outcomes.forEach((o, i) => {
      if (o.kind === "accepted") body.accepted++;
      else if (o.kind === "duplicate") body.duplicates++;
      else {
        const index = commands[i]?.index ?? 0;
        rejected.push({ index, field: o.field, message: o.message });
      }
    });
    rejected.sort((a, b) => a.index - b.index);
    return body;
  };

  const batch = async (req: Request, res: Response) => {
    const parsed = BatchEnvelope.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join(".") || "body";
      throw new HttpError(400, "invalid_body", `${field}: ${issue?.message ?? "invalid"}`);
    }
    const ctx = context(req, parsed.data);
    const commands: Command[] = [];
    const rejected: Rejection[] = [];
    parsed.data.batch.forEach((item, i) => {
      const r = normalizeItem(item, i, null, ctx);
      if ("field" in r) rejected.push(r);
      else commands.push(r);
    });
    const outcomes = await write(res, commands);
    res.json(answer(commands, outcomes, rejected));
  };
  const ingest = {
    access: "public",
    verifiedBy: "writeKey",
    ownBody: true,
    before: [authenticated, ingestBody],
    responses: RESPONSES,
  } as const;
  const single =
    (type: (typeof SINGLE_CALLS)[number]["type"]) => async (req: Request, res: Response) => {
      const r = normalizeItem(req.body, 0, type, context(req));
      if ("field" in r) throw invalid(r);
      const [outcome] = await write(res, [r]);
      if (outcome?.kind === "rejected") {
        throw invalid({ index: 0, field: outcome.field, message: outcome.message });
      }
      const body = answer([r], outcome ? [outcome] : [], []);
      if (r.event) body.duplicate = outcome?.kind === "duplicate";
      res.json(body);
    };
  return [
    {
      ...ingest,
      method: "post",
      path: "/v1/batch",
      summary: BATCH_SUMMARY,
      body: BatchBody,
      handler: batch,
    },
    {
      ...ingest,
      method: "post",
      path: "/v1/import",
      summary: "Same as /v1/batch (Segment's import endpoint)",
      body: BatchBody,
      handler: batch,
    },
    ...SINGLE_CALLS.map((call) => ({
      ...ingest,
      method: "post" as const,
      path: `/v1/${call.type}`,
      summary: call.summary,
      body: call.body,
      handler: single(call.type),
    })),
  ];
}

/** A single call is the whole request: its rejection is a 400 naming the field. */
function invalid(r: Rejection): HttpError {
  return new HttpError(400, "invalid_body", `${r.field || "body"}: ${r.message}`, [r]);
}

async function unavailableOnTransient<T>(res: Response, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isTransient(err)) throw err;
    const retry = err instanceof Overloaded ? err.retryAfterSeconds : 2;
    res.setHeader("Retry-After", String(retry));
    throw new HttpError(503, "unavailable", "the database is busy; retry later");
  }
}
