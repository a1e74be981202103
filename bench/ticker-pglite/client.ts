import { createInterface } from "node:readline";

/**
 * The API's caller for bench/ticker-pglite, in a process of its own as real callers are: in
 * the server's process its timers and socket writes would wait on the same event loop as the
 * ticker (PGlite runs on that thread), so a request could not even be sent, let alone counted
 * in flight by the server's gate, until the ticker yielded.
 *
 * Prints `ready` once it has started. Open loop: request i is due at start + i / rate and is sent then whether or not earlier ones
 * answered; its latency counts from that instant. Runs until a line arrives on stdin, then
 * prints one JSON line: `{ latencies, errors }`.
 *   node --import tsx bench/ticker-pglite/client.ts <url> <bearer key> <rate>
 */
const [url, key, rateText] = process.argv.slice(2);
const rate = Number(rateText);
if (!url || !key || !(rate > 0)) throw new Error("usage: client.ts <url> <key> <rate>");

const latencies: number[] = [];
const pending: Promise<void>[] = [];
let errors = 0;
let running = true;
const stopped = new Promise<void>((done) =>
  createInterface({ input: process.stdin }).once("line", () => {
    running = false;
    done();
  }),
);
process.stdout.write("ready\n");
const started = performance.now();
for (let i = 0; running; i++) {
  const due = started + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait)), stopped]);
  if (!running) break;
  pending.push(
    fetch(url, { headers: { authorization: `Bearer ${key}` } })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) errors++;
        latencies.push(performance.now() - due);
      })
      .catch(() => {
        errors++;
      }),
  );
}
await Promise.all(pending);
// Exit once the line is written: a pipe takes it in pieces, and exiting first would cut it.
process.stdout.write(`${JSON.stringify({ latencies, errors })}\n`, () => process.exit(0));
