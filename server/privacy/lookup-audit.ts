import type { Knex } from "knex";
import type { Operator } from "../auth/sessions.ts";

/**
 * Contact lookups by phone or email: audited and throttled (issue 14). Support sees phones
 * masked (138****1234), but searching by a full number says whether a contact has it, so the
 * 10,000 candidates behind a mask are a script away: 556 searches recovered one in 8 s. Each
 * lookup is now a row — who, when, the phone's blind index (the one `contacts.phone_hash`
 * holds, so an admin can tell which contact was probed without the audit storing the number)
 * or the email's, and what the searcher was shown — and the search route counts the caller's
 * recent rows before searching. The rows are the throttle's state, so the limit holds across
 * processes and restarts.
 */

/** A person answering customers looks up a few numbers an hour; a mask takes hundreds. */
export const LOOKUP_LIMITS = [
  { windowMs: 10 * 60_000, max: 30 },
  { windowMs: 24 * 3_600_000, max: 300 },
] as const;

export interface Lookup {
  kind: "phone" | "email";
  /** The blind index of the E.164 phone or the lower-case email. */
  lookup: string;
  /** What the audit shows a reader: the masked value. */
  shown: string;
}

/** Operators are throttled as one person across their sessions and keys; CLI keys alone. */
export function actorOf(operator: Operator): string {
  if (operator.id !== null) return `operator:${operator.id}`;
  return operator.via.kind === "key" ? `key:${operator.via.key}` : "unknown";
}

export type Admission = { ok: true; id: number } | { ok: false; retryAfter: number };

/**
 * Records the lookup, then admits it when the caller's earlier admitted lookups (by id, so two
 * racing requests cannot both take the last place once both rows are in) stay under every
 * limit; a refused lookup stays in the audit, marked refused.
 */
export async function admitLookup(
  knex: Knex,
  operator: Operator,
  lookup: Lookup,
  now: Date,
): Promise<Admission> {
  const actor = actorOf(operator);
  const [row] = (await knex("contact_lookups")
    .insert({
      at: now,
      operator_id: operator.id,
      key_id: operator.via.kind === "key" ? operator.via.key : null,
      actor,
      kind: lookup.kind,
      lookup: lookup.lookup,
      shown: lookup.shown,
      matched: 0,
    })
    .returning("id")) as { id: string | number }[];
  const id = Number(row?.id);
  for (const limit of LOOKUP_LIMITS) {
    const since = new Date(now.getTime() - limit.windowMs);
    const earlier = (await knex("contact_lookups")
      .where({ actor, refused: false })
      .andWhere("at", ">", since)
      .andWhere("id", "<", id)
      .orderBy("id", "desc")
      .offset(limit.max - 1)
      .first("at")) as { at: Date } | undefined;
    // `earlier` is the max-th most recent admitted lookup: while it is inside the window, this
    // one would be one too many; it may go once that one leaves the window.
    if (earlier) {
      await knex("contact_lookups").where({ id }).update({ refused: true });
      const freeAt = new Date(earlier.at).getTime() + limit.windowMs;
      return { ok: false, retryAfter: Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)) };
    }
  }
  return { ok: true, id };
}

export async function recordMatches(knex: Knex, id: number, matched: number): Promise<void> {
  await knex("contact_lookups").where({ id }).update({ matched });
}

/** The audit, newest first, for admins: `before` pages by id. */
export async function listLookups(knex: Knex, limit: number, before?: number) {
  const query = knex("contact_lookups as l")
    .leftJoin("operators as o", "o.id", "l.operator_id")
    .leftJoin("api_keys as k", "k.id", "l.key_id")
    .orderBy("l.id", "desc")
    .limit(limit)
    .select(
      "l.id",
      "l.at",
      "o.email as operator",
      "k.name as key",
      "l.kind",
      "l.lookup",
      "l.shown",
      "l.matched",
      "l.refused",
    );
  if (before) query.where("l.id", "<", before);
  const rows = (await query) as { id: string | number }[];
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
