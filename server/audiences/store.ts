import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import type { Condition } from "../../engine/audience/schema.ts";
import { type AudienceIssue, parseAudience } from "../../engine/audience/validate.ts";
import { DomainError } from "../domain-error.ts";

/** Stored audiences: CRUD over `audiences`, every write validated by the one schema. */
export interface AudienceRecord {
  id: string;
  name: string;
  description: string | null;
  definition: Condition;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string;
  name: string;
  description: string | null;
  definition: Condition;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = ["id", "name", "description", "definition", "created_at", "updated_at"];

const present = (r: Row): AudienceRecord => ({
  id: r.id,
  name: r.name,
  description: r.description,
  definition: r.definition,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Parses a definition or answers 422 with the issues list (paths inside the definition). */
export function definitionOrReject(doc: unknown): {
  definition: Condition;
  issues: AudienceIssue[];
} {
  const parsed = parseAudience(doc);
  if (!parsed.ok) {
    throw new DomainError(
      "unprocessable",
      "invalid_audience",
      parsed.issues.find((i) => i.severity === "error")?.message ?? "the audience is not valid",
      parsed.issues,
    );
  }
  return { definition: parsed.definition, issues: parsed.issues };
}

/** "Dormant, high value" → "dormant-high-value"; names without latin letters get a random id. */
export function slugFor(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  return slug || `audience-${randomBytes(3).toString("hex")}`;
}

export async function listAudiences(knex: Knex): Promise<AudienceRecord[]> {
  const rows = (await knex("audiences").orderBy("updated_at", "desc").select(COLUMNS)) as Row[];
  return rows.map(present);
}

export async function getAudience(knex: Knex, id: string): Promise<AudienceRecord | null> {
  const row = (await knex("audiences").where({ id }).first(COLUMNS)) as Row | undefined;
  return row ? present(row) : null;
}

export async function createAudience(
  knex: Knex,
  input: {
    id?: string | undefined;
    name: string;
    description?: string | undefined;
    definition: Condition;
  },
  operatorId: number | null,
): Promise<AudienceRecord> {
  return knex.transaction(async (trx) => {
    let id = input.id ?? slugFor(input.name);
    const taken = async (candidate: string) =>
      (await trx("audiences").where({ id: candidate }).first("id")) !== undefined;
    if (await taken(id)) {
      if (input.id)
        throw new DomainError("conflict", "audience_exists", `an audience "${id}" already exists`);
      id = `${id}-${randomBytes(3).toString("hex")}`;
    }
    const [row] = (await trx("audiences")
      .insert({
        id,
        name: input.name,
        description: input.description ?? null,
        definition: JSON.stringify(input.definition),
        created_by: operatorId,
      })
      .returning(COLUMNS)) as Row[];
    if (!row) throw new Error("insert returned nothing");
    return present(row);
  });
}

export async function updateAudience(
  knex: Knex,
  id: string,
  input: { name: string; description?: string | undefined; definition: Condition },
  now: Date,
): Promise<AudienceRecord> {
  const [row] = (await knex("audiences")
    .where({ id })
    .update({
      name: input.name,
      description: input.description ?? null,
      definition: JSON.stringify(input.definition),
      updated_at: now,
    })
    .returning(COLUMNS)) as Row[];
  if (!row) throw new DomainError("not_found", "not_found", `no audience "${id}"`);
  return present(row);
}

/**
 * Journeys whose live version or draft names the audience (trigger or condition branch). A
 * deleted audience would silently stop a live journey's entries, so deleting one in use is 409.
 */
export async function journeysUsing(knex: Knex, id: string): Promise<string[]> {
  const rows = (await knex.raw(
    `select distinct j.id
       from journeys j
       join journey_versions v on v.journey_id = j.id and (v.id = j.live_version_id or v.is_draft)
       cross join lateral jsonb_array_elements(coalesce(v.definition -> 'nodes', '[]'::jsonb)) as n(node)
      where j.status <> 'archived'
        and (n.node #>> '{trigger,audience}' = ? or n.node #>> '{branch,audience}' = ?)
      order by j.id`,
    [id, id],
  )) as { rows: { id: string }[] };
  return rows.rows.map((r) => r.id);
}

export async function deleteAudience(knex: Knex, id: string): Promise<void> {
  const users = await journeysUsing(knex, id);
  if (users.length > 0) {
    throw new DomainError(
      "conflict",
      "audience_in_use",
      `the audience is used by ${users.map((u) => `"${u}"`).join(", ")}`,
      { journeys: users },
    );
  }
  const gone = await knex("audiences").where({ id }).delete().returning("id");
  if (gone.length === 0) throw new DomainError("not_found", "not_found", `no audience "${id}"`);
}
