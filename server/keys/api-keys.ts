import { createHash, randomBytes } from "node:crypto";
import type { Knex } from "knex";

export type KeyKind = "write" | "secret";

/**
 * Write keys (ingest only, safe to embed in a backend that tracks events) and secret keys (the
 * admin API as a Bearer token). Stored as SHA-256 hashes: keys are long random strings, so a
 * fast hash is enough and lookups stay one indexed equality.
 */
const PREFIX: Record<KeyKind, string> = { write: "wk_", secret: "sk_" };

export const hashKey = (key: string) => createHash("sha256").update(key).digest("base64url");

export async function createApiKey(
  knex: Knex,
  kind: KeyKind,
  name: string,
  createdBy: number | null,
): Promise<{ id: number; key: string }> {
  const key = `${PREFIX[kind]}${randomBytes(24).toString("base64url")}`;
  const [row] = (await knex("api_keys")
    .insert({ kind, name, prefix: key.slice(0, 7), key_hash: hashKey(key), created_by: createdBy })
    .returning("id")) as { id: string | number }[];
  return { id: Number(row?.id), key };
}

export interface ApiKey {
  id: number;
  kind: KeyKind;
  name: string;
}

/** The key's row when it exists, is of `kind` and is not revoked; null otherwise. */
export async function verifyApiKey(knex: Knex, key: string, kind: KeyKind): Promise<ApiKey | null> {
  if (!key.startsWith(PREFIX[kind])) return null;
  const row = (await knex("api_keys")
    .where({ key_hash: hashKey(key), kind })
    .whereNull("revoked_at")
    .first("id", "kind", "name")) as
    | { id: string | number; kind: KeyKind; name: string }
    | undefined;
  return row ? { id: Number(row.id), kind: row.kind, name: row.name } : null;
}

export async function revokeApiKey(knex: Knex, id: number, now: Date): Promise<boolean> {
  return (
    (await knex("api_keys").where({ id }).whereNull("revoked_at").update({ revoked_at: now })) > 0
  );
}
