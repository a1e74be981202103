import type { Knex } from "knex";
import { compile, compileFresh } from "../../engine/compile/compile.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { migrateSnapshot, migrationTarget } from "../../engine/migrate.ts";
import { conditionAudiences, unknownAudienceIssues } from "../../engine/nodes/branch.ts";
import { assertNever } from "../../engine/shared/assert-never.ts";
import type { EnrollmentSnapshot } from "../../engine/snapshot.ts";
import type { Issue } from "../../engine/validate/issue.ts";
import { hasErrors, type ValidateOptions, validate } from "../../engine/validate/validate.ts";
import { DomainError } from "../domain-error.ts";
import { countSkips } from "../runtime/sql/skips.ts";
import { type PauseEntries, releaseHeld } from "./status.ts";

/**
 * Journey lifecycle: a mutable draft per journey, immutable published versions, and the
 * journey's status (draft → live ⇄ paused → archived). Every change is one transaction, so a
 * failed publish leaves neither a half-written version nor a journey pointing at nothing.
 */

export interface JourneyRecord {
  id: string;
  name: string;
  status: "draft" | "live" | "paused" | "archived";
  liveVersionId: number | null;
  liveVersion: number | null;
  /** The last draft that parses as the format (what diff, results and duplicate read). */
  draft: Journey | null;
  /** The draft as typed when it does not parse (a half-filled field); null when `draft` is it. */
  draftAsTyped: unknown;
  /** While paused: what triggers do meanwhile, since when, and how many were skipped so far. */
  pause: { entries: PauseEntries; since: string; skipped: number } | null;
  /** Entries skipped during pauses set to "skip", all pauses together. */
  skippedEntries: number;
}

function invalid(issues: Issue[]): never {
  throw new DomainError(
    "unprocessable",
    "invalid_journey",
    issues[0]?.message ?? "the journey is not valid",
    issues,
  );
}

/** Parses a document into a journey or answers 422 with the issues list. */
export function parseOrReject(doc: unknown): Journey {
  const parsed = parseJourney(doc);
  if (!parsed.ok) invalid(parsed.issues);
  return parsed.journey;
}

export async function createJourney(
  knex: Knex,
  doc: unknown,
  operatorId: number | null,
): Promise<Journey> {
  const journey = parseOrReject(doc);
  return knex.transaction(async (trx) => {
    const exists = await trx("journeys").where({ id: journey.id }).first("id");
    if (exists)
      throw new DomainError(
        "conflict",
        "journey_exists",
        `a journey with id "${journey.id}" already exists`,
      );
    await trx("journeys").insert({
      id: journey.id,
      name: journey.name,
      status: "draft",
      created_by: operatorId,
    });
    await trx("journey_versions").insert({
      journey_id: journey.id,
      is_draft: true,
      definition: JSON.stringify(journey),
    });
    return journey;
  });
}

export async function saveDraft(knex: Knex, id: string, doc: unknown): Promise<Journey> {
  const journey = parseOrReject(doc);
  if (journey.id !== id)
    throw new DomainError(
      "invalid",
      "id_mismatch",
      `the document's id "${journey.id}" is not "${id}"`,
    );
  return knex.transaction(async (trx) => {
    const row = await trx("journeys").where({ id }).forUpdate().first("status");
    if (!row) throw new DomainError("not_found", "not_found", `no journey "${id}"`);
    if (row.status === "archived")
      throw new DomainError("conflict", "archived", "an archived journey cannot be edited");
    const now = new Date();
    const updated = await trx("journey_versions")
      .where({ journey_id: id, is_draft: true })
      .update({ definition: JSON.stringify(journey), draft_as_typed: null, updated_at: now });
    if (updated === 0) {
      await trx("journey_versions").insert({
        journey_id: id,
        is_draft: true,
        definition: JSON.stringify(journey),
      });
    }
    await trx("journeys").where({ id }).update({ name: journey.name, updated_at: now });
    return journey;
  });
}

