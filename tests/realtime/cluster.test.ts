import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { createLogger } from "../../server/log.ts";
import { createPublisher, type Publisher } from "../../server/realtime/index.ts";
import type { CountsPayload, TimelinePayload } from "../../server/realtime/protocol.ts";
import { manualClock } from "../helpers/app.ts";
import { openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";
import {
  type Client,
  closeClients,
  connect,
  eventually,
  record,
  signIn,
  subscribe,
} from "./clients.ts";
import { type RealtimeApp, startRealtimeApp } from "./harness.ts";
import type { FromPeer, ToPeer } from "./peer.ts";

const START = "2026-03-02T02:00:00Z";
const HOUR = 3_600_000;

/** A second server process (peer.ts) on the same database, driven over IPC. */
async function startPeer(pgUrl: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", resolve(import.meta.dirname, "peer.ts")],
    {
      cwd: resolve(import.meta.dirname, "../.."),
      env: { ...process.env, DATABASE_URL: pgUrl },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const next = <T extends FromPeer["type"]>(type: T) =>
    new Promise<Extract<FromPeer, { type: T }>>((done, fail) => {
      const onExit = (code: number | null) => fail(new Error(`peer exited with ${code}`));
      const onMessage = (m: FromPeer) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        done(m as Extract<FromPeer, { type: T }>);
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const { url } = await next("ready");
  const send = (m: ToPeer) => child.send(m);
  return {
    url,
    async tick(now: Date) {
      send({ type: "tick", now: now.toISOString() });
      return next("ticked");
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        send({ type: "stop" });
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

function replay(events: CountsPayload[]): Record<string, number> {
  let counts: Record<string, number> = {};
  for (const e of events) {
    if (e.absolute) counts = { ...e.counts };
    else for (const [node, d] of Object.entries(e.deltas)) counts[node] = (counts[node] ?? 0) + d;
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

// Several processes share rooms only through PostgreSQL; PGlite lives inside one process.
describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "two server processes and a worker on one PostgreSQL",
  () => {
    let db: TestDatabase;
    let a: RealtimeApp;
    let b: Awaited<ReturnType<typeof startPeer>>;
    let worker: Publisher;
    let key: string;
    const clock = manualClock(START);
    const watchers: { name: string; counts: CountsPayload[]; timeline: TimelinePayload[] }[] = [];

    beforeAll(async () => {
      db = await openTestDatabase("postgres");
      if (!db.url) throw new Error("postgres test database without a URL");
      a = await startRealtimeApp(db, clock);
      b = await startPeer(db.url);
      worker = await createPublisher({ pgUrl: db.url, log: createLogger("silent") });
      await createJourney(db.knex, cartReminder(), null);
      await publishJourney(db.knex, "cart-test", null);
      ({ key } = await createApiKey(db.knex, "secret", "cluster test", null));
    }, 90_000);
    afterAll(async () => {
      closeClients();
      await worker?.close();
      await b?.stop();
      await a?.close();
      await db?.close();
    });

    const enter = async (userId: string) => {
      await a.app.ingest("/v1/identify", {
        userId,
        traits: { firstName: "Li", phone: "+8613812345678", timezone: "Asia/Shanghai" },
        consent: { sms: { promotional: true } },
      });
      await a.app.ingest("/v1/track", {
        userId,
        event: "cart_abandoned",
        messageId: `cart-${userId}`,
      });
      return Number((await db.knex("contacts").where({ external_id: userId }).first("id")).id);
    };
    const watch = async (name: string, url: string, contactId: number) => {
      const socket: Client = await connect(url, { auth: { token: key } });
      const watcher = {
        name,
        counts: record(socket, "counts"),
        timeline: record(socket, "timeline"),
      };
      expect(await subscribe(socket, { journey: "cart-test" })).toMatchObject({ ok: true });
      expect(await subscribe(socket, { contact: contactId })).toMatchObject({ ok: true });
      watchers.push(watcher);
      return watcher;
    };
    const steps = (w: (typeof watchers)[number], contactId: number) =>
      w.timeline
        .filter((t) => t.contactId === contactId)
        .map((t) => `${t.entry.type}:${t.entry.nodeId}`);

    it("ends a socket on B when its session ends or its key is revoked through A", async () => {
      const cookie = await signIn(db.knex, a.app.url, "support");
      const onB = await connect(b.url, { extraHeaders: { cookie } });
      const { id, key: revoked } = await createApiKey(db.knex, "secret", "revoked via A", null);
      const keyOnB = await connect(b.url, { auth: { token: revoked } });
      const ended = (socket: Client) =>
        new Promise<string>((done) => socket.once("disconnect", (reason) => done(reason)));
      const [sessionEnd, keyEnd] = [ended(onB), ended(keyOnB)];
      const out = await fetch(`${a.app.url}/api/session`, {
        method: "DELETE",
        headers: { cookie },
      });
      expect(out.status).toBe(204);
      expect(await sessionEnd).toBe("io server disconnect");
      const revoke = await fetch(`${a.app.url}/api/keys/${id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${key}` },
      });
      expect(revoke.status).toBe(200);
      expect(await keyEnd).toBe("io server disconnect");
    });

    it("delivers a push caused on B to a client on A, and one caused on A to a client on B", async () => {
      const p1 = await enter("p1");
      const onA = await watch("on A", a.app.url, p1);
      const onB = await watch("on B", b.url, p1);

      expect((await b.tick(clock.now())).claimed).toBe(1); // B's ticker moves p1
      for (const w of [onA, onB]) {
        await eventually(() => expect(replay(w.counts), w.name).toEqual({ wait1: 1 }));
        await eventually(() =>
          expect(steps(w, p1), w.name).toEqual(["entered:start", "waiting:wait1"]),
        );
      }

      clock.advance(HOUR);
      expect((await a.tick()).claimed).toBe(1); // A's ticker sends the SMS
      for (const w of [onA, onB]) {
        await eventually(() => expect(replay(w.counts), w.name).toEqual({ clicked: 1 }));
        await eventually(() =>
          expect(steps(w, p1), w.name).toEqual([
            "entered:start",
            "waiting:wait1",
            "sent:sms1",
            "waiting:clicked",
          ]),
        );
      }
    });

    it("delivers a worker's pushes (no HTTP, createPublisher) to clients on both servers", async () => {
      const p2 = await enter("p2");
      const onA = await watch("worker → A", a.app.url, p2);
      const onB = await watch("worker → B", b.url, p2);
      await a.app.tick({ onBatch: (s) => worker.publishBatch(s) });
      for (const w of [onA, onB]) {
        await eventually(() => expect(replay(w.counts), w.name).toEqual({ clicked: 1, wait1: 1 }));
        await eventually(() =>
          expect(steps(w, p2), w.name).toEqual(["entered:start", "waiting:wait1"]),
        );
      }
      // A large flush goes through the adapter's attachments table (over 8,000 bytes): still arrives.
      const many = Array.from({ length: 1000 }, (_, i) => ({
        journeyId: "cart-test",
        from: "wait1",
        to: `node-${i}`,
      }));
      worker.publishBatch({ moves: many, log: [] });
      for (const w of [onA, onB])
        await eventually(() => expect(replay(w.counts)["node-999"], w.name).toBe(1));
      const [row] = (await db.knex("socket_io_attachments").count("* as n")) as { n: string }[];
      expect(Number(row?.n)).toBeGreaterThan(0);
    });
  },
);
