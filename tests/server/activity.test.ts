import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createActivity } from "../../server/http/activity.ts";

/**
 * PGlite's one connection is shared by API requests and background work (ticker batches,
 * housekeeping statements); `activity.background` gives requests the turn first. PGlite runs
 * on this thread, so a turn blocks the event loop as these busy loops do.
 */
describe("background work on PGlite's one connection", () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });

  const block = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

  /**
   * A server whose one route answers after `answerMs`, logging to `events`; `beforeAnswer` runs
   * in the same turn of the event loop as the answer.
   */
  async function api(
    events: string[],
    answerMs: number,
    beforeAnswer = () => {},
    maxWaitMs = 1000,
  ) {
    const activity = createActivity(maxWaitMs);
    const app = express();
    app.use(activity.middleware);
    app.get("/", (_req, res) => {
      events.push("request");
      setTimeout(() => {
        beforeAnswer();
        events.push("answer");
        res.end("ok");
      }, answerMs);
    });
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    /** A connection of its own, as concurrent requests from one client have (no pipelining). */
    const caller = async () => {
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
      sockets.push(socket);
      await new Promise((done) => socket.once("connect", done));
      const answered = new Promise<void>((done) =>
        socket.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("ok")) done();
        }),
      );
      const send = () => socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      return { send, answered };
    };
    const first = await caller();
    const second = await caller();
    await pause(20); // both accepted on the server's side
    return { activity, first, second };
  }

  it("takes turns in order, one at a time, and one turn's error is its own", async () => {
    const activity = createActivity();
    const events: string[] = [];
    let running = 0;
    const turn = (name: string, ms: number, fail = false) =>
      activity.background(async () => {
        running++;
        expect(running).toBe(1);
        events.push(`${name} start`);
        await pause(ms);
        events.push(`${name} end`);
        running--;
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const results = await Promise.allSettled([turn("a", 30), turn("b", 5, true), turn("c", 10)]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : String(r.reason)))).toEqual([
      "a",
      "Error: b failed",
      "c",
    ]);
    expect(events).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("a request that arrived during a turn is answered before the next turn starts", async () => {
    const events: string[] = [];
    const { activity, first: caller } = await api(events, 30);
    const { send, answered } = caller;
    // Two turns queued back to back, as the housekeeping's statements are. The request reaches
    // the socket while the first blocks the thread, so the server has not read it yet when
    // that turn ends: without a pass through the event loop's I/O phase, the second turn
    // would find nothing in flight and block the request for another 50 ms.
    const first = activity.background(async () => {
      send();
      block(50);
      events.push("first");
    });
    const second = activity.background(async () => {
      events.push("second");
    });
    await Promise.all([first, second, answered]);
    expect(events).toEqual(["first", "request", "answer", "second"]);
  });

  it("a request that arrives as another is answered goes before the next turn", async () => {
    const events: string[] = [];
    let hook = () => {};
    const { activity, first, second } = await api(events, 30, () => hook());
    // The second request reaches the socket while the thread is busy, just before the first
    // is answered: when that answer goes out the API looks idle, but the second request is
    // only unread. The turn waiting for the first must not start then.
    let sent = false;
    hook = () => {
      if (sent) return;
      sent = true;
      second.send();
      block(20);
    };
    first.send();
    await pause(10);
    expect(activity.inFlight()).toBe(1);
    const turn = activity.background(async () => {
      events.push("turn");
    });
    await Promise.all([turn, first.answered, second.answered]);
    expect(events).toEqual(["request", "answer", "request", "answer", "turn"]);
  });

  it("a steady stream of requests holds a turn back for at most maxWaitMs", async () => {
    const events: string[] = [];
    const { activity, first } = await api(events, 1000, () => {}, 80);
    first.send();
    await pause(20);
    expect(activity.inFlight()).toBe(1);
    const started = performance.now();
    await activity.background(async () => {
      events.push("turn");
    });
    const waited = performance.now() - started;
    expect(events).toEqual(["request", "turn"]);
    expect(waited).toBeGreaterThanOrEqual(75);
    expect(waited).toBeLessThan(900);
  });
});
