import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../server/app.ts";
import { migrateLatest } from "../../../server/db/migrate.ts";
import { loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { createApiKey } from "../../../server/keys/api-keys.ts";
import { createLogger } from "../../../server/log.ts";
import { fieldCrypto } from "../../../server/privacy/keys.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";

const PHONE = "+8613912345678";
const EMAIL = "li.wei.secret@example.com";

/**
 * Issue 14, item 13: database errors were logged with their bind parameters (PGlite's `params`),
 * PostgreSQL's `detail` and messages quoting the value — phones and emails in clear. Here a real
 * route (POST /v1/identify) makes a query fail carrying a known phone and email, the server's
 * own logger writes to a buffer, and the buffer is searched for them.
 */
describe.each(databaseKinds)("error logs carry no contact data on %s", (kind) => {
  let db: TestDatabase;
  let http: Server;
  let url: string;
  let writeKey: string;
  const lines: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await migrateLatest(db.knex);
    // The failure under test: contacts refuses these rows, naming the values, as a constraint
    // or a cast would. `cast` fails inside PostgreSQL itself ("invalid input syntax … "<value>"").
    await db.knex.raw(`
      create function refuse_contact() returns trigger language plpgsql as $$
      begin
        if new.external_id = 'cast' then
          perform (new.attributes->>'mobile')::int;
        end if;
        raise exception 'contact % refused', new.email
          using detail = 'Key (email)=(' || new.email || ') mobile ' || (new.attributes->>'mobile'),
                hint = new.attributes->>'mobile';
      end $$`);
    await db.knex.raw(
      "create trigger refuse_contact before insert on contacts for each row execute function refuse_contact()",
    );
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger("info", sink);
    const app = createApp({
      db,
      log,
      crypto: fieldCrypto("test-secret-test-secret-test-secret!"),
      delivery: loadDeliveryConfig({}),
      serveClient: false,
    });
    http = createServer(app);
    await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    writeKey = (await createApiKey(db.knex, "write", "logs test", null)).key;
  });
  afterAll(async () => {
    http?.closeAllConnections();
    await new Promise<void>((done) => (http ? http.close(() => done()) : done()));
    await db?.close();
  });

  const identify = (userId: string) =>
    fetch(`${url}/v1/identify`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ userId, traits: { phone: PHONE, email: EMAIL, mobile: PHONE } }),
    });

  it("logs the failed query, not its values", async () => {
    for (const userId of ["raise", "cast"]) {
      const res = await identify(userId);
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain(EMAIL);
    }
    const log = lines.join("");
    // The failures are in the log (it is not simply empty) ...
    const errors = lines.map(
      (l) => JSON.parse(l) as { level: number; err?: Record<string, unknown> },
    );
    expect(errors.filter((e) => e.level >= 50 && e.err)).toHaveLength(2);
    expect(log).toContain("insert into contacts");
    expect(log).toContain("for type integer"); // PostgreSQL's own message, its value scrubbed
    expect(log).toContain("node_modules/"); // stacks stay readable
    // ... and neither the email nor the phone, in any spelling.
    expect(log).not.toContain(EMAIL);
    expect(log).not.toContain("li.wei.secret");
    expect(log).not.toContain(PHONE);
    expect(log).not.toContain("13912345678");
  });
});

describe("the logger's redaction", () => {
  it("scrubs contact data from string errors and from fields named phone or email", () => {
    const lines: string[] = [];
    const log = createLogger(
      "info",
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    log.warn({ error: `Twilio 21211: invalid 'To' ${PHONE}` }, "message failed");
    log.info({ contact: { email: EMAIL, phone: PHONE } }, "contact");
    log.error({ err: new Error(`lookup of ${EMAIL}`, { cause: new Error(`for ${PHONE}`) }) }, "x");
    const out = lines.join("");
    expect(out).not.toContain(EMAIL);
    expect(out).not.toContain(PHONE);
    expect(out).toContain("Twilio 21211");
  });
});
