import type { AddressInfo } from "node:net";
import express from "express";
import knex from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorHandler } from "../../server/http/errors.ts";

/**
 * The error handler's database-unavailable answer, for each way the driver and the pool report
 * it (the outage test sees the real ones; here each is forced, including the pool timeout that
 * a real outage rarely reaches): 503 + Retry-After, and a real bug is still a 500.
 */
describe("database unavailable → 503", () => {
  const unexpected: unknown[] = [];
  const unavailable: unknown[] = [];
  let url = "";
  let close = () => {};
  beforeAll(async () => {
    const app = express();
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    const shutdown = Object.assign(
      new Error("terminating connection due to administrator command"),
      {
        code: "57P01",
      },
    );
    const errors = new Map<string, Error>([
      ["refused", refused],
      ["shutdown", shutdown],
      ["terminated", new Error("Connection terminated unexpectedly")],
      [
        "pool",
        new knex.KnexTimeoutError(
          "Knex: Timeout acquiring a connection. The pool is probably full.",
        ),
      ],
      ["bug", new TypeError("cannot read properties of undefined")],
    ]);
    app.get("/e/:kind", (req) => {
      throw errors.get(String(req.params.kind)) ?? new Error("unknown");
    });
    app.use(
      errorHandler(
        (err) => unexpected.push(err),
        (err) => unavailable.push(err),
      ),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((done) => server.once("listening", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("answers 503 with Retry-After for connection loss and pool timeouts, 500 for bugs", async () => {
    for (const kind of ["refused", "shutdown", "terminated", "pool"]) {
      const res = await fetch(`${url}/e/${kind}`);
      expect([kind, res.status, res.headers.get("retry-after")]).toEqual([kind, 503, "2"]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        "database_unavailable",
      );
    }
    const bug = await fetch(`${url}/e/bug`);
    expect(bug.status).toBe(500);
    expect(unexpected).toHaveLength(1);
    // Four 503s within a second: logged once, not once per request.
    expect(unavailable).toHaveLength(1);
  });
});
