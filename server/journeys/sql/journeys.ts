import type { Knex } from "knex";
import type { Journey } from "../../../engine/format/journey.ts";

/*
 * Small reads of one journey by its primary key, for routes that need only a fact about it;
 * the journey with its versions is store.ts's getJourney.
 */

type Db = Knex | Knex.Transaction;

/** Whether a journey exists, archived or not (stats of an archived journey still answer). */
export async function journeyExists(db: Db, id: string): Promise<boolean> {
  return (await db("journeys").where({ id }).first("id")) !== undefined;
}

/**
 * The draft as the editor shows it: as typed when it does not parse yet (`draftAsTyped`), else
 * the well-formed draft; null when there is no such journey.
 */
export async function editorDraft(
  db: Db,
  id: string,
): Promise<{ definition: Journey; draftAsTyped: unknown } | null> {
  const row = (await db("journey_versions")
    .where({ journey_id: id, is_draft: true })
    .first("definition", "draft_as_typed")) as
    | { definition: Journey; draft_as_typed: unknown }
    | undefined;
  return row ? { definition: row.definition, draftAsTyped: row.draft_as_typed } : null;
}
