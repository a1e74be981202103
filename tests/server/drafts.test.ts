import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

/**
 * Issue 16: "not saved: nodes.4.branch.conditions.0.field: Too small…". A draft saves as typed,
 * valid or not; its issues block publishing (and export, duplicate) only. Hostile drafts are
 * refused with a 4xx naming the field.
 */
/** The answers read here: the draft routes' JSON and the `{error}` envelope. */
type Doc = { nodes: { branch: { conditions: Record<string, unknown>[] } }[] };
type Answer = {
  draft: Doc;
  draftAsTyped?: unknown;
  issues: { code: string; severity: string; path: (string | number)[] }[];
  error?: { code: string; message: string; details: { code: string; path: unknown[] }[] };
};

describe.each(databaseKinds)("drafts always save, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  let headers: Record<string, string>;
  const call = (method: string, path: string, body?: unknown) =>
    app.call<Answer>(method, path, body, headers);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    headers = { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" };
    const created = await call("POST", "/api/journeys", cartReminder());
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /** The cart reminder with a condition branch whose condition has a value but no field yet. */
  const halfFilled = () => {
    const doc = cartReminder() as unknown as { nodes: Record<string, unknown>[]; edges: unknown[] };
    const branch = doc.nodes.findIndex((n) => n.type === "branch");
    doc.nodes[branch] = {
      ...doc.nodes[branch],
      branch: { kind: "condition", conditions: [{ field: "", op: "eq", value: "gold" }] },
    };
    return { doc, branch };
  };

  it("PUT an invalid draft → 200 saved; GET returns it as typed; publish → 422 with the issues", async () => {
    const { doc, branch } = halfFilled();
    const put = await call("PUT", `/api/journeys/${cartReminder().id}`, doc);
    expect(put.status).toBe(200);
    expect(put.body.issues[0]).toMatchObject({
      code: "schema",
      severity: "error",
      path: ["nodes", branch, "branch", "conditions", 0, "field"],
    });

    const got = await call("GET", `/api/journeys/${cartReminder().id}`);
    expect(got.status).toBe(200);
    expect(got.body.draft).toEqual(doc);
    expect(got.body.draft.nodes[branch]?.branch.conditions[0]).toEqual({
      field: "",
      op: "eq",
      value: "gold",
    });
    expect(got.body.issues.map((i: { code: string }) => i.code)).toContain("schema");
    expect(got.body.draftAsTyped).toBeUndefined();

    const publish = await call("POST", `/api/journeys/${cartReminder().id}/publish`, {});
    expect(publish.status).toBe(422);
    expect(publish.body.error?.code).toBe("invalid_journey");
    expect(publish.body.error?.details[0]).toMatchObject({
      code: "schema",
      path: ["nodes", branch, "branch", "conditions", 0, "field"],
    });
    const versions = await db
      .knex("journey_versions")
      .where({ journey_id: cartReminder().id, is_draft: false });
    expect(versions).toEqual([]);

    // Export and duplicate would write a format file or a journey: refused, with the issues.
    const exported = await call("GET", `/api/journeys/${cartReminder().id}/export`);
    expect(exported.status).toBe(422);
    expect(exported.body.error?.code).toBe("draft_not_well_formed");
    const dup = await call("POST", `/api/journeys/${cartReminder().id}/duplicate`, {
      id: "copy-1",
    });
    expect(dup.status).toBe(422);
    // Validating the stored draft reports the same issue the editor paints.
    const validated = await call("POST", `/api/journeys/${cartReminder().id}/validate`);
    expect(validated.body.issues[0]).toMatchObject({ code: "schema" });
  });

  it("finishing the field saves a well-formed draft again, which publishes", async () => {
    const { doc, branch } = halfFilled();
    doc.nodes[branch] = {
      ...doc.nodes[branch],
      branch: { kind: "condition", conditions: [{ field: "tier", op: "eq", value: "gold" }] },
    };
    const put = await call("PUT", `/api/journeys/${cartReminder().id}`, doc);
    expect(put.status).toBe(200);
    expect(put.body.issues.filter((i: { severity: string }) => i.severity === "error")).toEqual([]);
    const row = await db
      .knex("journey_versions")
      .where({ journey_id: cartReminder().id, is_draft: true })
      .first("draft_as_typed", "definition");
    expect(row.draft_as_typed).toBeNull();
    expect(row.definition.nodes[branch].branch.conditions[0].field).toBe("tier");
    const publish = await call("POST", `/api/journeys/${cartReminder().id}/publish`, {});
    expect(publish.status).toBe(200);
    expect((await call("GET", `/api/journeys/${cartReminder().id}/export`)).status).toBe(200);
  });

  it("refuses hostile drafts with a 4xx naming the field, storing nothing", async () => {
    const id = cartReminder().id;
    const before = await call("GET", `/api/journeys/${id}`);
    const { doc, branch } = halfFilled();
    const proto = JSON.stringify(doc).replace(
      '"op":"eq"',
      '"__proto__":{"polluted":true},"op":"eq"',
    );
    const cases: [unknown, number, RegExp][] = [
      [proto, 400, /^nodes\.\d+\.branch\.conditions\.0\.__proto__: /],
      [{ ...doc, nodes: [...doc.nodes, { id: "x", type: "rocket" }] }, 400, /^nodes\.\d+\.type: /],
      [
        { ...doc, nodes: [...doc.nodes, { id: "x", type: "send" }] },
        400,
        /^nodes\.\d+\.send: a send node needs/,
      ],
      [{ ...doc, nodes: "many" }, 400, /^nodes: /],
      [
        { ...doc, nodes: [...doc.nodes, { id: "__proto__", type: "exit" }] },
        400,
        /^nodes\.\d+\.id: may not be __proto__/,
      ],
      [{ ...doc, id: "other" }, 400, /^id: /],
      [{ ...doc, notes: "x".repeat(300_000) }, 413, /more than 262144/],
      [
        { ...doc, deep: JSON.parse(`${"[".repeat(40)}1${"]".repeat(40)}`) },
        400,
        /nested deeper than 32 levels/,
      ],
      [JSON.stringify(doc).replace('"gold"', '"go\\u0000ld"'), 400, /./],
    ];
    for (const [body, status, message] of cases) {
      const r = await call("PUT", `/api/journeys/${id}`, body);
      expect([r.status, r.body.error?.message]).toEqual([status, expect.stringMatching(message)]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await call("GET", `/api/journeys/${id}`)).body.draft).toEqual(before.body.draft);
    void branch;
  });
});
