import type { Knex } from "knex";
import type { Condition } from "../../engine/audience/schema.ts";
import { DomainError } from "../domain-error.ts";
import {
  type CompiledAudience,
  type ContactScope,
  compileAudience,
  selectMembers,
} from "./compile.ts";
import { ensureRfm } from "./rfm-refresh.ts";
import { param, sql, toRaw } from "./sql.ts";

/**
 * The audience's uses, each one statement from compile.ts: count (the estimate in the builder
 * and the publish dialog), a 20-member preview, the member ids (membership refresh) and
 * membership of given contacts (condition branches).
 */

/** A statement that runs longer than this is an audience too heavy for interactive use. */
const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * Runs `fn` in a transaction with a statement timeout, so one pathological definition cannot
 * hold a PostgreSQL backend for minutes; the timeout surfaces as 422, not a 500. PGlite ignores
 * statement_timeout (its WASM backend has no timer to interrupt itself: a 30-million-row count
 * ran 8.6 s under a 500 ms timeout here), so there the bound is the statement's shape: lists
 * hashed (values.ts `anyOf`) and definitions limited (engine/audience/schema.ts LIMITS).
 */
export async function bounded<T>(
  knex: Knex,
  fn: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  try {
    return await knex.transaction(async (trx) => {
      await trx.raw(`set local statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
      // The RFM window sorts and per-contact aggregates spill to disk at the default 4 MB, and
      // JIT spends ~90 ms compiling each of these one-off statements for little gain
      // (bench/audience, RFM cell on 1M events: 1.2 s → 0.9 s on a loaded 2-core machine).
      await trx.raw(`set local work_mem = '64MB'`);
      await trx.raw("set local jit = off");
      return fn(trx);
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === "57014") {
      throw new DomainError(
        "unprocessable",
        "audience_too_slow",
        "the audience took too long to evaluate",
      );
    }
    throw err;
  }
}

/**
 * The compiled definition (within `scope`, when given), with the RFM scores computed first if it
 * reads them and they never were (a fresh database) or are two hours old (no scanner running;
 * rfm-refresh.ts). Outside `bounded`, so its statement timeout does not count a one-off refresh
 * against the query.
 */
export async function compileReady(
  knex: Knex | Knex.Transaction,
  definition: Condition,
  now: Date,
  scope: ContactScope | null = null,
): Promise<CompiledAudience> {
  const compiled = compileAudience(definition, now, scope);
  if (compiled.usesRfm) await ensureRfm(knex, now);
  return compiled;
}

export async function estimate(
  knex: Knex,
  definition: Condition,
  now: Date,
): Promise<{ count: number; ms: number }> {
  const started = performance.now();
  const compiled = await compileReady(knex, definition, now);
  const count = await bounded(knex, async (trx) => {
    const q = selectMembers(compiled, sql`count(*) as n`);
    const { rows } = (await toRaw(trx, q)) as { rows: { n: string | number }[] };
    return Number(rows[0]?.n ?? 0);
  });
  return { count, ms: Math.round(performance.now() - started) };
}

export interface PreviewMember {
  id: number;
  externalId: string;
  email: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
}

interface PreviewRow {
  id: string | number;
  external_id: string;
  email: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
}

/** Up to `limit` members, newest contacts first (the ones a marketer most likely recognizes). */
export async function preview(
  knex: Knex,
  definition: Condition,
  now: Date,
  limit = 20,
): Promise<PreviewMember[]> {
  const compiled = await compileReady(knex, definition, now);
  const q = selectMembers(compiled, sql`c.id, c.external_id, c.email, c.timezone, c.attributes`, {
    tail: sql`order by c.id desc limit ${param(limit)}::int`,
  });
  const rows = await bounded(
    knex,
    async (trx) => ((await toRaw(trx, q)) as { rows: PreviewRow[] }).rows,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    externalId: r.external_id,
    email: r.email,
    timezone: r.timezone,
    attributes: r.attributes,
  }));
}

/** Every member's contact id (membership refresh). */
export async function memberIds(
  knex: Knex | Knex.Transaction,
  definition: Condition,
  now: Date,
): Promise<number[]> {
  const q = selectMembers(await compileReady(knex, definition, now), sql`c.id`);
  const { rows } = (await toRaw(knex, q)) as { rows: { id: string | number }[] };
  return rows.map((r) => Number(r.id));
}

/**
 * Which of `contactIds` are members of the audience right now, evaluated live (not from
 * audience_members, which is only refreshed on the scanner's schedule). Unknown audience → no
 * one is a member.
 *
 * How the ticker wires `condition` branches with `audience` (engine/nodes/branch.ts): in the
 * batch load (server/runtime/sql/contact-state.ts), collect the audience ids of the condition
 * branches the claimed enrollments sit at (or all audiences the batch's journeys reference),
 * call `isMember(trx, id, contactIds, now)` once per audience for the whole batch — one
 * statement each, `c.id = any(...)` keeps it to the batch's contacts — and hand the engine the
 * result on the contact view (e.g. `contact.audiences: string[]`); the branch step then
 * answers yes when its `audience` is in that list (and its `conditions` hold). The engine stays
 * pure: it never queries, it reads what the ticker loaded.
 */
export async function isMember(
  knex: Knex | Knex.Transaction,
  audienceId: string,
  contactIds: readonly number[],
  now: Date = new Date(),
): Promise<Set<number>> {
  if (contactIds.length === 0) return new Set();
  const row = (await knex("audiences").where({ id: audienceId }).first("definition")) as
    | { definition: Condition }
    | undefined;
  if (!row) return new Set();
  // Scoped to the given contacts inside every event subquery too: a ticker batch's check reads
  // those contacts' events, not every event of the audience's kind.
  const scope = { kind: "ids", ids: contactIds } as const;
  const q = selectMembers(await compileReady(knex, row.definition, now, scope), sql`c.id`);
  const { rows } = (await toRaw(knex, q)) as { rows: { id: string | number }[] };
  return new Set(rows.map((r) => Number(r.id)));
}
