import { type Request, type Response, Router } from "express";
import type { Knex } from "knex";
import { HttpError } from "../http/errors.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import type { Outcome } from "./apply.ts";
import { ingestAuth } from "./auth.ts";
import { ingestBody, rawBody } from "./body.ts";
import { mayHoldBadText } from "./hygiene.ts";
import { type Command, type NormalizeContext, normalizeItem } from "./normalize.ts";
import { BatchEnvelope, type IngestResponse, type Rejection } from "./schemas.ts";
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

/** The Segment endpoints: `/v1/batch` (and its alias `/v1/import`) and one per call type. */
const SINGLE_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;

/**
 * Routes parse, call and answer. The router authenticates and rate-limits before it reads a
 * body, so it is mounted before the app's JSON parser (server/app.ts).
 */
export function ingestRoutes(deps: IngestDeps): Router {
  const router = Router();
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
  router.post("/v1/batch", authenticated, ingestBody, batch);
  router.post("/v1/import", authenticated, ingestBody, batch);

  for (const type of SINGLE_TYPES) {
    router.post(`/v1/${type}`, authenticated, ingestBody, async (req, res) => {
      const r = normalizeItem(req.body, 0, type, context(req));
      if ("field" in r) throw invalid(r);
      const [outcome] = await write(res, [r]);
      if (outcome?.kind === "rejected") {
        throw invalid({ index: 0, field: outcome.field, message: outcome.message });
      }
      const body = answer([r], outcome ? [outcome] : [], []);
      if (r.event) body.duplicate = outcome?.kind === "duplicate";
      res.json(body);
    });
  }
  return router;
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
