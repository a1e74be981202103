import { startFakeTwilio } from "../../tests/helpers/fake-twilio.ts";

/**
 * The SMS provider for `bench/ticker-pglite --deliver`: the tests' Twilio-shaped fake on
 * loopback, in a process of its own so its CPU is not the server's (on PGlite the server's
 * thread is the database's too). It accepts every message at once and does not deduplicate,
 * so a message sent twice counts twice.
 *
 * Forked with IPC: sends `{ready, baseUrl, accountSid, authToken}` once listening, answers
 * `"stats"` with `{accepted, distinct}` (accepted requests; distinct idempotency tokens), and
 * exits on `"stop"` or when the bench goes away.
 */
const fake = await startFakeTwilio({ dedupe: false });
process.send?.({
  ready: true,
  baseUrl: fake.baseUrl,
  accountSid: fake.accountSid,
  authToken: fake.authToken,
});
process.on("disconnect", () => process.exit(0));
process.on("message", (message: unknown) => {
  if (message === "stats") {
    const tokens = new Set(fake.deliveries.map((d) => d.token));
    process.send?.({ accepted: fake.deliveries.length, distinct: tokens.size });
  } else if (message === "stop") {
    void fake.close().then(() => process.exit(0));
  }
});
