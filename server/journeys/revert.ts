import type { Knex } from "knex";
import { diffJourneys } from "../../engine/diff/diff.ts";
import { audit } from "../audit/audit.ts";
import type { AuditActor } from "../audit/types.ts";
import { DomainError } from "../domain-error.ts";
import { draftDefinition, versionDefinition } from "./sql/versions.ts";
import { saveDraft } from "./store.ts";

/**
 * Revert: a published version's document becomes the draft again (publishing it is then the
 * usual publish, with the in-flight dialog). Discarding the draft is the same move onto the
 * live version. Versions themselves never change, and nothing here touches users: only the
 * draft row is written, with its audit entry, in one transaction.
 */
export async function revertDraft(
  knex: Knex,
  journeyId: string,
  version: number,
  actor: AuditActor,
  now: Date,
  action: "journey.revert" | "journey.discard_draft" = "journey.revert",
) {
  return knex.transaction(async (trx) => {
    const source = await versionDefinition(trx, journeyId, version);
    if (!source)
      throw new DomainError(
        "not_found",
        "not_found",
        `journey "${journeyId}" has no version ${version}`,
      );
    const before = await draftDefinition(trx, journeyId);
    const draft = await saveDraft(trx, journeyId, source.definition);
    const diff = diffJourneys(before, draft);
    await audit(trx, actor, {
      action,
      subject: { type: "journey", id: journeyId },
      details: { version, discarded: diff.summary },
      at: now,
    });
    return { draft, version, diff };
  });
}

/** Discard the draft: it becomes the live version again (409 when nothing is live). */
export async function discardDraft(
  knex: Knex,
  journeyId: string,
  liveVersion: number | null,
  actor: AuditActor,
  now: Date,
) {
  if (liveVersion === null)
    throw new DomainError(
      "conflict",
      "not_published",
      "nothing is published: there is no live version",
    );
  return revertDraft(knex, journeyId, liveVersion, actor, now, "journey.discard_draft");
}
