import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteSpec } from "../../server/http/routes.ts";
import { databaseKinds } from "../helpers/databases.ts";
import {
  HOSTILE_NAMES,
  lineJourney,
  prototypes,
  type Reply,
  type SecurityApp,
  smsNode,
  startSecurityApp,
} from "./harness.ts";

/**
 * The defence of issue #14 items 1 and 2 as a property: names JavaScript objects treat
 * specially (`__proto__`, `constructor`, `prototype`, inherited method names) fed through every
 * route of the route table — as node ids, attribute and trait names, template paths, audience
 * fields, settings keys, JSON keys at every depth, path and query parameters — never change
 * Object.prototype (or Array's, Function's, String's), never get a 500, and leave the server
 * answering. Routes are enumerated from `apiRoutes`, so a new route is fuzzed with the generic
 * payloads the day it is added; the shaped payloads reach the fields each route reads.
 */
type Body = unknown;
type Shaper = (h: string) => Body[];

const RESERVED = ["__proto__", "constructor", "prototype"];
/** JSON text with `h` as a key: a JS literal cannot own a `__proto__` key, JSON text can. */
const keyed = (h: string, value: string) => `{${JSON.stringify(h)}: ${value}}`;
const POLLUTE = '{"wmpolluted": 1}';

/** A draft to edit (PUT needs the document's id to be the path's). */
const DRAFT = "fuzz-draft";

function journeyDocs(h: string, id: string): Body[] {
  const node = (extra: Record<string, unknown>) => lineJourney(id, [extra]);
  const templates = [
    `{{ user.${h}.wmpolluted }}`,
    `{{ user["${h}"]["wmpolluted"] }}`,
    `{{ event.properties.${h} }}`,
    `{% assign ${h} = "x" %}{{ ${h} }}`,
    `{% capture ${h} %}x{% endcapture %}{{ ${h} }}`,
    `{% increment ${h} %}{% decrement ${h} %}`,
    `{% for ${h} in user.items %}{{ ${h} }}{% endfor %}`,
    `{{ user.items | where: "${h}", 1 | size }}{{ user.items | map: "${h}" | join }}`,
    `{{ user.items | sort: "${h}" | first }}{% cycle "${h}", "b" %}`,
  ];
  return [
    node({ id: h, type: "wait", wait: { kind: "duration", duration: "PT1H" } }),
    ...templates.map((t) => node(smsNode("s", t))),
    node({
      id: "b",
      type: "branch",
      branch: {
        kind: "condition",
        conditions: [
          { field: h, op: "eq", value: h },
          { field: `${h}.wmpolluted`, op: "exists" },
        ],
      },
    }),
    node({ id: "w", type: "wait", wait: { kind: "until_attribute", attribute: h } }),
    {
      ...lineJourney(id, []),
      nodes: [
        {
          id: "start",
          type: "trigger",
          trigger: { kind: "date_attribute", attribute: h, offsetDays: 0 },
        },
        { id: "sp", type: "split", split: { arms: [{ name: h, percent: 100 }] } },
        { id: "done", type: "exit" },
      ],
      edges: [
        { from: "start", to: "sp" },
        { from: "sp", to: "done", path: h },
      ],
    },
    lineJourney(id, [], {
      settings: {
        exitOn: [{ event: h, where: [{ field: h, op: "eq", value: 1 }] }],
        goal: { event: h, where: [{ field: `${h}.x`, op: "exists" }], within: "P1D" },
        testList: [h],
      },
    }),
    // Unknown keys named like the prototype, inside the document and its nodes.
    `{"format": "waymark/journey@1", "id": "${id}", "name": "x", ${JSON.stringify(h)}: ${POLLUTE}, "nodes": [${keyed(h, POLLUTE)}], "edges": []}`,
  ];
}

function audienceDefinitions(h: string): Body[] {
  return [
    { attribute: h, op: "eq", value: h },
    { attribute: `${h}.wmpolluted`, op: "in", value: [h, 1] },
    { event: h, where: [{ field: h, op: "in", value: [h] }], count: true, op: "gte", value: 1 },
    { event: "purchased", sum: { property: h }, op: "gte", value: 1 },
    `{"and": [${keyed(h, '{"attribute": "a", "op": "exists"}')}]}`,
    keyed(h, '{"attribute": "a", "op": "exists"}'),
  ];
}

