import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffJourneys } from "../../engine/diff/diff.ts";
import { exportJourney } from "../../engine/format/export.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { createPostgresDatabase, databaseKinds } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";
import { runCli, type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

const parsed = (doc: unknown): Journey => {
  const r = parseJourney(doc);
  if (!r.ok) throw new Error("fixture does not parse");
  return r.journey;
};

const before = parsed(cartReminder("git-cart"));
const after: Journey = {
  ...before,
  nodes: before.nodes.map((n) =>
    n.id === "sms1" && n.type === "send"
      ? {
          ...n,
          send: {
            ...n.send,
            template:
              "Hi {{ user.firstName }}, your basket is still waiting: {{ 'https://shop.example/cart' | track }}",
          },
        }
      : n,
  ),
};

describe("waymark diff", () => {
  const dir = tempDir();
  const a = join(dir, "a.json");
  const b = join(dir, "b.json");
  writeFileSync(a, exportJourney(before));
  writeFileSync(b, exportJourney(after));

  it("prints the node-level diff with words, exit 1 when the documents differ, 0 when not", async () => {
    const r = await runCli(["diff", a, b], {});
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")).toEqual([
      "~ sms1 (send)",
      "    send.template: Hi {{ user.firstName }}, your [-cart-]{+basket+} is {+still +}waiting: {{ 'https://shop.example/cart' | track }}",
      "1 change: 0 added, 0 removed, 1 changed steps; 0 connections added, 0 removed",
      "",
    ]);
    const same = await runCli(["diff", a, a], {});
    expect([same.code, same.stdout]).toEqual([0, "no changes\n"]);
  });

  it("--json prints the pure module's JSON, the same the API serves", async () => {
    const r = await runCli(["diff", a, b, "--json"], {});
    expect(JSON.parse(r.stdout)).toEqual({
      from: a,
      to: b,
      ...JSON.parse(JSON.stringify(diffJourneys(before, after))),
    });
  });

  it("answers usage, missing files and invalid documents with exit 2 and a reason", async () => {
    expect((await runCli(["diff", a], {})).code).toBe(2);
    const missing = await runCli(["diff", a, join(dir, "nope.json")], {});
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining("no such file")]);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...before, nodes: [{ id: "__proto__", type: "nope" }] }));
    const invalid = await runCli(["diff", a, bad], {});
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("is not a journey");
    writeFileSync(bad, "{nope");
    expect((await runCli(["diff", bad, a], {})).stderr).toContain("is not JSON");
  });
});

describe.each(databaseKinds)("waymark export / import against a running server on %s", (kind) => {
  let server: Started;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  const dir = tempDir();
  const file = (name: string, doc: Journey) => {
    const path = join(dir, name);
    writeFileSync(path, exportJourney(doc));
    return path;
  };

  beforeAll(async () => {
    env = { WAYMARK_DATA_DIR: tempDir(), WAYMARK_DEMO_SEED: "false" };
    if (kind === "postgres") {
      const pg = await createPostgresDatabase();
      drop = pg.drop;
      env.DATABASE_URL = pg.url;
    }
    // Keys first: the embedded database has one owner at a time (the server, once started).
    const key = (await runCli(["keys", "create", "--kind", "secret", "--name", "ci"], env)).stdout;
    server = await startWaymark(env);
    env = { ...env, WAYMARK_URL: server.url, WAYMARK_API_KEY: key.trim() };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  const api = async (method: string, path: string) =>
    (await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${env.WAYMARK_API_KEY}`,
        "content-type": "application/json",
      },
      body: method === "POST" ? "{}" : null,
    }).then((r) => r.json())) as Record<string, unknown>;

  it("imports a new journey, exports it byte for byte, and round-trips", async () => {
    const created = await runCli(["import", file("git-cart.json", before)], env);
    expect([created.code, created.stdout]).toEqual([0, "created journey git-cart\n"]);
    const exported = await runCli(["export", "git-cart"], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(exportJourney(before));
    // export → import → export: the same bytes (journeys review well as diffs in git).
    const path = join(dir, "round.json");
    writeFileSync(path, exported.stdout);
    expect((await runCli(["import", path, "--mode", "replace_draft"], env)).code).toBe(0);
    const out = join(dir, "out.json");
    expect((await runCli(["export", "git-cart", "--out", out], env)).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(exported.stdout);
  });

  it("refuses an import onto an existing live id with its diff, then replaces only the draft on request", async () => {
    expect((await api("POST", "/api/journeys/git-cart/publish")).version).toBe(1);
    const changed = file("git-cart-v2.json", after);
    const refused = await runCli(["import", changed], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a journey with id "git-cart" already exists (live v1)');
    expect(refused.stderr).toContain("~ sms1 (send)");
    expect(refused.stderr).toContain("your [-cart-]{+basket+} is {+still +}waiting");
    expect((await runCli(["export", "git-cart"], env)).stdout).toBe(exportJourney(before));

    const replaced = await runCli(["import", changed, "--mode", "replace_draft"], env);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain("replaced the draft of git-cart");
    expect((await runCli(["export", "git-cart"], env)).stdout).toBe(exportJourney(after));
    // The live version is what it was: its export is the original document.
    expect((await runCli(["export", "git-cart", "--version", "1"], env)).stdout).toBe(
      exportJourney(before),
    );
    // The server's diff of live and draft is the one `waymark diff` prints as JSON.
    const served = await api("GET", "/api/journeys/git-cart/diff?from=1&to=draft");
    const local = JSON.parse(
      (await runCli(["diff", file("b.json", before), changed, "--json"], env)).stdout,
    ) as Record<string, unknown>;
    expect({ ...served, from: null, to: null }).toEqual({ ...local, from: null, to: null });

    const copy = await runCli(["import", changed, "--mode", "new"], env);
    expect([copy.code, copy.stdout]).toEqual([0, "imported as a new journey: git-cart-2\n"]);
    const audit = (await api("GET", "/api/audit?action=journey.import")).entries as {
      actor: { kind: string; name: string };
      details: { outcome: string };
    }[];
    expect(audit.map((e) => [e.actor.kind, e.actor.name, e.details.outcome])).toEqual([
      ["key", "ci", "created_copy"],
      ["key", "ci", "replaced_draft"],
      ["key", "ci", "replaced_draft"],
      ["key", "ci", "created"],
    ]);
  });

  it("says what is wrong: no key, a bad key, no server, an invalid document, an unknown id", async () => {
    const path = file("x.json", before);
    const noKey = await runCli(["import", path], { ...env, WAYMARK_API_KEY: "" });
    expect([noKey.code, noKey.stderr]).toEqual([2, expect.stringContaining("set WAYMARK_API_KEY")]);
    const badKey = await runCli(["export", "git-cart"], { ...env, WAYMARK_API_KEY: "sk_nope" });
    expect([badKey.code, badKey.stderr]).toEqual([
      1,
      expect.stringContaining("401 unauthenticated"),
    ]);
    const closed = await runCli(["export", "git-cart", "--url", "http://127.0.0.1:9"], env);
    expect([closed.code, closed.stderr]).toEqual([1, expect.stringContaining("cannot reach")]);
    const invalid = join(dir, "invalid.json");
    writeFileSync(invalid, JSON.stringify({ ...before, id: "bad-doc", edges: [{ from: "x" }] }));
    const refused = await runCli(["import", invalid], env);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringContaining("422 invalid_journey"),
    ]);
    const unknown = await runCli(["export", "no-such-journey"], env);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining("404 not_found")]);
    expect((await runCli(["import", path, "--mode", "overwrite"], env)).code).toBe(2);
  });
});
