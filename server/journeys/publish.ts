import type { Knex } from "knex";
import { diffJourneys } from "../../engine/diff/diff.ts";
import { withAudit } from "../audit/audit.ts";
import type { AuditActor } from "../audit/types.ts";
import { draftDefinition, recordPublishMeta, versionDefinition } from "./sql/versions.ts";
import { type PublishOptions, type PublishResult, publishJourney } from "./store.ts";

/**
 * Publish with what the Versions panel and the audit log keep about it: the publisher, their
 * note, the in-flight policy, how many users moved or exited, and what changed against the
 * version that was live — all in the publish's own transaction.
 */
export async function publishAudited(
  knex: Knex,
  id: string,
  actor: AuditActor,
  operatorId: number | null,
  now: Date,
  options: PublishOptions & { note?: string | undefined },
): Promise<PublishResult> {
  let changes: ReturnType<typeof diffJourneys>["summary"] | null = null;
  let previous: number | null = null;
  return withAudit(
    knex,
    actor,
    async (trx) => {
      if (!options.dryRun) {
        // Lock first (publishJourney locks the same row again), so the live version read here
        // is the one this publish replaces.
        await trx("journeys").where({ id }).forUpdate().first("id");
        const live = (await trx("journeys as j")
          .join("journey_versions as v", "v.id", "j.live_version_id")
          .where("j.id", id)
          .first("v.version")) as { version: number } | undefined;
        previous = live?.version ?? null;
        const before = previous === null ? null : await versionDefinition(trx, id, previous);
        const draft = await draftDefinition(trx, id);
        if (draft) changes = diffJourneys(before?.definition ?? null, draft).summary;
      }
      const result = await publishJourney(trx, id, operatorId, now, options);
      if (result.versionId !== null)
        await recordPublishMeta(trx, result.versionId, {
          note: options.note ?? null,
          inFlight: options.inFlight ?? "pin",
          migrated: result.migrated,
          exited: result.exited,
          publishedByName: actor.name,
        });
      return result;
    },
    (result) =>
      result.versionId === null
        ? null
        : {
            action: "journey.publish",
            subject: { type: "journey", id },
            details: {
              version: result.version,
              versionId: result.versionId,
              previousVersion: previous,
              inFlight: options.inFlight ?? "pin",
              migrated: result.migrated,
              exited: result.exited,
              note: options.note ?? null,
              changes,
            },
            at: now,
          },
  );
}
