import type { Knex } from "knex";
import type { Journey } from "../../../engine/format/journey.ts";

/**
 * Published versions as the Versions panel reads them, and the rows revert and the diff read.
 * Versions are immutable once published; the only writes here are the publish metadata
 * (written in the publish's own transaction) — the draft is written by store.ts's saveDraft.
 * Per-version user counts come from enrollments_journey_idx (journey_id, status), then
 * grouped: a journey's active users are at most its audience, read once per panel open.
 */

type Db = Knex | Knex.Transaction;

export interface VersionInfo {
  id: number;
  version: number;
  publishedAt: Date;
  publishedBy: { id: number | null; name: string | null };
  note: string | null;
  /** The in-flight policy used at publish; null for versions published before it was kept. */
  inFlight: "pin" | "migrate" | null;
  migrated: number | null;
  exited: number | null;
  /** Users in the journey on this version now. */
  activeUsers: number;
}

interface VersionRow {
  id: string | number;
  version: number;
  published_at: Date;
  published_by: string | number | null;
  published_by_name: string | null;
  operator_email: string | null;
  note: string | null;
  in_flight: "pin" | "migrate" | null;
  migrated: number | null;
  exited: number | null;
}

export async function listVersions(db: Db, journeyId: string): Promise<VersionInfo[]> {
  const [rows, active] = await Promise.all([
    db("journey_versions as v")
      .leftJoin("operators as o", "o.id", "v.published_by")
      .where({ "v.journey_id": journeyId, "v.is_draft": false })
      .orderBy("v.version", "desc")
      .select(
        "v.id",
        "v.version",
        "v.published_at",
        "v.published_by",
        "v.published_by_name",
        "o.email as operator_email",
        "v.note",
        "v.in_flight",
        "v.migrated",
        "v.exited",
      ) as Promise<VersionRow[]>,
    activeByVersion(db, journeyId),
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    version: r.version,
    publishedAt: r.published_at,
    publishedBy: {
      id: r.published_by === null ? null : Number(r.published_by),
      name: r.published_by_name ?? r.operator_email,
    },
    note: r.note,
    inFlight: r.in_flight,
    migrated: r.migrated,
    exited: r.exited,
    activeUsers: active.get(Number(r.id)) ?? 0,
  }));
}

async function activeByVersion(db: Db, journeyId: string): Promise<Map<number, number>> {
  const rows = (await db("enrollments")
    .where({ journey_id: journeyId, status: "active" })
    .groupBy("version_id")
    .select("version_id", db.raw("count(*)::int as n"))) as {
    version_id: string | number;
    n: number;
  }[];
  return new Map(rows.map((r) => [Number(r.version_id), Number(r.n)]));
}

export interface VersionDefinition {
  id: number;
  version: number;
  publishedAt: Date;
  definition: Journey;
}

export async function versionDefinition(
  db: Db,
  journeyId: string,
  version: number,
): Promise<VersionDefinition | null> {
  const row = (await db("journey_versions")
    .where({ journey_id: journeyId, version, is_draft: false })
    .first("id", "version", "definition", "published_at")) as
    | { id: string | number; version: number; definition: Journey; published_at: Date }
    | undefined;
  return row
    ? {
        id: Number(row.id),
        version: row.version,
        publishedAt: row.published_at,
        definition: row.definition,
      }
    : null;
}

export async function draftDefinition(db: Db, journeyId: string): Promise<Journey | null> {
  const row = (await db("journey_versions")
    .where({ journey_id: journeyId, is_draft: true })
    .first("definition")) as { definition: Journey } | undefined;
  return row?.definition ?? null;
}

/**
 * Users on each node of one version now. Like the live counts pushed over socket.io
 * (server/realtime/snapshot.ts), enrollments ingest parked on the trigger and the ticker has
 * not stepped yet (`snapshot is null`) are left out, so both views agree.
 */
export async function versionNodeCounts(db: Db, versionId: number): Promise<Map<string, number>> {
  const rows = (await db("enrollments")
    .where({ version_id: versionId, status: "active" })
    .whereNotNull("snapshot")
    .groupBy("current_node")
    .select("current_node", db.raw("count(*)::int as n"))) as {
    current_node: string;
    n: number;
  }[];
  return new Map(rows.map((r) => [r.current_node, Number(r.n)]));
}

export interface PublishMeta {
  note: string | null;
  inFlight: "pin" | "migrate";
  migrated: number;
  exited: number;
  publishedByName: string;
}

/** The publish's metadata, in the publish's transaction (the version row was just inserted). */
export async function recordPublishMeta(
  trx: Knex.Transaction,
  versionId: number,
  meta: PublishMeta,
): Promise<void> {
  await trx("journey_versions").where({ id: versionId, is_draft: false }).update({
    note: meta.note,
    in_flight: meta.inFlight,
    migrated: meta.migrated,
    exited: meta.exited,
    published_by_name: meta.publishedByName,
  });
}
