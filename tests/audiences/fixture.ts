import type { Knex } from "knex";

/** Crafted contacts and events for audience tests, inserted directly (no ingest, no clock). */
export const NOW = new Date("2026-03-01T00:00:00Z");
const DAY = 86_400_000;
export const daysAgo = (n: number, from = NOW) => new Date(from.getTime() - n * DAY);

export interface FixtureContact {
  externalId: string;
  attributes?: Record<string, unknown>;
  consent?: Record<string, unknown>;
  timezone?: string;
  email?: string;
}

export interface FixtureEvent {
  contact: string;
  name: string;
  at: Date;
  properties?: Record<string, unknown>;
}

/** Inserts contacts; returns external id → contact id. */
export async function insertContacts(
  knex: Knex,
  contacts: FixtureContact[],
): Promise<Map<string, number>> {
  const rows = (await knex("contacts")
    .insert(
      contacts.map((c) => ({
        external_id: c.externalId,
        email: c.email ?? `${c.externalId}@example.com`,
        timezone: c.timezone ?? "Asia/Shanghai",
        attributes: JSON.stringify(c.attributes ?? {}),
        consent: JSON.stringify(c.consent ?? {}),
      })),
    )
    .returning(["id", "external_id"])) as { id: string | number; external_id: string }[];
  return new Map(rows.map((r) => [r.external_id, Number(r.id)]));
}

let serial = 0;
export async function insertEvents(
  knex: Knex,
  ids: Map<string, number>,
  events: FixtureEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await knex("events").insert(
    events.map((e) => {
      const contactId = ids.get(e.contact);
      if (contactId === undefined) throw new Error(`no contact ${e.contact}`);
      serial++;
      return {
        contact_id: contactId,
        message_id: `fx-${serial}`,
        name: e.name,
        properties: JSON.stringify(e.properties ?? {}),
        occurred_at: e.at,
      };
    }),
  );
}

export const grant = (granted: boolean) => ({
  sms: { promotional: { granted, source: "test", at: "2025-01-01T00:00:00Z" } },
});

/** External ids of the given contact ids, sorted: what assertions compare. */
export function namesOf(ids: Map<string, number>, members: Iterable<number>): string[] {
  const byId = new Map([...ids].map(([name, id]) => [id, name]));
  return [...members].map((id) => byId.get(id) ?? `#${id}`).sort();
}

/**
 * Ten buyers, b1…b10: b<i> last bought i days ago, placed i orders (a week apart) and spent
 * (11 − i) × 100 in total, so ntile(5) puts two in each quintile and every score is known.
 */
export function tenBuyers(): { names: string[]; events: FixtureEvent[] } {
  const names = Array.from({ length: 10 }, (_, i) => `b${i + 1}`);
  const events: FixtureEvent[] = [];
  names.forEach((name, idx) => {
    const i = idx + 1;
    for (let k = 0; k < i; k++) {
      events.push({
        contact: name,
        name: "purchased",
        at: daysAgo(i + k * 7),
        properties: { amount: ((11 - i) * 100) / i },
      });
    }
  });
  return { names, events };
}
