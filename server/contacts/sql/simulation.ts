import type { Knex } from "knex";

/*
 * The contact a simulation runs for, by external id or row id (the console passes either): its
 * profile and consent, the phone still encrypted (the route decides whether the caller sees it).
 */

export interface SimulationContactRow {
  id: string | number;
  external_id: string;
  email: string | null;
  phone_encrypted: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: Record<string, unknown>;
  consent: Record<string, Record<string, { granted: boolean }>>;
}

export async function simulationContact(
  knex: Knex,
  id: string,
): Promise<SimulationContactRow | null> {
  const row = (await knex("contacts")
    .where((w) => {
      w.where("external_id", id);
      if (/^\d+$/.test(id)) w.orWhere("id", Number(id));
    })
    .first(
      "id",
      "external_id",
      "email",
      "phone_encrypted",
      "timezone",
      "locale",
      "attributes",
      "consent",
    )) as SimulationContactRow | undefined;
  return row ?? null;
}
