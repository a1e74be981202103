import { setTimeout as sleep } from "node:timers/promises";

/**
 * bench/event-latency's client, in a process of its own as real senders are: in the server's
 * process its timers and socket writes waited on the thread PGlite runs on, fell behind while
 * a batch held it, then posted a dozen requests at once, and that burst was most of the
 * PGlite tail it measured (docs/SCALING.md, "PGlite's housekeeping").
 *
 * Posts one `purchased` per user to /v1/batch, `rate` per second in batches every 10 ms, each
 * batch sent when it is due whether or not earlier ones have answered (open loop), then prints
 * one JSON line: `{ sentAt, errors }`, sentAt[i] the Date.now() at which user i's event was
 * sent (the parent compares it with its own Date.now() at the decision: one clock, one host).
 *   node --import tsx bench/event-latency/sender.ts <base url> <authorization> <users> <rate>
 */
const [base, auth, usersText, rateText] = process.argv.slice(2);
const users = Number(usersText);
const rate = Number(rateText);
if (!base || !auth || !(users > 0) || !(rate > 0))
  throw new Error("usage: sender.ts <base url> <authorization> <users> <rate>");

const sentAt: number[] = new Array(users).fill(0);
let errors = 0;
const perTick = Math.max(1, Math.round(rate / 100));
const started = Date.now();
const inflight: Promise<void>[] = [];
for (let i = 0; i < users; i += perTick) {
  const due = started + (i / rate) * 1000;
  const wait = due - Date.now();
  if (wait > 0) await sleep(wait);
  const items = [];
  const now = Date.now();
  for (let j = i; j < Math.min(users, i + perTick); j++) {
    sentAt[j] = now;
    items.push({ type: "track", userId: `buyer-${j}`, event: "purchased", messageId: `p-${j}` });
  }
  inflight.push(
    fetch(`${base}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: auth },
      body: JSON.stringify({ batch: items }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) errors++;
      })
      .catch(() => {
        errors++;
      }),
  );
}
await Promise.all(inflight);
// Exit once the line is written: a pipe takes it in pieces, and exiting first would cut it.
process.stdout.write(
  `${JSON.stringify({ sentAt, errors, sendSeconds: (Date.now() - started) / 1000 })}\n`,
  () => process.exit(0),
);
