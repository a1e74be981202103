import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemaText } from "../../engine/index.ts";
import { ROOT } from "./helpers.ts";

const BIN = resolve(ROOT, "bin/waymark.js");
function waymark(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const dir = mkdtempSync(join(tmpdir(), "waymark-cli-"));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

describe("waymark CLI", () => {
  it("validate: a valid example exits 0", () => {
    const r = waymark("validate", "examples/journeys/cart-reminder.json");
    expect(r.code).toBe(0);
    expect(r.out).toContain("valid (0 errors, 0 warnings)");
  });

  it("validate: errors exit 1 with one line per issue; --json gives the issues", () => {
    const bad = file("bad.json", {
      format: "waymark/journey@1",
      id: "x",
      name: "x",
      nodes: [{ id: "a", type: "exit" }],
      edges: [{ from: "a", to: "b" }],
    });
    const r = waymark("validate", bad);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error\s+no_trigger/);
    expect(r.out).toMatch(/error\s+dangling_edge\s+edges\[0\]\.to/);
    const j = waymark("validate", bad, "--json");
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.out);
    expect(parsed.valid).toBe(false);
    expect(parsed.issues.map((i: { code: string }) => i.code)).toContain("no_trigger");
  });

  it("validate: missing file and non-JSON give one clean line, no stack trace", () => {
    const missing = waymark("validate", join(dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split("\n")).toHaveLength(1);
    expect(missing.err).toContain("no such file");
    const notJson = waymark("validate", file("x.json", "{ nope"));
    expect(notJson.code).toBe(1);
    expect(notJson.out).toContain("not_json");
    expect(notJson.err).not.toMatch(/at .*\.ts:\d+/);
  });

  it("schema prints the JSON Schema", () => {
    const r = waymark("schema");
    expect(r.code).toBe(0);
    expect(r.out).toBe(jsonSchemaText());
  });

  it("simulate --json: timeline and final in the documented shape", () => {
    const contact = file("c.json", {
      id: "u1",
      timezone: "Asia/Shanghai",
      attributes: { firstName: "Li" },
      consent: { sms: { promotional: true } },
    });
    const events = file("e.json", [
      { at: "2025-03-03T13:30:00Z", name: "cart_abandoned" },
      { at: "2025-03-04T01:00:00Z", name: "message.clicked", properties: { nodeId: "sms1" } },
    ]);
    const r = waymark(
      "simulate",
      "examples/journeys/cart-reminder.json",
      "--contact",
      contact,
      "--events",
      events,
      "--json",
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(["timeline", "final"]);
    expect(out.final).toEqual({ status: "completed", nodeId: "done" });
    expect(out.timeline.map((e: { type: string }) => e.type)).toEqual([
      "entered",
      "waiting",
      "deferred",
      "sent",
      "waiting",
      "branched",
      "exited",
    ]);
    expect(out.timeline[2]).toMatchObject({
      at: "2025-03-03T14:30:00.000Z",
      nodeId: "sms1",
      type: "deferred",
      until: "2025-03-04T00:00:00.000Z",
      reason: "quiet_hours",
    });
    expect(out.timeline[3]).toMatchObject({
      type: "sent",
      channel: "sms",
      parts: 1,
      body: "Hi Li, your cart is waiting\nReply STOP to opt out",
    });
    expect(out.timeline[5]).toMatchObject({ type: "branched", path: "yes" });
  });

  it("simulate: readable table without --json; STOP opts out", () => {
    const events = file("e2.json", [
      { at: "2025-03-03T02:00:00Z", name: "cart_abandoned" },
      { at: "2025-03-03T02:30:00Z", name: "message.replied", properties: { body: "STOP" } },
    ]);
    const r = waymark(
      "simulate",
      "examples/journeys/cart-abandonment.json",
      "--events",
      events,
      "--until",
      "2025-03-10T00:00:00Z",
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("times in UTC");
    expect(r.out).toMatch(/final: not_entered/); // cartValue filter: no properties, no entry
    const r2 = waymark(
      "simulate",
      "examples/journeys/cart-reminder.json",
      "--events",
      events,
      "--until",
      "2025-03-10T00:00:00Z",
    );
    expect(r2.out).toMatch(/sms1\s+suppressed\s+opted out/);
  });

  it("simulate: the contact's audiences decide a condition branch on audience", () => {
    const journey = file("aud.json", {
      format: "waymark/journey@1",
      id: "aud",
      name: "aud",
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "event", event: "go" } },
        {
          id: "b",
          type: "branch",
          branch: { kind: "condition", conditions: [], audience: "vips" },
        },
        { id: "done", type: "exit" },
      ],
      edges: [
        { from: "start", to: "b" },
        { from: "b", to: "done", path: "yes" },
        { from: "b", to: "done", path: "no" },
      ],
    });
    const events = file("aud-e.json", [{ at: "2025-03-03T02:00:00Z", name: "go" }]);
    const branched = (contact: unknown) => {
      const c = file("aud-c.json", contact);
      const r = waymark("simulate", journey, "--contact", c, "--events", events, "--json");
      expect(r.err).toBe("");
      const out = JSON.parse(r.out) as { timeline: { type: string; detail: string }[] };
      return out.timeline.find((e) => e.type === "branched");
    };
    expect(branched({ id: "u1", audiences: ["vips"] })).toMatchObject({
      path: "yes",
      detail: 'in audience "vips"',
    });
    expect(branched({ id: "u1" })).toMatchObject({ path: "no", detail: 'not in audience "vips"' });
  });

  it("simulate: bad inputs exit non-zero with one line", () => {
    expect(waymark("simulate").code).toBe(2);
    const badEvents = file("bad-e.json", [{ at: "yesterday", name: "x" }]);
    const r = waymark("simulate", "examples/journeys/cart-reminder.json", "--events", badEvents);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^waymark simulate: events at 0\.at: not an ISO date-time/);
    const invalid = file("inv.json", {
      format: "waymark/journey@1",
      id: "x",
      name: "x",
      nodes: [],
      edges: [],
    });
    expect(waymark("simulate", invalid).code).toBe(1);
    expect(waymark("simulate", "examples/journeys/cart-reminder.json", "--from", "soon").code).toBe(
      2,
    );
  });
});
