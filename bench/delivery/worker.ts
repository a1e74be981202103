import { connect } from "../../server/db/connect.ts";
import { createTwilioProvider } from "../../server/delivery/providers/twilio.ts";
import { startDeliveryWorker } from "../../server/delivery/worker.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { listenForWork } from "../../server/runtime/due-channel.ts";

/**
 * A delivery worker in a process of its own, as `waymark worker` runs one: it hears of new
 * outbox rows only through NOTIFY waymark_outbox (its LISTEN connection) or its 500 ms poll.
 * Usage: worker.ts <databaseUrl> <fakeBaseUrl> <accountSid> <authToken> <secret>
 * Prints "ready" once listening; stops on SIGTERM.
 */
const [url = "", baseUrl = "", accountSid = "", authToken = "", secret = ""] =
  process.argv.slice(2);
const db = await connect({ url, poolMax: 3 });
const worker = startDeliveryWorker({
  knex: db.knex,
  crypto: fieldCrypto(secret),
  providers: {
    sms: createTwilioProvider({
      config: { accountSid, authToken, from: "+15005550006", baseUrl },
      publicUrl: undefined,
      timeoutMs: 10_000,
      ratePerSecond: null,
    }),
  },
  log: { debug() {}, info() {}, warn() {}, error() {} },
  workerId: `bench-delivery:${process.pid}`,
});
const listener = listenForWork(url, { outbox: worker.wake });
await new Promise((r) => setTimeout(r, 300));
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void (async () => {
    await listener.close();
    await worker.stop();
    await db.close();
    process.exit(0);
  })();
});
