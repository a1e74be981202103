import { createHash, randomBytes } from "node:crypto";
import type { Knex } from "knex";
import type { AccessRole, Role } from "../auth/sessions.ts";

export type KeyKind = "write" | "secret";

/**
 * Write keys (ingest only, safe to embed in a backend that tracks events) and secret keys (the
 * REST API as a Bearer token, with a role). Stored as SHA-256 hashes: keys are long random
 * strings, so a fast hash is enough and lookups stay one indexed equality.
 *
 * A key lives no longer than the account that made it: disabling the operator (or deleting the
 * row) ends their keys, and a secret key whose role its creator may no longer grant is refused.
 * Keys made with the CLI have no creator; they stand until revoked.
 */
const PREFIX: Record<KeyKind, string> = { write: "wk_", secret: "sk_" };

export const hashKey = (key: string) => createHash("sha256").update(key).digest("base64url");

/**
 * Whether an operator (or key) of role `creator` may make a secret key of role `role`: admins
 * any role; everyone else their own role or `metrics`, which is below every other role.
 */
export function mayGrant(creator: AccessRole, role: AccessRole): boolean {
  if (creator === "metrics") return false;
  return creator === "admin" || role === creator || role === "metrics";
}

export async function createApiKey(
  knex: Knex,
  kind: KeyKind,
  name: string,
  createdBy: number | null,
  /** A secret key's role; the caller checks it with `mayGrant`. The CLI's default is admin. */
  role: AccessRole = "admin",
): Promise<{ id: number; key: string }> {
  const key = `${PREFIX[kind]}${randomBytes(24).toString("base64url")}`;
  const [row] = (await knex("api_keys")
    .insert({
      kind,
      name,
      prefix: key.slice(0, 7),
      key_hash: hashKey(key),
      created_by: createdBy,
      role: kind === "secret" ? role : null,
    })
    .returning("id")) as { id: string | number }[];
  return { id: Number(row?.id), key };
}

export interface ApiKey {
  id: number;
  kind: KeyKind;
  name: string;
  /** A secret key's role; null for write keys. */
  role: AccessRole | null;
  /** The operator who made it; null for keys made with the CLI. */
  createdBy: number | null;
}

/**
 * The key's row when it exists, is of `kind`, is not revoked and its creator (if any) is an
 * active operator who may still grant its role; null otherwise.
 */
export async function verifyApiKey(knex: Knex, key: string, kind: KeyKind): Promise<ApiKey | null> {
  if (!key.startsWith(PREFIX[kind])) return null;
  const row = (await knex("api_keys as k")
    .leftJoin("operators as o", "o.id", "k.created_by")
    .where({ "k.key_hash": hashKey(key), "k.kind": kind })
    .whereNull("k.revoked_at")
    .first(
      "k.id",
      "k.kind",
      "k.name",
      "k.role",
      "k.created_by",
      "o.role as creator_role",
      "o.disabled_at as creator_disabled_at",
    )) as
    | {
        id: string | number;
        kind: KeyKind;
        name: string;
        role: AccessRole | null;
        created_by: string | number | null;
        creator_role: Role | null;
        creator_disabled_at: Date | null;
      }
    | undefined;
  if (!row) return null;
  // A secret key acts for its creator and ends with their account. A write key only feeds
  // events: it keeps working when its creator leaves, because refusing it would make the SDKs
  // drop the events of a production backend for good; an admin revokes it deliberately.
  if (row.created_by !== null && row.kind === "secret") {
    if (!row.creator_role || row.creator_disabled_at) return null;
    if (row.role && !mayGrant(row.creator_role, row.role)) return null;
  }
  return {
    id: Number(row.id),
    kind: row.kind,
    name: row.name,
    role: row.role,
    createdBy: row.created_by === null ? null : Number(row.created_by),
  };
}

/** Revokes a key; `owner` limits it to keys that operator made (non-admins manage their own). */
export async function revokeApiKey(
  knex: Knex,
  id: number,
  now: Date,
  owner?: number,
): Promise<boolean> {
  const query = knex("api_keys").where({ id }).whereNull("revoked_at");
  if (owner !== undefined) query.where({ created_by: owner });
  return (await query.update({ revoked_at: now })) > 0;
}

/** An operator's unrevoked keys by kind: what stops with their account and what keeps working. */
export async function countActiveKeys(
  knex: Knex,
  operatorId: number,
): Promise<{ secret: number; write: number }> {
  const rows = (await knex("api_keys")
    .where({ created_by: operatorId })
    .whereNull("revoked_at")
    .groupBy("kind")
    .select("kind")
    .count({ n: "*" })) as { kind: KeyKind; n: string | number }[];
  const n = (kind: KeyKind) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { secret: n("secret"), write: n("write") };
}

/**
 * Keys for the console's list, newest first, with their creator's email and whether the creator
 * was disabled; `owner` limits it to one creator's keys (non-admins see only their own).
 */
export async function listApiKeys(knex: Knex, owner: number | undefined) {
  const query = knex("api_keys as k")
    .leftJoin("operators as o", "o.id", "k.created_by")
    .orderBy("k.id", "desc")
    .select(
      "k.id",
      "k.kind",
      "k.name",
      "k.role",
      "k.prefix",
      "o.email as createdBy",
      "o.disabled_at as creatorDisabledAt",
      "k.created_at as createdAt",
      "k.last_used_at as lastUsedAt",
      "k.revoked_at as revokedAt",
    );
  if (owner !== undefined) query.where("k.created_by", owner);
  const keys = (await query) as { id: string | number; [column: string]: unknown }[];
  return keys.map((k) => ({ ...k, id: Number(k.id) }));
}
