import { afterAll, beforeAll, expect } from "vitest";
import type { DatabaseKind } from "../../../server/db/connect.ts";
import { loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { createProviders } from "../../../server/delivery/providers/index.ts";
import { webhookSignatureHeader } from "../../../server/delivery/signatures.ts";
import type { ProviderSet } from "../../../server/delivery/types.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { JOURNEY, OPEN_BRANCH, START, startSmtp } from "./email-fixtures.ts";

/**
 * The email tests' set-up, registered on the calling `describe`: a database, a real SMTP server
 * (smtp-server), the app, the SMTP provider and a delivery worker driven by hand, and the two
 * email journeys published. `env` adds to the SMTP settings (an unsubscribe mailbox…).
 */

export const HOOK_SECRET = "bounce-secret-0123456789";
const silent = { debug() {}, info() {}, warn() {}, error() {} };

export interface EmailHarness {
  readonly db: TestDatabase;
  readonly app: TestApp;
  readonly smtp: Awaited<ReturnType<typeof startSmtp>>;
  readonly worker: DeliveryWorker;
  readonly clock: ReturnType<typeof manualClock>;
  /** A contact who consented to promotional email, entered into the cart journey, ticked. */
  enter(userId: string): Promise<EmailMessage | undefined>;
  messageOf(userId: string, node: string): Promise<EmailMessage | undefined>;
  /** The emails the SMTP server accepted for the contact's address. */
  received(userId: string): Awaited<ReturnType<typeof startSmtp>>["accepted"];
  /** POSTs a signed event to the email webhook. */
  hook(payload: unknown, secret?: string): Promise<Response>;
}

export interface EmailMessage {
  id: number;
  status: string;
  attempts: number;
  provider: string | null;
  provider_key: string;
  provider_message_id: string | null;
  last_error: string | null;
  opened_at: Date | null;
  payload: Record<string, unknown> | null;
}

export function emailHarness(kind: DatabaseKind, env: Record<string, string> = {}): EmailHarness {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  let providers: ProviderSet | undefined;
  let worker: DeliveryWorker | undefined;
  const clock = manualClock(START);
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the email harness is not set up yet");
    return value;
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    smtp = await startSmtp();
    const full = {
      WAYMARK_SMTP_URL: smtp.url,
      WAYMARK_EMAIL_FROM: "Shop <news@shop.example>",
      WAYMARK_EMAIL_WEBHOOK_SECRET: HOOK_SECRET,
      ...env,
    };
    app = await startTestApp(db, clock, full);
    providers = createProviders(loadDeliveryConfig(full), silent, {
      crypto: app.crypto,
      linkBase: app.url,
    });
    worker = startDeliveryWorker({
      knex: db.knex,
      crypto: app.crypto,
      providers,
      log: silent,
      workerId: "email-test",
      autoStart: false,
      now: clock.now,
      retryBaseMs: 1000,
    });
    await createJourney(db.knex, JOURNEY, null);
    await publishJourney(db.knex, "email-cart", null, clock.now());
    await createJourney(db.knex, OPEN_BRANCH, null);
    await publishJourney(db.knex, "email-open", null, clock.now());
  });
  afterAll(async () => {
    await worker?.stop();
    providers?.email?.close?.();
    await app?.close();
    await smtp?.close();
    await db?.close();
  });

  async function messageOf(userId: string, node: string) {
    return (await ready(db)
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where({ "c.external_id": userId, "m.node_id": node })
      .first(
        "m.id",
        "m.status",
        "m.attempts",
        "m.provider",
        "m.provider_key",
        "m.provider_message_id",
        "m.last_error",
        "m.opened_at",
        "m.payload",
      )) as EmailMessage | undefined;
  }

  return {
    get db() {
      return ready(db);
    },
    get app() {
      return ready(app);
    },
    get smtp() {
      return ready(smtp);
    },
    get worker() {
      return ready(worker);
    },
    clock,
    messageOf,
    async enter(userId) {
      const a = ready(app);
      const id = await a.ingest("/v1/identify", {
        userId,
        traits: { firstName: "Ann", email: `${userId}@inbox.example`, timezone: "UTC" },
        consent: { email: { promotional: true } },
      });
      expect(id.status).toBe(200);
      expect((await a.ingest("/v1/track", { userId, event: "cart_abandoned" })).status).toBe(200);
      await a.tick();
      return messageOf(userId, "e1");
    },
    received(userId) {
      return ready(smtp).accepted.filter(
        (m) => m.to && !Array.isArray(m.to) && m.to.text === `${userId}@inbox.example`,
      );
    },
    hook(payload, secret = HOOK_SECRET) {
      const body = JSON.stringify(payload);
      const t = Math.floor(clock.now().getTime() / 1000);
      return fetch(`${ready(app).url}/v1/email/events`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-waymark-signature": webhookSignatureHeader(secret, body, t),
        },
        body,
      });
    },
  };
}
