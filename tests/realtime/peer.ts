/**
 * A second Waymark server process for cluster.test.ts: the real app with realtime attached, on
 * the PostgreSQL database in DATABASE_URL, whose ticker the parent drives over IPC. Run with
 * `node --import tsx tests/realtime/peer.ts`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../server/app.ts";
import { connect } from "../../server/db/connect.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { createLogger } from "../../server/log.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { attachRealtime } from "../../server/realtime/index.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { tickOnce } from "../../server/runtime/ticker.ts";

export type ToPeer = { type: "tick"; now: string } | { type: "stop" };
export type FromPeer = { type: "ready"; url: string } | { type: "ticked"; claimed: number };

const pgUrl = process.env.DATABASE_URL;
if (!pgUrl || !process.send) throw new Error("peer.ts runs as an IPC child with DATABASE_URL");
const send = (message: FromPeer) => process.send?.(message);

const log = createLogger("silent");
const db = await connect({ url: pgUrl, poolMax: 3 });
// The same field key as tests/helpers/app.ts, so both processes read each other's contacts.
const crypto = fieldCrypto("test-secret-test-secret-test-secret!");
const app = createApp({ db, log, crypto, delivery: loadDeliveryConfig({}), serveClient: false });
const http = createServer(app);
await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
const realtime = await attachRealtime(http, {
  knex: db.knex,
  dbKind: "postgres",
  pgUrl,
  log,
  resyncMs: 0,
  // No periodic credential sweep: a socket here ends only when another process announces it.
  credentialCheckMs: 0,
});
const policy = policyCache(db.knex, "UTC", 0);

process.on("message", async (message: ToPeer) => {
  switch (message.type) {
    case "tick": {
      const stats = await tickOnce({
        knex: db.knex,
        crypto,
        policy,
        linkBase: url,
        now: () => new Date(message.now),
        onBatch: (s) => realtime.publisher.publishBatch(s),
      });
      send({ type: "ticked", claimed: stats.claimed });
      return;
    }
    case "stop":
      await realtime.close();
      http.closeAllConnections();
      await new Promise((done) => http.close(done));
      await db.close();
      process.exit(0);
  }
});
send({ type: "ready", url });
