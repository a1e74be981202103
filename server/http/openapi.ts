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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Turns zod schemas into OpenAPI 3.1 schema objects. zod puts a recursive or shared schema in
 * the schema's own `$defs` and points at it with `#/$defs/…`; inside an OpenAPI document that
 * pointer resolves against the document's root, where no `$defs` exist, so validators reject the
 * document (issue #15: swagger-parser "Missing $ref pointer"). The definitions are moved to
 * `components/schemas` under names unique in the document, and the pointers rewritten.
 */
class SchemaCollector {
  readonly components: Record<string, Json> = {};
  private next = 0;

  toOpenApi(schema: z.ZodType, io: "input" | "output" = "input"): Json {
    const raw = z.toJSONSchema(schema, { unrepresentable: "any", io }) as { [key: string]: Json };
    const { $defs, $schema: _dialect, ...root } = raw;
    const renamed = new Map<string, string>();
    if ($defs && typeof $defs === "object" && !Array.isArray($defs)) {
      for (const name of Object.keys($defs)) renamed.set(name, `S${this.next++}`);
      for (const [name, def] of Object.entries($defs)) {
        this.components[renamed.get(name) ?? name] = rewriteRefs(def, renamed);
      }
    }
    return rewriteRefs(root, renamed);
  }
}

function rewriteRefs(value: Json, renamed: Map<string, string>): Json {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, renamed));
  if (!value || typeof value !== "object") return value;
  const out: { [key: string]: Json } = {};
  for (const [key, v] of Object.entries(value)) {
    const target = key === "$ref" && typeof v === "string" ? /^#\/\$defs\/(.+)$/.exec(v) : null;
    out[key] = target?.[1]
      ? `#/components/schemas/${renamed.get(target[1]) ?? target[1]}`
      : rewriteRefs(v, renamed);
  }
  return out;
}

/** A query schema (a zod object) as OpenAPI `in: query` parameters, one per property. */
function queryParameters(collector: SchemaCollector, query: z.ZodType): Json[] {
  const schema = collector.toOpenApi(query) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

/**
 * The OpenAPI 3.1 document, built from the same route table and zod schemas that route and
 * validate requests, so it cannot drift from what the server does.
 */
export function buildOpenApi(
  routes: readonly RouteSpec[],
  version: string = API_VERSION,
): Record<string, unknown> {
  const collector = new SchemaCollector();
  const jsonSchema = (schema: z.ZodType) => collector.toOpenApi(schema);
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
      parameters: r.query ? [...params, ...queryParameters(collector, r.query)] : params,
      responses: { "200": { description: "OK" }, ...errors },
    };
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
  const errorBody = jsonSchema(ErrorBody);
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
          content: { "application/json": { schema: errorBody } },
        },
      },
      schemas: collector.components,
    },
  };
}
