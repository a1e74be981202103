import type { Knex } from "knex";
import { diffJourneys, type JourneyDiff } from "../../engine/diff/diff.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { audit } from "../audit/audit.ts";
import type { AuditActor } from "../audit/types.ts";
import { DomainError } from "../domain-error.ts";
import { draftDefinition, versionDefinition } from "./sql/versions.ts";
import { createJourney, getJourney, parseOrReject, saveDraft } from "./store.ts";

/**
 * Importing a document is safe by default: a new id creates a journey; an id that exists is
 * refused (409) with what the import would change against that journey's draft and live
 * version, unless the caller chose a mode — `replace_draft` (the draft only; the live version
 * and the users on it are never touched) or `new` (a new journey under a free id). Every
 * import is audited in the transaction that writes it.
 */
export type ImportMode = "new" | "replace_draft";

export interface ImportConflict {
  journey: { id: string; name: string; status: string; liveVersion: number | null };
  /** What `replace_draft` would change in the draft. */
  againstDraft: JourneyDiff;
  /** The imported document against what users are on now; null when nothing is live. */
  againstLive: JourneyDiff | null;
}

export interface ImportResult {
  journey: Journey;
  outcome: "created" | "replaced_draft" | "created_copy";
  /** Against the draft it replaced (replace_draft), or against nothing (a new journey). */
  diff: JourneyDiff;
}

const ID_MAX = 64;

/** `win-back-2`, `win-back-3`, …: the first id not taken (bounded: 100 candidates). */
async function freeId(trx: Knex.Transaction, base: string): Promise<string> {
  const candidates = Array.from({ length: 100 }, (_, i) => {
    const suffix = `-${i + 2}`;
    return `${base.slice(0, ID_MAX - suffix.length)}${suffix}`;
  });
  const taken = new Set(
    ((await trx("journeys").whereIn("id", candidates).select("id")) as { id: string }[]).map(
      (r) => r.id,
    ),
  );
  const id = candidates.find((c) => !taken.has(c));
  if (!id)
    throw new DomainError("conflict", "no_free_id", `no free id left after "${base}"; pass newId`);
  return id;
}

export async function importJourney(
  knex: Knex,
  doc: unknown,
  options: { mode: ImportMode | undefined; newId: string | undefined },
  actor: AuditActor,
  operatorId: number | null,
  now: Date,
): Promise<ImportResult> {
  // NUL and lone surrogates are refused by the route guard and, by path, by the format.
  const incoming = parseOrReject(doc);
  return knex.transaction(async (trx) => {
    const existing = await getJourney(trx, incoming.id);
    let result: ImportResult;
    if (!existing) {
      const journey = await createJourney(trx, incoming, operatorId);
      result = { journey, outcome: "created", diff: diffJourneys(null, journey) };
    } else if (options.mode === "replace_draft") {
      const before = existing.draft;
      const journey = await saveDraft(trx, incoming.id, incoming);
      result = { journey, outcome: "replaced_draft", diff: diffJourneys(before, journey) };
    } else if (options.mode === "new") {
      const id = options.newId ?? (await freeId(trx, incoming.id));
      const copy: Journey = { ...incoming, id };
      const journey = await createJourney(trx, copy, operatorId);
      result = { journey, outcome: "created_copy", diff: diffJourneys(null, journey) };
    } else {
      const live =
        existing.liveVersion === null
          ? null
          : await versionDefinition(trx, incoming.id, existing.liveVersion);
      const draft = await draftDefinition(trx, incoming.id);
      const conflict: ImportConflict = {
        journey: {
          id: existing.id,
          name: existing.name,
          status: existing.status,
          liveVersion: existing.liveVersion,
        },
        againstDraft: diffJourneys(draft, incoming),
        againstLive: live ? diffJourneys(live.definition, incoming) : null,
      };
      throw new DomainError(
        "conflict",
        "journey_exists",
        `a journey with id "${incoming.id}" already exists${existing.liveVersion === null ? "" : ` (live v${existing.liveVersion})`}: import with mode=replace_draft to replace its draft (the live version is not touched) or mode=new to import it as a new journey`,
        conflict,
      );
    }
    await audit(trx, actor, {
      action: "journey.import",
      subject: { type: "journey", id: result.journey.id },
      details: {
        outcome: result.outcome,
        mode: options.mode ?? null,
        from: incoming.id,
        changes: result.diff.summary,
      },
      at: now,
    });
    return result;
  });
}
