import { createHash, randomBytes } from "node:crypto";
import type { Knex } from "knex";

export const ROLES = ["admin", "marketer", "support", "engineer"] as const;
export type Role = (typeof ROLES)[number];

export interface Operator {
  id: number;
  email: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
}

export const SESSION_COOKIE = "waymark_session";
const SESSION_DAYS = 14;

// Only the token's hash is stored, so the sessions table cannot be replayed as cookies.
const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

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
  const row = (await knex("sessions as s")
    .join("operators as o", "o.id", "s.operator_id")
    .where("s.token_hash", hashToken(token))
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
  };
}

export async function deleteSession(knex: Knex, token: string): Promise<void> {
  await knex("sessions")
    .where({ token_hash: hashToken(token) })
    .delete();
}