const SHAPED: Record<string, Shaper> = {
  "post /api/journeys": (h) => journeyDocs(h, "fuzz-new"),
  "post /api/journeys/import": (h) => journeyDocs(h, "fuzz-import"),
  "put /api/journeys/:id": (h) => journeyDocs(h, DRAFT),
  "post /api/journeys/:id/validate": (h) => journeyDocs(h, DRAFT),
  "post /api/journeys/:id/publish": (h) => [
    `{"inFlight": "migrate", "dryRun": true, "map": {${JSON.stringify(h)}: "x", "x": ${JSON.stringify(h)}}}`,
  ],
  "post /api/journeys/:id/enroll": (h) => [
    `{"userId": ${JSON.stringify(h)}, "properties": ${keyed(h, POLLUTE)}}`,
  ],
  "post /api/journeys/:id/duplicate": (h) => [{ id: h, name: h }],
  "post /api/journeys/:id/preview": (h) => [
    { nodeId: h },
    { nodeId: "s", contactId: h },
    `{"nodeId": "s", "contact": {"attributes": ${keyed(h, POLLUTE)}}, "event": {"name": ${JSON.stringify(h)}, "properties": ${keyed(h, POLLUTE)}}}`,
    { nodeId: "s", contactId: "fuzz-user" },
  ],
  "post /api/journeys/:id/test-send": (h) => [{ nodeId: h, contactId: h }],
  "post /api/simulate": (h) => [
    ...journeyDocs(h, "fuzz-sim")
      .filter((d) => typeof d !== "string")
      .map((journey) => ({ journey, events: [{ name: "go", at: "2026-03-02T03:00:00Z" }] })),
    `{"journeyId": "${DRAFT}", "contact": {"id": ${JSON.stringify(h)}, "attributes": ${keyed(h, POLLUTE)}}, "events": [{"name": ${JSON.stringify(h)}, "at": 0, "properties": ${keyed(h, POLLUTE)}}]}`,
    { journeyId: DRAFT, contactId: "fuzz-user" },
    { journeyId: h, contactId: h },
  ],
  "post /api/audiences": (h) =>
    audienceDefinitions(h).map((d) =>
      typeof d === "string"
        ? `{"name": ${JSON.stringify(h)}, "definition": ${d}}`
        : { name: h, definition: d },
    ),
  "put /api/audiences/:id": (h) =>
    audienceDefinitions(h).map((d) =>
      typeof d === "string"
        ? `{"name": ${JSON.stringify(h)}, "definition": ${d}}`
        : { name: h, definition: d },
    ),
  "post /api/audiences/estimate": audienceDefinitions,
  "post /api/audiences/preview": audienceDefinitions,
  "put /api/settings": (h) => [
    `{"policy": {"workspaceTimezone": "UTC", "quietHours": null, "quietHoursFor": [], "caps": [], "unopenedStreak": null, "consentRequired": ${keyed(h, "true")}, "optOutLines": ${keyed(h, '"Reply STOP"')}}}`,
  ],
};

/** JSON text with hostile keys at every depth, for the routes' generic payloads. */
const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("1", "null", '"x"', POLLUTE, "[]"),
    fc
      .array(fc.tuple(fc.constantFrom(...HOSTILE_NAMES, "a", "id", "name"), tie("value")), {
        maxLength: 4,
      })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ")}}`),
    fc.array(tie("value"), { maxLength: 3 }).map((items) => `[${items.join(", ")}]`),
  ),
})).value;

const genericBodies = (h: string): Body[] => [
  keyed(h, POLLUTE),
  `{"a": ${keyed(h, POLLUTE)}, ${JSON.stringify(h)}: [${keyed(h, "1")}]}`,
  `[${keyed(h, POLLUTE)}]`,
];

