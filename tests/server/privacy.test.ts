import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { maskPhone } from "../../server/privacy/mask.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

const PHONES = ["+8613812345678", "+12025550123", "+447700900123"];
/** The national significant numbers: what a leak would contain whatever the formatting. */
const DIGITS = ["13812345678", "2025550123", "7700900123"];

describe.each(databaseKinds)("no phone number in clear on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    await createJourney(db.knex, cartReminder(), null);
    await publishJourney(db.knex, "cart-test", null);
    for (const [i, phone] of PHONES.entries()) {
      await app.ingest("/v1/identify", {
        userId: `p${i}`,
        traits: { phone, firstName: "A", timezone: "Asia/Shanghai" },
        consent: { sms: { promotional: true } },
      });
      await app.ingest("/v1/track", {
        userId: `p${i}`,
        event: "cart_abandoned",
        messageId: `c${i}`,
      });
    }
    await app.tick();
    clock.advance(3_600_000);
    await app.tick();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("dumps every table and finds none of the numbers, while the API still finds the contact by phone", async () => {
    let dump: string;
    if (kind === "postgres" && db.url) {
      dump = execFileSync("pg_dump", ["--data-only", db.url], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
    } else {
      // PGlite has no pg_dump here: read every row of every table as text, which is what a dump holds.
      const tables = (await db.knex.raw(
        "select tablename from pg_tables where schemaname = current_schema()",
      )) as { rows: { tablename: string }[] };
      const parts: string[] = [];
      for (const { tablename } of tables.rows) {
        const rows = (await db.knex.raw(`select t::text as row from "${tablename}" t`)) as {
          rows: { row: string }[];
        };
        parts.push(...rows.rows.map((r) => r.row));
      }
      dump = parts.join("\n");
    }
    expect(dump.length).toBeGreaterThan(1000);
    expect(await db.knex("messages").count("* as n").first()).toMatchObject({
      n: expect.anything(),
    });
    for (const digits of DIGITS) expect(dump).not.toContain(digits);

    // Still searchable through the blind index, and masked for support staff.
    const res = await fetch(
      `${app.url}/api/contacts?q=${encodeURIComponent("+86 138 1234 5678")}`,
      { headers: { authorization: `Bearer ${app.secretKey}` } },
    );
    const body = (await res.json()) as { contacts: { externalId: string; phone: string }[] };
    expect(body.contacts.map((c) => c.externalId)).toEqual(["p0"]);
    expect(maskPhone("+8613812345678")).toBe("138****5678");
  });
});
