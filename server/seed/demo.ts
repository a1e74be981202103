import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Knex } from "knex";
import { generatePassword, hashPassword } from "../auth/passwords.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { demoContacts } from "./contacts.ts";
import { seedRfmDemo } from "./rfm-demo.ts";

export const EXAMPLES_DIR = resolve(import.meta.dirname, "../../examples/journeys");
export const ADMIN_EMAIL = "admin@waymark.local";

export interface SeedResult {
  /** Set only on the run that created the admin: the one-time password to print. */
  adminPassword: string | null;
  adminEmail: string;
  /**
   * The first admin still has an unchanged one-time password: the start banner says how to get
   * a new one (`waymark operators reset-password`), since the old one is only stored hashed.
   */
  adminPending: boolean;
  contacts: number;
  journeys: number;
}

/**
 * First-run set-up: an admin with a one-time password, and — unless disabled — a demo workspace
 * (contacts across several zones, the example journeys as drafts). Each part only runs when its
 * table is empty, so restarting never duplicates anything.
 */
export async function seedIfEmpty(
  knex: Knex,
  crypto: FieldCrypto,
  options: { demo: boolean; now?: Date; rfmContacts?: number },
): Promise<SeedResult> {
  const result = await seedBasics(knex, crypto, options);
  const rfmContacts = options.rfmContacts ?? 10_000;
  if (options.demo && result.journeys > 0 && rfmContacts > 0) {
    // Purchase histories and past sends for the RFM grid and the results charts. Only on the
    // run that created the demo journeys: it reads their drafts, and restarts must not grow it.
    const rfm = await seedRfmDemo(knex, crypto, {
      contacts: 10_000,
      now: options.now ?? new Date(),
    });
    result.contacts += rfm.contacts;
  }
  return result;
}

async function seedBasics(
  knex: Knex,
  crypto: FieldCrypto,
  options: { demo: boolean },
): Promise<SeedResult> {
  return knex.transaction(async (trx) => {
    const result: SeedResult = {
      adminPassword: null,
      adminEmail: ADMIN_EMAIL,
      adminPending: false,
      contacts: 0,
      journeys: 0,
    };
    if (!(await hasRows(trx, "operators"))) {
      const password = generatePassword();
      await trx("operators").insert({
        email: ADMIN_EMAIL,
        name: "Admin",
        role: "admin",
        password_hash: await hashPassword(password),
        must_change_password: true,
      });
      result.adminPassword = password;
    } else {
      const admin = (await trx("operators")
        .whereRaw("lower(email) = ?", [ADMIN_EMAIL])
        .whereNull("disabled_at")
        .first("must_change_password")) as { must_change_password: boolean } | undefined;
      result.adminPending = admin?.must_change_password === true;
    }
    if (!options.demo) return result;
    if (!(await hasRows(trx, "contacts"))) {
      const rows = demoContacts(300).map((c) => ({
        external_id: c.externalId,
        email: c.email,
        phone_encrypted: crypto.encrypt(c.phone),
        phone_hash: crypto.blindIndex(c.phone),
        phone_country: c.country,
        timezone: c.timezone,
        locale: c.locale,
        attributes: JSON.stringify(c.attributes),
        consent: JSON.stringify(c.consent),
      }));
      await trx.batchInsert("contacts", rows, 500);
      result.contacts = rows.length;
    }
    if (!(await hasRows(trx, "journeys"))) {
      for (const doc of exampleJourneys()) {
        await trx("journeys").insert({ id: doc.id, name: doc.name, status: "draft" });
        await trx("journey_versions").insert({
          journey_id: doc.id,
          is_draft: true,
          definition: JSON.stringify(doc),
        });
        result.journeys++;
      }
    }
    return result;
  });
}

async function hasRows(knex: Knex, table: string): Promise<boolean> {
  return (await knex(table).first(knex.raw("1 as one"))) !== undefined;
}

interface ExampleDoc {
  id: string;
  name: string;
}

/** The example journeys shipped in examples/journeys/, which the engine's tests also validate. */
export function exampleJourneys(): ExampleDoc[] {
  let files: string[];
  try {
    files = readdirSync(EXAMPLES_DIR)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch {
    return [];
  }
  return files.map((f) => {
    const doc = JSON.parse(readFileSync(resolve(EXAMPLES_DIR, f), "utf8")) as Partial<ExampleDoc>;
    if (typeof doc.id !== "string" || typeof doc.name !== "string") {
      throw new Error(`examples/journeys/${f} has no id or name`);
    }
    return doc as ExampleDoc;
  });
}
