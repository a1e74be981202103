import { createRequire } from "node:module";
import { z } from "zod";
import { INGEST_OPERATIONS, IngestResponse } from "../ingest/openapi.ts";
import type { RouteSpec } from "./routes.ts";

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
});

/** The API document's version is the package's. */
export const API_VERSION = (
  createRequire(import.meta.url)("../../package.json") as { version: string }
).version;

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { unrepresentable: "any", io: "input" });
}

/**
 * The OpenAPI 3.1 document, built from the same route table and zod schemas that route and
 * validate requests, so it cannot drift from what the server does.
 */
export function buildOpenApi(
  routes: readonly RouteSpec[],
  version: string = API_VERSION,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errors = {
    "400": { $ref: "#/components/responses/Error" },
    "401": { $ref: "#/components/responses/Error" },
    "403": { $ref: "#/components/responses/Error" },
    "404": { $ref: "#/components/responses/Error" },
    "409": { $ref: "#/components/responses/Error" },
    "413": { $ref: "#/components/responses/Error" },
    "422": { $ref: "#/components/responses/Error" },
  };
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, "{$1}");
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const op: Record<string, unknown> = {
      summary: r.summary,
      security: r.access === "public" ? [] : [{ session: [] }, { secretKey: [] }],
      "x-roles": r.access === "public" || r.access === "any" ? r.access : ["admin", ...r.access],
      parameters: params,
      responses: { "200": { description: "OK" }, ...errors },
    };
    if (r.query) op["x-query-schema"] = jsonSchema(r.query);
    if (r.body)
      op.requestBody = {
        required: true,
        content: { "application/json": { schema: jsonSchema(r.body) } },
      };
    paths[path] = { ...paths[path], [r.method]: op };
  }
  for (const i of INGEST_OPERATIONS) {
    paths[i.path] = {
      post: {
        summary: i.summary,
        security: [{ writeKey: [] }],
        requestBody: {
          required: true,
          content: { "application/json": { schema: jsonSchema(i.body) } },
        },
        responses: {
          "200": {
            description: "Processed; every accepted item is committed",
            content: { "application/json": { schema: jsonSchema(IngestResponse) } },
          },
          "415": { $ref: "#/components/responses/Error" },
          "429": { $ref: "#/components/responses/Error" },
          "503": { $ref: "#/components/responses/Error" },
          ...errors,
        },
      },
    };
  }
  paths["/healthz"] = {
    get: {
      summary: "Liveness and database kind/migration",
      security: [],
      responses: { "200": { description: "OK" } },
    },
  };
  return {
    openapi: "3.1.0",
    info: { title: "Waymark API", version },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "waymark_session" },
        secretKey: {
          type: "http",
          scheme: "bearer",
          description: "a secret key (sk_…) from `waymark keys create --kind secret`",
        },
        writeKey: {
          type: "http",
          scheme: "basic",
          description: "a write key (wk_…) as the username, empty password (Segment-style)",
        },
      },
      responses: {
        Error: {
          description: "Error",
          content: { "application/json": { schema: jsonSchema(ErrorBody) } },
        },
      },
    },
  };
}
