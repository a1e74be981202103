import type { Knex } from "knex";
import type { Channel } from "../../../engine/shared/channels.ts";

/*
 * The providers chosen in Settings (migration 20261206201000): one row per channel at most,
 * read whole — four rows — by every worker when a change is announced and by the Settings API;
 * no index beyond the primary key is needed. Secrets stay sealed here; provider-store.ts opens
 * them.
 */
export interface ProviderRow {
  channel: Channel;
  kind: string;
  settings: Record<string, unknown>;
  secretsEncrypted: string | null;
  updatedBy: string;
  updatedAt: Date;
}

interface RawRow {
  channel: Channel;
  kind: string;
  settings: Record<string, unknown> | string;
  secrets_encrypted: string | null;
  updated_by: string;
  updated_at: Date | string;
}

function fromRaw(r: RawRow): ProviderRow {
  return {
    channel: r.channel,
    kind: r.kind,
    // PGlite and pg both parse jsonb; a string is only ever a driver that did not.
    settings: typeof r.settings === "string" ? JSON.parse(r.settings) : r.settings,
    secretsEncrypted: r.secrets_encrypted,
    updatedBy: r.updated_by,
    updatedAt: new Date(r.updated_at),
  };
}

export async function listProviderRows(db: Knex | Knex.Transaction): Promise<ProviderRow[]> {
  const rows = (await db("delivery_providers").select("*").orderBy("channel")) as RawRow[];
  return rows.map(fromRaw);
}

/** The channel's row, locked for the PUT that merges kept secrets into it. */
export async function lockProviderRow(
  trx: Knex.Transaction,
  channel: Channel,
): Promise<ProviderRow | null> {
  const row = (await trx("delivery_providers").where({ channel }).forUpdate().first()) as
    | RawRow
    | undefined;
  return row ? fromRaw(row) : null;
}

export async function upsertProviderRow(trx: Knex.Transaction, row: ProviderRow): Promise<void> {
  await trx("delivery_providers")
    .insert({
      channel: row.channel,
      kind: row.kind,
      settings: JSON.stringify(row.settings),
      secrets_encrypted: row.secretsEncrypted,
      updated_by: row.updatedBy,
      updated_at: row.updatedAt,
    })
    .onConflict("channel")
    .merge(["kind", "settings", "secrets_encrypted", "updated_by", "updated_at"]);
}

/** Deletes the channel's row (the caller locked it, so it knows there was one). */
export async function deleteProviderRow(trx: Knex.Transaction, channel: Channel): Promise<void> {
  await trx("delivery_providers").where({ channel }).delete();
}
