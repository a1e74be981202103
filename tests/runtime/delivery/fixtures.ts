import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import express from "express";
import type { Knex } from "knex";
import pino from "pino";
import type { DatabaseKind } from "../../../server/db/connect.ts";
import { migrateLatest } from "../../../server/db/migrate.ts";
import { type DeliveryConfig, loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { deliveryRoutes } from "../../../server/delivery/routes.ts";
import type { DeliveryLog, Provider } from "../../../server/delivery/types.ts";
import {
  type DeliveryWorkerOptions,
  startDeliveryWorker,
} from "../../../server/delivery/worker.ts";
import { errorHandler } from "../../../server/http/errors.ts";
import { buildRouter } from "../../../server/http/routes.ts";
import { type FieldCrypto, fieldCrypto } from "../../../server/privacy/keys.ts";
import { openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import type { FakeTwilio } from "../../helpers/fake-twilio.ts";

/** What every delivery test file needs: a migrated database, the field crypto, a log to read. */
export interface DeliveryFixture {
  db: TestDatabase;
  knex: Knex;
  crypto: FieldCrypto;
  log: DeliveryLog;
  /** Every log line written, as JSON text, to prove no number appears in clear. */
  logLines: string[];
}

export async function openDeliveryFixture(kind: DatabaseKind): Promise<DeliveryFixture> {
  const db = await openTestDatabase(kind);
  await migrateLatest(db.knex);
  const logLines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString("utf8"));
      done();
    },
  });
  const log = pino({ level: "debug" }, stream);
  return { db, knex: db.knex, crypto: fieldCrypto("x".repeat(32)), log, logLines };
}

let phoneSeq = 0;
/** A fresh valid US number per call (555-01xx is reserved for fiction). */
/**
 * A delivery worker on the fixture's database sending SMS through `provider`, driven by hand
 * (`autoStart: false`, so tests call drainOnce) as worker "w1"; `overrides` set the rest.
 */
export function fixtureWorker(
  f: DeliveryFixture,
  provider: Provider,
  overrides: Partial<DeliveryWorkerOptions> = {},
) {
  return startDeliveryWorker({
    knex: f.knex,
    crypto: f.crypto,
    providers: { sms: provider },
    log: f.log,
    workerId: "w1",
    autoStart: false,
    ...overrides,
  });
}

export function nextPhone(): string {
  phoneSeq += 1;
  return `+1202555${String(1000 + (phoneSeq % 9000)).padStart(4, "0")}`;
}

export async function insertContact(
  f: DeliveryFixture,
  phone: string = nextPhone(),
): Promise<{ id: number; phone: string }> {
  const [row] = (await f
    .knex("contacts")
    .insert({
      external_id: `u-${phone}-${Math.random().toString(36).slice(2)}`,
      phone_encrypted: f.crypto.encrypt(phone),
      phone_hash: f.crypto.blindIndex(phone),
      phone_country: "US",
    })
    .returning("id")) as { id: string | number }[];
  return { id: Number(row?.id), phone };
}

let keySeq = 0;
export async function insertMessage(
  f: DeliveryFixture,
  contactId: number,
  fields: Partial<{
    category: string;
    status: string;
    body: string;
    key: string;
    channel: string;
  }> = {},
): Promise<{ id: number; key: string; providerKey: string }> {
  keySeq += 1;
  const key = fields.key ?? `enr${keySeq}:send1:1:${Math.random().toString(36).slice(2, 8)}`;
  const [row] = (await f
    .knex("messages")
    .insert({
      idempotency_key: key,
      contact_id: contactId,
      journey_id: "j-delivery",
      node_id: "send1",
      channel: fields.channel ?? "sms",
      category: fields.category ?? "promotional",
      body: fields.body ?? "Your 50-off-200 coupon is waiting",
      status: fields.status ?? "queued",
      next_attempt_at: new Date(Date.now() - 1000),
    })
    .returning(["id", "provider_key"])) as { id: string | number; provider_key: string }[];
  return { id: Number(row?.id), key, providerKey: String(row?.provider_key) };
}

export interface MessageRow {
  id: number;
  status: string;
  attempts: number;
  provider: string | null;
  provider_message_id: string | null;
  last_error: string | null;
  locked_by: string | null;
  next_attempt_at: Date;
  clicked_at: Date | null;
  idempotency_key: string;
  provider_key: string;
  outcome_unknown_since: Date | null;
}

export async function message(f: DeliveryFixture, id: number): Promise<MessageRow> {
  const row = (await f.knex("messages").where({ id }).first()) as MessageRow | undefined;
  if (!row) throw new Error(`no message ${id}`);
  return { ...row, id: Number(row.id), attempts: Number(row.attempts) };
}

export async function events(
  f: DeliveryFixture,
  contactId: number,
  name?: string,
): Promise<{ name: string; message_id: string; properties: Record<string, unknown> }[]> {
  const q = f.knex("events").where({ contact_id: contactId }).orderBy("id");
  if (name) q.andWhere({ name });
  return (await q.select("name", "message_id", "properties")) as {
    name: string;
    message_id: string;
    properties: Record<string, unknown>;
  }[];
}

/** The delivery routes on a real loopback HTTP server, as the app mounts them. */
export interface RoutesServer {
  url: string;
  config: DeliveryConfig;
  close(): Promise<void>;
}

export async function startRoutes(
  f: DeliveryFixture,
  twilio: Pick<FakeTwilio, "accountSid" | "authToken" | "baseUrl"> | null,
  now?: () => Date,
): Promise<RoutesServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadDeliveryConfig({
    WAYMARK_PUBLIC_URL: url,
    ...(twilio
      ? {
          TWILIO_ACCOUNT_SID: twilio.accountSid,
          TWILIO_AUTH_TOKEN: twilio.authToken,
          TWILIO_FROM: "+15005550006",
          TWILIO_BASE_URL: twilio.baseUrl,
        }
      : {}),
  });
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.use(
    buildRouter(
      f.knex,
      deliveryRoutes({
        knex: f.knex,
        crypto: f.crypto,
        config,
        log: f.log,
        ...(now ? { now } : {}),
      }),
    ),
  );
  app.use(errorHandler((err) => f.log.error({ err }, "unexpected")));
  server.on("request", app);
  return {
    url,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` is true or the deadline passes (then throws with `what`). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