export async function getJourney(knex: Knex, id: string): Promise<JourneyRecord | null> {
  const row = (await knex("journeys as j")
    .leftJoin("journey_versions as v", "v.id", "j.live_version_id")
    .leftJoin("journey_versions as d", function () {
      this.on("d.journey_id", "=", "j.id").andOn("d.is_draft", "=", knex.raw("true"));
    })
    .where("j.id", id)
    .first(
      "j.id",
      "j.name",
      "j.status",
      "j.live_version_id",
      "v.version",
      "d.definition",
      "d.draft_as_typed",
      "j.pause_entries",
      "j.paused_at",
      "j.updated_at",
    )) as
    | {
        id: string;
        name: string;
        status: JourneyRecord["status"];
        live_version_id: string | number | null;
        version: number | null;
        definition: Journey | null;
        draft_as_typed: unknown;
        pause_entries: PauseEntries | null;
        paused_at: Date | null;
        updated_at: Date;
      }
    | undefined;
  if (!row) return null;
  const since = row.status === "paused" ? new Date(row.paused_at ?? row.updated_at) : null;
  const skips = await countSkips(knex, id, since);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    liveVersionId: row.live_version_id === null ? null : Number(row.live_version_id),
    liveVersion: row.version,
    draft: row.definition,
    draftAsTyped: row.draft_as_typed ?? null,
    pause: since
      ? {
          entries: row.pause_entries ?? "skip",
          since: since.toISOString(),
          skipped: skips.sincePause,
        }
      : null,
    skippedEntries: skips.total,
  };
}

/**
 * `audience_unknown` for condition branches naming an audience that does not exist: the one
 * check `validate` cannot make, having no store. No query when no branch names an audience.
 */
async function audienceIssues(trx: Knex.Transaction, journey: Journey): Promise<Issue[]> {
  const ids = conditionAudiences(journey);
  if (ids.length === 0) return [];
  const rows = (await trx("audiences").whereIn("id", ids).select("id")) as { id: string }[];
  return unknownAudienceIssues(journey, new Set(rows.map((r) => r.id)));
}

/**
 * Publishes the draft as the next immutable version and makes it live. In-flight users stay on
 * the version they entered (`pin`): their snapshots name their version, and versions never
 * change. Refuses (422) while validation reports errors.
 */
export interface PublishOptions {
  /** In-flight users: stay on their version (default), or move to the new one by node id. */
  inFlight?: "pin" | "migrate";
  /** For `migrate`: old node id → new node id, or null to exit. Unmapped nodes keep their id. */
  map?: Record<string, string | null>;
  /** Report what would happen, change nothing. */
  dryRun?: boolean;
  /** What validation should know about this server (the SMS provider in effect, for warnings). */
  validateOptions?: ValidateOptions;
}

export interface PublishResult {
  versionId: number | null;
  version: number;
  issues: Issue[];
  /** Active users per node of older versions and where `migrate` takes them (null: exit). */
  inFlight: { versionId: number; node: string; users: number; to: string | null }[];
  migrated: number;
  exited: number;
}