describe.each(databaseKinds)("no name reaches a prototype, through any route, on %s", (kind) => {
  let s: SecurityApp;
  const clean = prototypes();
  let requests = 0;

  /** Every reply: a JSON answer below 500, and the prototypes as they were. */
  const check = (what: string, r: Reply) => {
    requests++;
    expect([what, r.status < 500]).toEqual([what, true]);
    expect([what, prototypes()]).toEqual([what, clean]);
  };

  beforeAll(async () => {
    s = await startSecurityApp(kind);
    const marketer = s.as("marketer");
    const live = lineJourney("fuzz-live", [smsNode("s", "Hi {{ user.firstName }}")]);
    live.nodes[0] = { id: "start", type: "trigger", trigger: { kind: "api" } };
    expect((await marketer("POST", "/api/journeys", live)).status).toBe(201);
    expect((await marketer("POST", "/api/journeys/fuzz-live/publish", {})).status).toBe(200);
    const draft = lineJourney(DRAFT, [smsNode("s", "Hi {{ user.firstName }}")]);
    expect((await marketer("POST", "/api/journeys", draft)).status).toBe(201);
    const aud = { name: "Fuzz", id: "fuzz-aud", definition: { attribute: "a", op: "exists" } };
    expect((await marketer("POST", "/api/audiences", aud)).status).toBe(201);
    await s.app.ingest("/v1/identify", {
      userId: "fuzz-user",
      traits: {
        firstName: "Ann",
        items: [{ a: 1 }],
        nested: JSON.parse(keyed("__proto__", POLLUTE)),
      },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A route's path with its parameters: real ids the handler will find, and hostile ones. */
  function paths(r: RouteSpec, h: string): string[] {
    const real = r.path.startsWith("/api/audiences")
      ? "fuzz-aud"
      : r.path === "/api/journeys/:id" && r.method === "put"
        ? DRAFT
        : r.path.startsWith("/api/journeys")
          ? "fuzz-live"
          : null;
    const fill = (id: string) =>
      r.path.replace(":id", encodeURIComponent(id)).replace(":version", "1");
    const out = [fill(h)];
    // Real ids, but not where the route would end the run's fixtures or sessions.
    if (real && r.method !== "delete" && !r.path.endsWith("/archive")) out.push(fill(real));
    return out;
  }

  it("every writing route of the route table, with hostile names in every field it reads", async () => {
    const admin = s.as("admin");
    const writing = s.routes().filter((r) => r.method !== "get");
    expect(writing.length).toBeGreaterThan(15);
    const perRoute = new Map<string, number>();
    for (const r of writing) {
      const key = `${r.method} ${r.path}`;
      for (const h of HOSTILE_NAMES) {
        const bodies = [...(SHAPED[key]?.(h) ?? []), ...genericBodies(h)];
        for (const path of paths(r, h)) {
          for (const body of bodies) {
            check(
              `${key} ${path} ${String(body).slice(0, 60)}`,
              await admin(r.method.toUpperCase(), path, body),
            );
            perRoute.set(key, (perRoute.get(key) ?? 0) + 1);
          }
        }
      }
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...HOSTILE_NAMES), hostileJson, async (h, body) => {
          const path = paths(r, h)[0] ?? r.path;
          check(`${key} ${body.slice(0, 60)}`, await admin(r.method.toUpperCase(), path, body));
        }),
        { numRuns: 10, seed: 14 },
      );
    }
    // Every route got the shaped or generic payloads for every name.
    for (const r of writing) {
      expect(perRoute.get(`${r.method} ${r.path}`) ?? 0).toBeGreaterThanOrEqual(
        HOSTILE_NAMES.length * 3,
      );
    }
    // Every shaped route still exists: a renamed route must not leave its fuzzing behind.
    const keys = new Set(writing.map((r) => `${r.method} ${r.path}`));
    for (const key of Object.keys(SHAPED)) expect(keys.has(key), key).toBe(true);
    expect((await s.as("support")("GET", "/api/journeys")).status).toBe(200);
  }, 600_000);

  it("every reading route, with hostile path and query parameters", async () => {
    const admin = s.as("admin");
    const reading = s.routes().filter((r) => r.method === "get");
    for (const r of reading) {
      for (const h of HOSTILE_NAMES) {
        const e = encodeURIComponent(h);
        const query = `?${e}[wmpolluted]=1&${e}=1&q=${e}&journey=${e}&status=${e}&contact=${e}&from=${e}&to=draft&a[${e}]=1`;
        for (const path of paths(r, h))
          check(`${r.path} ${h}`, await admin("GET", `${path}${query}`));
      }
    }
    expect((await s.as("support")("GET", "/api/journeys")).status).toBe(200);
  }, 120_000);

  it("the ingest API, with hostile trait, property and event names", async () => {
    for (const h of HOSTILE_NAMES) {
      const name = JSON.stringify(h);
      const bodies: [string, string][] = [
        [
          "/v1/identify",
          `{"userId": ${name}, "traits": ${keyed(h, POLLUTE)}, "context": ${keyed(h, POLLUTE)}}`,
        ],
        [
          "/v1/identify",
          `{"userId": "fuzz-user", "traits": {"nested": ${keyed(h, POLLUTE)}}, "consent": ${keyed(h, keyed(h, "true"))}}`,
        ],
        [
          "/v1/track",
          `{"userId": "fuzz-user", "event": ${name}, "properties": ${keyed(h, POLLUTE)}}`,
        ],
        [
          "/v1/batch",
          `{"batch": [{"type": "track", "userId": ${name}, "event": ${name}, "properties": ${keyed(h, POLLUTE)}}]}`,
        ],
      ];
      for (const [path, body] of bodies) {
        const res = await fetch(`${s.app.url}${path}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Basic ${Buffer.from(`${s.app.writeKey}:`).toString("base64")}`,
          },
          body,
        });
        check(`${path} ${body.slice(0, 60)}`, {
          status: res.status,
          body: {},
          text: await res.text(),
        });
      }
    }
  });

  it("templates that use hostile names as locals and filter keys render at send time, in preview and in simulation", async () => {
    const marketer = s.as("marketer");
    const support = s.as("support");
    const templates = RESERVED.map(
      (h) =>
        `{% assign ${h} = user.firstName %}{% capture c %}{{ ${h} }}{% endcapture %}{{ c }} {{ user.items | where: "${h}", 1 | size }}{{ user.items | map: "${h}" | join }}{% for ${h} in user.items %}.{% endfor %}`,
    );
    const doc = lineJourney(
      "fuzz-tpl",
      templates.map((t, i) => smsNode(`t${i}`, t, "transactional")),
    );
    doc.nodes[0] = { id: "start", type: "trigger", trigger: { kind: "api" } };
    const created = await marketer("POST", "/api/journeys", doc);
    expect(created.body.issues).toEqual([]);
    expect((await marketer("POST", "/api/journeys/fuzz-tpl/publish", {})).status).toBe(200);
    for (let i = 0; i < templates.length; i++) {
      const p = await support("POST", "/api/journeys/fuzz-tpl/preview", {
        nodeId: `t${i}`,
        contactId: "fuzz-user",
      });
      check("preview", p);
      expect(p.body.text).toBe("Ann 0.");
    }
    const sim = await support("POST", "/api/simulate", {
      journeyId: "fuzz-tpl",
      contactId: "fuzz-user",
      events: [],
    });
    check("simulate", sim);
    await s.app.ingest("/v1/identify", {
      userId: "fuzz-user",
      consent: { sms: { transactional: true } },
    });
    const enrolled = await marketer("POST", "/api/journeys/fuzz-tpl/enroll", {
      userId: "fuzz-user",
    });
    check("enroll", enrolled);
    expect(enrolled.status).toBe(201);
    await s.app.tick();
    expect(prototypes()).toEqual(clean);
    const sent = (await s.db.knex("messages").where({ journey_id: "fuzz-tpl" }).select("body")) as {
      body: string;
    }[];
    expect(sent.map((m) => m.body)).toEqual(templates.map(() => "Ann 0."));
    expect(requests).toBeGreaterThan(0);
  });
});
