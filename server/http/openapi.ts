import { createRequire } from "node:module";
import { z } from "zod";
import { ErrorBody, NO_BODY, type NonJson, type ResponseSchema } from "../api/common.ts";
import type { RouteSpec, Status } from "./routes.ts";

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
 * `components/schemas` under names unique in the document, and the pointers rewritten. A
 * schema given an `id` (`.meta({ id })`, server/api/common.ts) keeps it as its name and is
 * written once however many answers use it (the journey format alone is ~10 KB).
 */
class SchemaCollector {
  readonly components: Record<string, Json> = {};
  private next = 0;

  toOpenApi(schema: z.ZodType, io: "input" | "output" = "input"): Json {
    const raw = z.toJSONSchema(schema, { unrepresentable: "any", io }) as { [key: string]: Json };
    const { $defs, $schema: _dialect, ...root } = raw;
    const renamed = new Map<string, string>();
    if ($defs && typeof $defs === "object" && !Array.isArray($defs)) {
      for (const name of Object.keys($defs)) {
        const named = !name.startsWith("__schema");
        renamed.set(name, named ? (io === "output" ? name : `${name}Input`) : `S${this.next++}`);
      }
      for (const [name, def] of Object.entries($defs)) {
        this.components[renamed.get(name) ?? name] ??= rewriteRefs(def, renamed);
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

const DESCRIPTIONS: Record<Status, string> = {
  200: "OK",
  201: "Created",
  204: "No content",
  302: "Found: redirected to Location",
  400: "Invalid input: the body, query or path names the field (`details`: [{path, message}])",
  401: "No valid credentials",
  403: "The caller's role may not do this",
  404: "Not found",
  409: "Conflicts with the current state",
  413: "Request body too large",
  415: "Unsupported media type",
  422: "Well-formed but invalid (`details`: the issues)",
  429: "Too many requests; see Retry-After",
  503: "The database is unavailable; retry after Retry-After",
};

/**
 * What the table's machinery answers for a route beside what the route declares: 400 for text
 * PostgreSQL cannot store (any route, server/http/routes.ts) or an invalid body or query, 413
 * for an oversized body, 401/403 on a guarded route, 415 for a write under /api that is not
 * JSON (server/http/csrf.ts), and 503 while the database is away.
 */
export function implicitStatuses(r: RouteSpec): Status[] {
  const writes = r.method !== "get";
  return [
    400,
    ...(r.access === "public" ? [] : ([401, 403] as const)),
    ...(writes ? ([413] as const) : []),
    ...(writes && r.path.startsWith("/api/") ? ([415] as const) : []),
    503,
  ];
}

/** Who may call: the table's session or secret key, or a public route's own check, or anyone. */
function security(r: RouteSpec): Json[] {
  if (r.access !== "public") return [{ session: [] }, { secretKey: [] }];
  return r.verifiedBy ? [{ [r.verifiedBy]: [] }] : [];
}

function isNonJson(schema: ResponseSchema): schema is NonJson {
  return typeof schema === "object" && "mediaType" in schema;
}

/**
 * The OpenAPI 3.1 document, built from the same route table and zod schemas that route and
 * validate requests and describe responses, so it cannot drift from what the server does.
 */
export function buildOpenApi(
  routes: readonly RouteSpec[],
  version: string = API_VERSION,
): Record<string, unknown> {
  const collector = new SchemaCollector();
  const jsonSchema = (schema: z.ZodType) => collector.toOpenApi(schema);
  const paths: Record<string, Record<string, unknown>> = {};
  const response = (status: Status, schema: ResponseSchema): Json => {
    if (schema === NO_BODY) return { description: DESCRIPTIONS[status] };
    if (isNonJson(schema))
      return {
        description: schema.about,
        content: { [schema.mediaType]: { schema: { type: "string" } } },
      };
    if (schema === ErrorBody) return { $ref: "#/components/responses/Error" };
    return {
      description: DESCRIPTIONS[status],
      content: { "application/json": { schema: collector.toOpenApi(schema, "output") } },
    };
  };
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, "{$1}");
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const responses: Record<string, Json> = {};
    for (const status of implicitStatuses(r)) responses[status] = response(status, ErrorBody);
    for (const [status, schema] of Object.entries(r.responses)) {
      if (schema) responses[status] = response(Number(status) as Status, schema);
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      security: security(r),
      "x-roles": r.access === "public" || r.access === "any" ? r.access : ["admin", ...r.access],
      parameters: r.query ? [...params, ...queryParameters(collector, r.query)] : params,
      responses: Object.fromEntries(
        Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)),
      ),
    };
    if (r.body)
      op.requestBody = {
        required: true,
        content: { [r.bodyType ?? "application/json"]: { schema: jsonSchema(r.body) } },
      };
    paths[path] = { ...paths[path], [r.method]: op };
  }
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
        twilioSignature: {
          type: "apiKey",
          in: "header",
          name: "X-Twilio-Signature",
          description:
            "Twilio's HMAC-SHA1 of the URL and form parameters with the account's auth token; checked before anything is read",
        },
        webhookSignature: {
          type: "apiKey",
          in: "header",
          name: "X-Waymark-Signature",
          description:
            't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with WAYMARK_EMAIL_WEBHOOK_SECRET>; within five minutes, checked before the body is parsed',
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
