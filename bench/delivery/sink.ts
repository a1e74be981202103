import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The delivery scale bench's provider: a webhook receiver (server/delivery/providers/webhook.ts's
 * envelope) in a process of its own, so its CPU is counted apart from the workers'. It answers
 * every POST 200 `{"id": …}` at once and counts what a person would receive: distinct
 * Idempotency-Keys, and every key seen more than once (a duplicate). It does not deduplicate,
 * so a message sent twice shows up as one. Nothing is logged per request: the sink's own cost
 * should be what any minimal receiver would spend.
 *
 * Forked with IPC: prints nothing, sends `{ready, url}` once listening, answers `"stats"` with
 * its counts, and exits on `"stop"`.
 */
const seen = new Set<string>();
let duplicates = 0;
let requests = 0;
let lastAcceptedAt = 0;

const server = createServer((req, res) => {
  requests++;
  const key = req.headers["idempotency-key"];
  // The body is read (a real receiver parses it) but only the header identifies the message.
  req.resume();
  req.on("end", () => {
    if (typeof key === "string") {
      if (seen.has(key)) duplicates++;
      else {
        seen.add(key);
        lastAcceptedAt = Date.now();
      }
    }
    const body = `{"id":"sink-${requests}"}`;
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
});
// Workers keep their connections open between sends; the default 5 s would close idle ones
// between runs, which is harmless, but a long keep-alive is what a provider offers.
server.keepAliveTimeout = 60_000;

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ ready: true, url: `http://127.0.0.1:${port}/hook` });
});

// The bench died: so does its sink (it would otherwise hold its port and its stderr pipe).
process.on("disconnect", () => process.exit(0));
process.on("message", (message: unknown) => {
  if (message === "stats") {
    process.send?.({ distinct: seen.size, duplicates, requests, lastAcceptedAt });
  } else if (message === "reset") {
    seen.clear();
    duplicates = 0;
    requests = 0;
    lastAcceptedAt = 0;
    process.send?.({ reset: true });
  } else if (message === "stop") {
    server.close();
    process.exit(0);
  }
});
