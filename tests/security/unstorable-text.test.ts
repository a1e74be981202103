import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/databases.ts";
import { lineJourney, type SecurityApp, smsNode, startSecurityApp } from "./harness.ts";

/**
 * NUL characters and lone surrogates are valid in JSON and in a URL, and PostgreSQL refuses
 * both in text and jsonb: before the route-table guard (server/http/routes.ts) they reached the
 * database from most routes and came back as 500s. Every route of the route table, with them in
 * its path, query and body, answers a 4xx naming the field; journey documents and audience
 * definitions report them as issues with the path inside the document.
 */
const NUL = "\u0000";
const LONE = "\ud800";

describe.each(databaseKinds)("NUL and lone surrogates on %s", (kind) => {
  let s: SecurityApp;

  beforeAll(async () => {
    s = await startSecurityApp(kind);
    const ok = lineJourney("ok", [smsNode("s", "Hi {{ user.firstName }}")]);
    expect((await s.as("marketer")("POST", "/api/journeys", ok)).status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("every route of the route table answers 4xx, never 500, naming where", async () => {
    const admin = s.as("admin");
    let checked = 0;
    for (const r of s.routes()) {
      const method = r.method.toUpperCase();
      const clean = r.path.replace(":id", "ok").replace(":version", "1");
      if (r.path.includes(":id")) {
        const path = r.path.replace(":id", "ok%00").replace(":version", "1");
        const inPath = await admin(method, path, r.method === "get" ? undefined : {});
        expect([r.path, inPath.status]).toEqual([r.path, 400]);
        expect((inPath.body.error as { code: string }).code).toBe("invalid_text");
      }
      // A lone surrogate has no UTF-8 form, so only NUL can travel in a URL.
      const inQuery = await admin(method, `${clean}?q=a%00b`);
      expect([r.path, "query", inQuery.status]).toEqual([r.path, "query", 400]);
      if (r.method !== "get") {
        for (const bad of [NUL, LONE]) {
          const inBody = await admin(method, clean, { deep: [{ [`k${bad}`]: 1 }], v: "ok" });
          expect([r.path, "body", inBody.status]).toEqual([r.path, "body", 400]);
          const details = (inBody.body.error as { details: { path: string }[] }).details;
          expect(details[0]?.path).toBe(`deep.0.k${bad}`);
          const asValue = await admin(method, clean, { v: `a${bad}` });
          expect([r.path, "value", asValue.status]).toEqual([r.path, "value", 400]);
        }
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("a journey document holding one gets a bad_text issue on its node, outside HTTP too", async () => {
    const doc = lineJourney("ok", [smsNode("s", `Hi ${NUL}`)]);
    const { validate } = await import("../../engine/validate/validate.ts");
    expect(validate(doc)).toEqual([
      expect.objectContaining({
        code: "bad_text",
        nodeId: "s",
        path: ["nodes", 1, "send", "template"],
      }),
    ]);
    expect(validate({ ...lineJourney("ok", []), name: `x${LONE}` })).toEqual([
      expect.objectContaining({ code: "bad_text", path: ["name"] }),
    ]);
  });

  it("an audience definition holding one gets a bad_text issue at its path", async () => {
    const { validateAudience } = await import("../../engine/audience/validate.ts");
    expect(
      validateAudience({ and: [{ attribute: "region", op: "in", value: ["a", `b${LONE}`] }] }),
    ).toEqual([expect.objectContaining({ code: "bad_text", path: ["and", 0, "value", 1] })]);
  });
});