export async function publishJourney(
  knex: Knex,
  id: string,
  operatorId: number | null,
  now: Date = new Date(),
  options: PublishOptions = {},
): Promise<PublishResult> {
  return knex.transaction(async (trx) => {
    const journey = await trx("journeys").where({ id }).forUpdate().first("status");
    if (!journey) throw new DomainError("not_found", "not_found", `no journey "${id}"`);
    if (journey.status === "archived")
      throw new DomainError("conflict", "archived", "an archived journey cannot be published");
    const draft = (await trx("journey_versions")
      .where({ journey_id: id, is_draft: true })
      .first("definition", "draft_as_typed")) as
      | { definition: Journey; draft_as_typed: unknown }
      | undefined;
    if (!draft) throw new DomainError("conflict", "no_draft", "there is no draft to publish");
    // A draft kept as typed is what the editor shows: publish it or nothing, never the last
    // well-formed one behind the marketer's back. It does not parse, so this answers 422.
    if (draft.draft_as_typed !== null) invalid(validate(draft.draft_as_typed));
    const issues = validate(draft.definition, options.validateOptions);
    // Only a well-formed document is walked for audience ids (drafts are parsed on save, but
    // rows written before a format change may not be).
    if (!hasErrors(issues)) issues.push(...(await audienceIssues(trx, draft.definition)));
    if (hasErrors(issues)) invalid(issues);
    const max = (await trx("journey_versions")
      .where({ journey_id: id, is_draft: false })
      .max("version as v")
      .first()) as { v: number | null };
    const version = (max?.v ?? 0) + 1;
    const next = compileFresh({ versionId: "next", journey: draft.definition });
    const map = options.map ?? {};
    const counts = (await trx("enrollments")
      .where({ journey_id: id, status: "active" })
      .select("version_id", "current_node")
      .count("* as n")
      .groupBy("version_id", "current_node")
      .orderBy(["version_id", "current_node"])) as {
      version_id: string | number;
      current_node: string;
      n: string | number;
    }[];
    const inFlight = counts.map((c) => ({
      versionId: Number(c.version_id),
      node: c.current_node,
      users: Number(c.n),
      to: migrationTarget(c.current_node, map, next),
    }));
    if (options.dryRun)
      return { versionId: null, version, issues, inFlight, migrated: 0, exited: 0 };
    const [row] = (await trx("journey_versions")
      .insert({
        journey_id: id,
        version,
        is_draft: false,
        definition: JSON.stringify(draft.definition),
        published_at: now,
        published_by: operatorId,
      })
      .returning("id")) as { id: string | number }[];
    const versionId = Number(row?.id);
    await trx("journeys").where({ id }).update({
      status: "live",
      live_version_id: versionId,
      pause_entries: null,
      paused_at: null,
      updated_at: now,
    });
    // A paused journey that is published again resumes: its held users continue.
    if (journey.status === "paused") await releaseHeld(trx, id, now);
    const moved =
      options.inFlight === "migrate"
        ? await migrateInFlight(trx, id, versionId, draft.definition, map, now)
        : { migrated: 0, exited: 0 };
    return { versionId, version, issues, inFlight, ...moved };
  });
}

/**
 * Moves every active enrollment of older versions onto `versionId` (engine/migrate.ts decides
 * each one): same node → same wait; mapped node → entered now; removed → exited and logged.
 * Row by row on purpose: this runs once per publish, under the journey's row lock.
 */
async function migrateInFlight(
  trx: Knex.Transaction,
  id: string,
  versionId: number,
  definition: Journey,
  map: Record<string, string | null>,
  now: Date,
): Promise<{ migrated: number; exited: number }> {
  const next = compile({ versionId: String(versionId), journey: definition });
  const rows = (await trx("enrollments")
    .where({ journey_id: id, status: "active" })
    .whereNot({ version_id: versionId })
    .whereNotNull("snapshot")
    .forUpdate()
    .select("id", "contact_id", "version_id", "snapshot")) as {
    id: string | number;
    contact_id: string | number;
    version_id: string | number;
    snapshot: EnrollmentSnapshot;
  }[];
  let migrated = 0;
  let exited = 0;
  for (const r of rows) {
    const m = migrateSnapshot(r.snapshot, next, map, now.getTime());
    const base = { contact_id: r.contact_id, enrollment_id: r.id, journey_id: id, at: now };
    switch (m.kind) {
      case "exit":
        await trx("enrollments")
          .where({ id: r.id })
          .update({ status: "exited", ended_at: now, exit_reason: m.reason, updated_at: now });
        await trx("enrollment_wakeups").where({ enrollment_id: r.id }).delete();
        await trx("enrollment_log").insert({
          ...base,
          version_id: r.version_id,
          node_id: r.snapshot.context.node,
          type: "exited",
          reason: m.reason,
          detail: `node ${r.snapshot.context.node} is not in version ${versionId}`,
        });
        exited++;
        break;
      case "stay":
      case "move":
        await trx("enrollments")
          .where({ id: r.id })
          .update({
            version_id: versionId,
            snapshot: JSON.stringify(m.snapshot),
            current_node: m.snapshot.context.node,
            updated_at: now,
          });
        if (m.kind === "move") {
          await trx("enrollment_wakeups").where({ enrollment_id: r.id }).update({ wake_at: now });
          await trx("enrollment_log").insert({
            ...base,
            version_id: versionId,
            node_id: m.to,
            type: "migrated",
            detail: `moved from ${r.snapshot.context.node} (version ${r.version_id}) to ${m.to}`,
          });
        }
        migrated++;
        break;
      default:
        assertNever(m);
    }
  }
  return { migrated, exited };
}
