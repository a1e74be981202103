import { createHash, randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { KEY_ROLES, ROLES } from "../api/common.ts";

// Declared with the API's schemas, which the console reads too.
export { KEY_ROLES, ROLES };
export type Role = (typeof ROLES)[number];
/** Roles a secret key may carry: an operator's, or `metrics` (GET /metrics and nothing else). */
export type AccessRole = (typeof KEY_ROLES)[number];

/**
 * Who is calling: a signed-in operator, or a secret key acting for the operator who made it.
 *
 * - `id`: the operator account behind the call — the session's operator, or the key's creator
 *   (so a key cannot disable its own creator, and what it creates is attributed to them);
 *   null only for a key made with the CLI, which has no account behind it.
 * - `role`: the session's operator role, or the key's own role (never above its creator's).
 * - `via`: which credential, so it can be ended (the session's stored token hash, the key id).
 */
export interface Operator {
  id: number | null;
  email: string;
  name: string;
  role: AccessRole;
  mustChangePassword: boolean;
  via: { kind: "session"; session: string } | { kind: "key"; key: number };
}

export const SESSION_COOKIE = "waymark_session";
const SESSION_DAYS = 14;

// Only the token's hash is stored, so the sessions table cannot be replayed as cookies.
export const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

export async function createSession(
  knex: Knex,
  operatorId: number,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await knex("sessions").insert({
    token_hash: hashToken(token),
    operator_id: operatorId,
    expires_at: expiresAt,
  });
  await knex("operators").where({ id: operatorId }).update({ last_login_at: now });
  return { token, expiresAt };
}

export async function findSession(knex: Knex, token: string, now: Date): Promise<Operator | null> {
  const session = hashToken(token);
  const row = (await knex("sessions as s")
    .join("operators as o", "o.id", "s.operator_id")
    .where("s.token_hash", session)
    .andWhere("s.expires_at", ">", now)
    .whereNull("o.disabled_at")
    .first("o.id", "o.email", "o.name", "o.role", "o.must_change_password")) as
    | {
        id: string | number;
        email: string;
        name: string;
        role: Role;
        must_change_password: boolean;
      }
    | undefined;
  if (!row) return null;
  return {
    id: Number(row.id),
    email: row.email,
    name: row.name,
    role: row.role,
    mustChangePassword: row.must_change_password,
    via: { kind: "session", session },
  };
}

/** Ends one session; returns its stored hash (what sockets are keyed by) when it existed. */
export async function deleteSession(knex: Knex, token: string): Promise<string | null> {
  // `returning`, not the count: knex-pglite answers a bare delete with its raw result object.
  const rows = (await knex("sessions")
    .where({ token_hash: hashToken(token) })
    .delete()
    .returning("token_hash")) as { token_hash: string }[];
  return rows[0]?.token_hash ?? null;
}

/** Ends every session of an operator except `keep` (a stored hash); returns the ended hashes. */
export async function deleteOperatorSessions(
  knex: Knex,
  operatorId: number,
  keep?: string,
): Promise<string[]> {
  const query = knex("sessions").where({ operator_id: operatorId });
  if (keep) query.whereNot({ token_hash: keep });
  const rows = (await query.delete().returning("token_hash")) as { token_hash: string }[];
  return rows.map((r) => r.token_hash);
}
